using XefAI.Testing;

namespace XefAI.Gateway.Tests.CdsHooks;

/// <summary>
/// A hook for a use case that is not active (suspended between discovery and call; hostile testing, round 17): the
/// kill switch refuses the call, and no patient data is pulled from the EHR's FHIR server with its token for it.
/// </summary>
public sealed class CdsHooksSuspendedFetchTests
{
    [Theory]
    [InlineData("suspended", 403)]
    [InlineData("active", 200)]
    public async Task Call_UseCaseNotActive_RefusedWithoutFetchingFromTheFhirServer(string status, int expected)
    {
        await using var ehr = await FakeFhirServer.StartAsync();
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion("Chart reviewed."));
        await using var host = await CdsChartReview.StartGatewayAsync(vendor, status);
        using var client = host.CreateClient();

        var call = await client.PostJsonAsync($"/cds-services/{CdsChartReview.Service}", CdsChartReview.Request(ehr.Server));

        Assert.Equal(expected, call.Status);
        Assert.Equal(expected == 200 ? 1 : 0, ehr.Fetches);
        Assert.Equal(expected == 200 ? 1 : 0, vendor.CallCount);
    }
}
