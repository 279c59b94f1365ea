using XefAI.Gateway.CdsHooks;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.CdsHooks;

/// <summary>
/// <c>CdsHooks:FhirServers</c>: a hook's <c>fhirServer</c> outside the operator's list is refused before anything is
/// fetched (hostile testing, round 17: any app key could make the gateway send its requests, and the bearer token it
/// was given, to a host no configuration named).
/// </summary>
public sealed class CdsHooksFhirServerAllowListTests
{
    [Theory]
    [InlineData(null, 200)]
    [InlineData("{server}", 200)]
    [InlineData("{origin}", 200)]
    [InlineData("{origin}/fhir/", 200)]
    [InlineData("{origin}/fhir-admin", 400)]
    [InlineData("{origin}/fhir/R4", 400)]
    [InlineData("http://127.0.0.1:1/fhir", 400)]
    [InlineData("https://ehr.example.org/fhir", 400)]
    public async Task Call_FhirServerAgainstTheList_FetchedOnlyWhenListed(string? entry, int expected)
    {
        await using var ehr = await FakeFhirServer.StartAsync();
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion("Chart reviewed."));
        string[]? listed = entry is null ? null : [entry.Replace("{server}", ehr.Server).Replace("{origin}", ehr.Origin)];
        await using var host = await CdsChartReview.StartGatewayAsync(vendor, fhirServers: listed);
        using var client = host.CreateClient();

        var call = await client.PostJsonAsync($"/cds-services/{CdsChartReview.Service}", CdsChartReview.Request(ehr.Server));

        Assert.Equal(expected, call.Status);
        Assert.Equal(expected == 200 ? 1 : 0, ehr.Fetches);
        if (expected == 400)
        {
            Assert.Equal("invalid_fhir_server", (string?)call.Json["error"]!["code"]);
            Assert.Contains("CdsHooks:FhirServers", (string?)call.Json["error"]!["message"], StringComparison.Ordinal);
            Assert.DoesNotContain("/fhir", (string?)call.Json["error"]!["message"], StringComparison.Ordinal);
            Assert.Equal(400, (int?)(await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!))["statusCode"]);
        }
    }

    [Theory]
    [InlineData("https://ehr.example.org/fhir", true)]
    [InlineData("http://127.0.0.1:8080", true)]
    [InlineData("ftp://ehr.example.org/fhir", false)]
    [InlineData("https://user:secret@ehr.example.org/fhir", false)]
    [InlineData("https://ehr.example.org/fhir?tenant=1", false)]
    [InlineData("/fhir", false)]
    [InlineData("", false)]
    public void IsEntry_OnlyAbsoluteHttpBaseUrls(string entry, bool expected) =>
        Assert.Equal(expected, FhirServerAllowList.IsEntry(entry));

    [Fact]
    public void Allows_ComparesHostsCaseInsensitivelyAndPortsExactly()
    {
        string[] list = ["https://EHR.example.org/fhir"];

        Assert.True(FhirServerAllowList.Allows(list, new Uri("https://ehr.example.org/fhir/R4")));
        Assert.False(FhirServerAllowList.Allows(list, new Uri("https://ehr.example.org:8443/fhir")));
        Assert.False(FhirServerAllowList.Allows(list, new Uri("http://ehr.example.org/fhir")));
        Assert.False(FhirServerAllowList.Allows(list, new Uri("https://ehr.example.org.evil.test/fhir")));
    }
}
