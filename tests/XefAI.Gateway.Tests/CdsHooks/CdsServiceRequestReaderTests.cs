using System.Text;
using Microsoft.AspNetCore.Http;
using XefAI.Gateway.CdsHooks;

namespace XefAI.Gateway.Tests.CdsHooks;

/// <summary>Each hook's context members that CDS Hooks 2.0 requires: a request without one is malformed, 400.</summary>
public sealed class CdsServiceRequestReaderTests
{
    private const string Bundle = """{"resourceType":"Bundle","type":"collection","entry":[]}""";

    [Theory]
    [InlineData("patient-view", """{"userId":"Practitioner/1","patientId":"1"}""")]
    [InlineData("patient-view", """{"userId":"Practitioner/1","patientId":"1","encounterId":"2"}""")]
    [InlineData("order-select", """{"userId":"Practitioner/1","patientId":"1","selections":["MedicationRequest/a"],"draftOrders":BUNDLE}""")]
    [InlineData("order-sign", """{"userId":"Practitioner/1","patientId":"1","draftOrders":BUNDLE}""")]
    [InlineData("encounter-start", """{"userId":"Practitioner/1","patientId":"1","encounterId":"2"}""")]
    [InlineData("encounter-discharge", """{"userId":"Practitioner/1","patientId":"1","encounterId":"2"}""")]
    [InlineData("appointment-book", """{"userId":"Practitioner/1","patientId":"1","appointments":BUNDLE}""")]
    public void TryRead_EveryRequiredMember_IsRead(string hook, string context)
    {
        Assert.True(Read(hook, context, out var error), error?.Message);
    }

    [Theory]
    [InlineData("patient-view", """{"userId":"Practitioner/1"}""", "missing_required_parameter", "context.patientId")]
    [InlineData("patient-view", """{"patientId":"1"}""", "missing_required_parameter", "context.userId")]
    [InlineData("patient-view", """{"userId":"Practitioner/1","patientId":null}""", "missing_required_parameter", "context.patientId")]
    [InlineData("patient-view", """{"userId":" ","patientId":"1"}""", "missing_required_parameter", "context.userId")]
    [InlineData("order-select", """{"userId":"Practitioner/1","patientId":"1","draftOrders":BUNDLE}""", "missing_required_parameter", "context.selections")]
    [InlineData("order-select", """{"userId":"Practitioner/1","patientId":"1","selections":["MedicationRequest/a"]}""", "missing_required_parameter", "context.draftOrders")]
    [InlineData("order-select", """{"userId":"Practitioner/1","patientId":"1","selections":[],"draftOrders":BUNDLE}""", "invalid_type", "context.selections")]
    [InlineData("order-select", """{"userId":"Practitioner/1","patientId":"1","selections":"MedicationRequest/a","draftOrders":BUNDLE}""", "invalid_type", "context.selections")]
    [InlineData("order-sign", """{"userId":"Practitioner/1","patientId":"1"}""", "missing_required_parameter", "context.draftOrders")]
    [InlineData("order-sign", """{"userId":"Practitioner/1","patientId":"1","draftOrders":{"resourceType":"Patient","id":"1"}}""", "invalid_type", "context.draftOrders")]
    [InlineData("encounter-start", """{"userId":"Practitioner/1","patientId":"1"}""", "missing_required_parameter", "context.encounterId")]
    [InlineData("encounter-discharge", """{"userId":"Practitioner/1","patientId":"1"}""", "missing_required_parameter", "context.encounterId")]
    [InlineData("appointment-book", """{"userId":"Practitioner/1","patientId":"1"}""", "missing_required_parameter", "context.appointments")]
    public void TryRead_ARequiredMemberMissingOrOfTheWrongKind_IsA400NamingIt(string hook, string context, string code, string param)
    {
        Assert.False(Read(hook, context, out var error));

        Assert.Equal(400, error!.StatusCode);
        Assert.Equal(code, error.Code);
        Assert.Equal(param, error.Param);
        Assert.Contains(param, error.Message, StringComparison.Ordinal);
    }

    private static bool Read(string hook, string context, out XefAI.Integration.CallError? error)
    {
        var body = $$"""{"hook":"{{hook}}","hookInstance":"a","context":{{context.Replace("BUNDLE", Bundle, StringComparison.Ordinal)}}}""";
        var request = new DefaultHttpContext().Request;
        request.ContentType = "application/json";
        return CdsServiceRequestReader.TryRead(Encoding.UTF8.GetBytes(body), request, hook, 64, 100, out _, out error);
    }
}
