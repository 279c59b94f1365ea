using XefAI.Data;
using XefAI.Gateway.Pipeline.Steps;
using XefAI.Gateway.Tests.Pipeline.TestSupport;

namespace XefAI.Gateway.Tests.Pipeline.Steps;

public sealed class BuildContextStepTests
{
    private static readonly ClinicalContext PatientContext =
        new([new ClinicalFact("Condition", "Type 2 diabetes mellitus")], [], "Patient/123", 2);

    [Fact]
    public async Task Execute_ClinicalInputs_AreReadAndThePatientGetsAPseudonym()
    {
        var builder = new FakeClinicalContextBuilder(_ => PatientContext);
        var request = CallContexts.Chat(TestConfig.Summary.Id, "ignored message") with { ClinicalInputs = ["{\"resourceType\":\"Bundle\"}"] };
        await using var call = CallContexts.Governed(request);

        await new BuildContextStep(builder, new FakePseudonymizer()).ExecuteAsync(call);

        Assert.Null(call.Error);
        Assert.Equal(["{\"resourceType\":\"Bundle\"}"], Assert.Single(builder.Inputs));
        Assert.Same(PatientContext, call.Clinical);
        Assert.Equal(new FakePseudonymizer().Pseudonymize("Patient/123"), call.PatientPseudonym);
        Assert.DoesNotContain("123", call.PatientPseudonym!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_NoClinicalInputsNamed_TheMessagesAreRead()
    {
        var builder = new FakeClinicalContextBuilder();
        await using var call = CallContexts.Governed(CallContexts.Chat(TestConfig.Summary.Id, "first", "second"));

        await new BuildContextStep(builder, new FakePseudonymizer()).ExecuteAsync(call);

        Assert.Equal(["first", "second"], Assert.Single(builder.Inputs));
        Assert.Null(call.PatientPseudonym);
    }

    [Fact]
    public async Task Execute_MalformedClinicalData_Refuses400InvalidFhirOnTheInputsParameter()
    {
        var builder = new FakeClinicalContextBuilder(_ => throw new ClinicalDataException("Bundle.entry[0] is not an object."));
        var request = CallContexts.Chat(TestConfig.Summary.Id, "{\"resourceType\":\"Bundle\",\"entry\":[1]}") with { ClinicalInputsParam = "fhir" };
        await using var call = CallContexts.Governed(request);

        await new BuildContextStep(builder, new FakePseudonymizer()).ExecuteAsync(call);

        Assert.Equal(400, call.Error?.StatusCode);
        Assert.Equal("invalid_fhir", call.Error!.Code);
        Assert.Equal("fhir", call.Error.Param);
        Assert.Equal("Bundle.entry[0] is not an object.", call.Error.Message);
    }
}
