using System.Net;
using System.Text.Json;
using XefAI.Data.Context;
using XefAI.Data.FhirServer;
using XefAI.Data.Tests.Fhir;

namespace XefAI.Data.Tests.FhirServer;

/// <summary>Issue 10: clinical context fetched from a real FHIR server (Medplum's router, tests/fhir-server), within limits.</summary>
public sealed class FhirServerClientTests(MedplumFhirServerFixture fixture) : IClassFixture<MedplumFhirServerFixture>
{
    private MedplumFhirServer Server => fixture.Server;

    [FhirServerFact]
    public async Task FetchAsync_PatientRead_ReturnsTheResourceAsOnePage()
    {
        using var client = FhirServerClients.Create();

        var result = await client.FetchAsync(FhirServerClients.Request(Server.BaseUrl, Server.Token, "Patient/123"), CancellationToken.None);

        var document = Assert.Single(result.Resources);
        using var json = JsonDocument.Parse(document.Json);
        Assert.Equal("Patient", json.RootElement.GetProperty("resourceType").GetString());
        Assert.Equal("123", json.RootElement.GetProperty("id").GetString());
        Assert.Equal("Simpson", json.RootElement.GetProperty("name")[0].GetProperty("family").GetString());
        Assert.Equal(1, document.Pages);
        Assert.False(result.Truncated);
    }

    [FhirServerFact]
    public async Task FetchAsync_SearchWithSmallPages_FollowsNextLinksIntoOneSearchsetBundle()
    {
        using var client = FhirServerClients.Create();

        var result = await client.FetchAsync(
            FhirServerClients.Request(Server.BaseUrl, Server.Token, "Observation?subject=Patient/123&_count=3"), CancellationToken.None);

        var document = Assert.Single(result.Resources);
        Assert.Equal(3, document.Pages);
        Assert.False(document.Truncated);
        using var json = JsonDocument.Parse(document.Json);
        Assert.Equal("searchset", json.RootElement.GetProperty("type").GetString());
        Assert.Equal(8, json.RootElement.GetProperty("total").GetInt32());
        Assert.False(json.RootElement.TryGetProperty("link", out _));
        Assert.Equal(["1", "2", "3", "4", "5", "6", "7", "8"], EntryIds(json));
    }

    [FhirServerFact]
    public async Task FetchAsync_BareIdPrefetchQuery_FindsThePatientsObservations()
    {
        using var client = FhirServerClients.Create();

        var result = await client.FetchAsync(FhirServerClients.Request(Server.BaseUrl, Server.Token, "Observation?patient=123&_count=50"), CancellationToken.None);

        using var json = JsonDocument.Parse(Assert.Single(result.Resources).Json);
        Assert.Equal(8, EntryIds(json).Count);
    }

    [FhirServerFact]
    public async Task FetchAsync_MergedSearch_KeepsNonAsciiTextUnescaped()
    {
        using var client = FhirServerClients.Create();

        var result = await client.FetchAsync(FhirServerClients.Request(Server.BaseUrl, Server.Token, "Observation?patient=123&_count=4"), CancellationToken.None);

        var json = Assert.Single(result.Resources).Json;
        Assert.DoesNotContain("\\u00", json, StringComparison.Ordinal);
        Assert.Contains("\"comparator\":\">\"", json, StringComparison.Ordinal);
    }

    [FhirServerFact]
    public async Task FetchAsync_SearchLongerThanMaxPages_StopsAtTheLimitAndSaysTruncated()
    {
        using var client = FhirServerClients.Create(new FhirServerOptions { MaxPages = 2 });

        var result = await client.FetchAsync(
            FhirServerClients.Request(Server.BaseUrl, Server.Token, "Observation?subject=Patient/123&_count=2"), CancellationToken.None);

        var document = Assert.Single(result.Resources);
        Assert.Equal(2, document.Pages);
        Assert.True(document.Truncated);
        Assert.True(result.Truncated);
        using var json = JsonDocument.Parse(document.Json);
        Assert.Equal(["1", "2", "3", "4"], EntryIds(json));
    }

    [FhirServerFact]
    public async Task FetchAsync_MoreEntriesThanMaxEntries_KeepsTheFirstOnesAndSaysTruncated()
    {
        using var client = FhirServerClients.Create(new FhirServerOptions { MaxEntries = 3 });

        var result = await client.FetchAsync(
            FhirServerClients.Request(Server.BaseUrl, Server.Token, "Observation?subject=Patient/123&_count=2"), CancellationToken.None);

        var document = Assert.Single(result.Resources);
        Assert.True(document.Truncated);
        using var json = JsonDocument.Parse(document.Json);
        Assert.Equal(["1", "2", "3"], EntryIds(json));
    }

    [FhirServerFact]
    public async Task FetchAsync_SeveralQueries_ReadIntoAClinicalContextWithHomerSimpsonsFacts()
    {
        using var client = FhirServerClients.Create();
        var builder = new ClinicalContextBuilder([FhirSources.Create()]);

        var result = await client.FetchAsync(
            FhirServerClients.Request(Server.BaseUrl, Server.Token, "Patient/123", "Observation?patient=123&_count=3"), CancellationToken.None);
        var context = builder.Build(result.Inputs);

        Assert.Equal("Patient/123", context.PatientReference);
        Assert.Equal(9, context.ResourceCount);
        Assert.Equal(
            [
                new ClinicalFact("Patient", "male, born 1956-05-12"),
                new ClinicalFact("Observation", "Test 1: test", Status: "final"),
                new ClinicalFact("Observation", "Test 2: 20 x", Status: "corrected"),
                new ClinicalFact("Observation", "Test 3: 30 x", Status: "final"),
                new ClinicalFact("Observation", "Test 4: >50 x (HIGH)", Status: "final"),
                new ClinicalFact("Observation", "Test 5: 100 x", Status: "final"),
                new ClinicalFact("Observation", "Test 6: Systolic 110 mmHg, Diastolic 75 mmHg", Status: "final"),
                new ClinicalFact("Observation", "Test 7: Glucose 1000 mg/dL (Critical high)", Status: "final"),
                new ClinicalFact("Observation", "Test 8: HIV REACTIVE (Reactive)", Status: "final"),
            ],
            context.Facts);
        var homer = Assert.Single(context.People, p => p.Role == "patient");
        Assert.Equal(["Simpson"], homer.FamilyNames);
    }

    [FhirServerFact]
    public async Task FetchAsync_WrongToken_Fails401NamingTheServerButNotTheToken()
    {
        using var client = FhirServerClients.Create();
        var wrong = "wrong-" + Server.Token;

        var ex = await Assert.ThrowsAsync<FhirServerException>(
            () => client.FetchAsync(FhirServerClients.Request(Server.BaseUrl, wrong, "Patient/123"), CancellationToken.None));

        Assert.Equal(FhirServerErrorKind.ErrorStatus, ex.Kind);
        Assert.Equal(401, ex.StatusCode);
        Assert.Equal(Origin, ex.Server);
        Assert.Contains(Origin, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Server.Token, ex.ToString(), StringComparison.Ordinal);
    }

    [FhirServerFact]
    public async Task FetchAsync_NoToken_Fails401()
    {
        using var client = FhirServerClients.Create();

        var ex = await Assert.ThrowsAsync<FhirServerException>(
            () => client.FetchAsync(FhirServerClients.Request(Server.BaseUrl, token: null, "Patient/123"), CancellationToken.None));

        Assert.Equal(401, ex.StatusCode);
    }

    [FhirServerFact]
    public async Task FetchAsync_Server500_FailsWithTheStatusWithoutTheBodyOrTheQuery()
    {
        using var client = FhirServerClients.Create();

        var ex = await Assert.ThrowsAsync<FhirServerException>(
            () => client.FetchAsync(FhirServerClients.Request(Server.BaseUrl, Server.Token, "__fail/500?patient=homer-simpson"), CancellationToken.None));

        Assert.Equal(FhirServerErrorKind.ErrorStatus, ex.Kind);
        Assert.Equal(500, ex.StatusCode);
        Assert.Equal($"The FHIR server {Origin} answered HTTP 500.", ex.Message);
        Assert.DoesNotContain("homer", ex.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Failure requested", ex.ToString(), StringComparison.Ordinal);
    }

    [FhirServerFact]
    public async Task FetchAsync_Server503Once_RetriesOnceAndSucceeds()
    {
        using var client = FhirServerClients.Create();
        var key = Guid.NewGuid().ToString("N");

        var result = await client.FetchAsync(FhirServerClients.Request(Server.BaseUrl, Server.Token, $"__flaky/{key}/Patient/123"), CancellationToken.None);

        Assert.Contains("\"Simpson\"", Assert.Single(result.Resources).Json, StringComparison.Ordinal);
        Assert.Equal(2, (await RequestsAsync()).Count(r => r.Path.Contains(key, StringComparison.Ordinal)));
    }

    [FhirServerFact]
    public async Task FetchAsync_Server503EveryTime_TriesTwiceThenFails()
    {
        using var client = FhirServerClients.Create();
        var marker = Guid.NewGuid().ToString("N");

        var ex = await Assert.ThrowsAsync<FhirServerException>(
            () => client.FetchAsync(FhirServerClients.Request(Server.BaseUrl, Server.Token, $"__fail/503/{marker}"), CancellationToken.None));

        Assert.Equal(503, ex.StatusCode);
        Assert.Equal(2, (await RequestsAsync()).Count(r => r.Path.Contains(marker, StringComparison.Ordinal)));
    }

    [FhirServerFact]
    public async Task FetchAsync_ServerSlowerThanRequestTimeout_FailsWithTimeout()
    {
        using var client = FhirServerClients.Create(new FhirServerOptions { RequestTimeout = TimeSpan.FromMilliseconds(300) });

        var ex = await Assert.ThrowsAsync<FhirServerException>(
            () => client.FetchAsync(FhirServerClients.Request(Server.BaseUrl, Server.Token, "__slow/20000/Patient/123"), CancellationToken.None));

        Assert.Equal(FhirServerErrorKind.Timeout, ex.Kind);
        Assert.Contains(Origin, ex.Message, StringComparison.Ordinal);
    }

    [FhirServerFact]
    public async Task FetchAsync_WholeFetchOverItsDeadline_FailsWithTimeout()
    {
        using var client = FhirServerClients.Create(new FhirServerOptions
        {
            RequestTimeout = TimeSpan.FromMilliseconds(400),
            FetchTimeout = TimeSpan.FromMilliseconds(400),
        });

        var ex = await Assert.ThrowsAsync<FhirServerException>(
            () => client.FetchAsync(FhirServerClients.Request(Server.BaseUrl, Server.Token, "__slow/20000/Patient/123", "Patient/123"), CancellationToken.None));

        Assert.Equal(FhirServerErrorKind.Timeout, ex.Kind);
    }

    [FhirServerFact]
    public async Task FetchAsync_CallerCancels_ThrowsOperationCanceled()
    {
        using var client = FhirServerClients.Create();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => client.FetchAsync(FhirServerClients.Request(Server.BaseUrl, Server.Token, "__slow/20000/Patient/123"), cancel.Token));
    }

    [FhirServerFact]
    public async Task FetchAsync_ChunkedPageOverMaxResponseBytes_FailsTooLarge()
    {
        using var client = FhirServerClients.Create(new FhirServerOptions { MaxResponseBytes = 64 * 1024 });

        var ex = await Assert.ThrowsAsync<FhirServerException>(
            () => client.FetchAsync(FhirServerClients.Request(Server.BaseUrl, Server.Token, "__big/1000000"), CancellationToken.None));

        Assert.Equal(FhirServerErrorKind.TooLarge, ex.Kind);
        Assert.Contains("65536 bytes", ex.Message, StringComparison.Ordinal);
    }

    [FhirServerFact]
    public async Task FetchAsync_SearchPageOverMaxResponseBytes_FailsTooLarge()
    {
        using var client = FhirServerClients.Create(new FhirServerOptions { MaxResponseBytes = 1024 });

        var ex = await Assert.ThrowsAsync<FhirServerException>(
            () => client.FetchAsync(FhirServerClients.Request(Server.BaseUrl, Server.Token, "Observation?subject=Patient/123&_count=8"), CancellationToken.None));

        Assert.Equal(FhirServerErrorKind.TooLarge, ex.Kind);
    }

    [FhirServerFact]
    public async Task FetchAsync_RedirectToAnotherHost_IsRefusedAndTheTokenNeverSentThere()
    {
        using var client = FhirServerClients.Create();

        var ex = await Assert.ThrowsAsync<FhirServerException>(
            () => client.FetchAsync(FhirServerClients.Request(Server.BaseUrl, Server.Token, "__redirect/other/Patient/123"), CancellationToken.None));

        Assert.Equal(FhirServerErrorKind.RefusedRedirect, ex.Kind);
        Assert.DoesNotContain(await RequestsAsync(), r => r.Host.StartsWith("localhost", StringComparison.Ordinal));
    }

    [FhirServerFact]
    public async Task FetchAsync_RedirectWithinTheServer_IsFollowed()
    {
        using var client = FhirServerClients.Create();

        var result = await client.FetchAsync(FhirServerClients.Request(Server.BaseUrl, Server.Token, "__redirect/same/Patient/123"), CancellationToken.None);

        Assert.Contains("\"Simpson\"", Assert.Single(result.Resources).Json, StringComparison.Ordinal);
    }

    [FhirServerFact]
    public async Task FetchAsync_HtmlAnswer_FailsNotFhir()
    {
        using var client = FhirServerClients.Create();

        var ex = await Assert.ThrowsAsync<FhirServerException>(
            () => client.FetchAsync(FhirServerClients.Request(Server.BaseUrl, Server.Token, "__notfhir"), CancellationToken.None));

        Assert.Equal(FhirServerErrorKind.NotFhir, ex.Kind);
    }

    [FhirServerFact]
    public async Task FetchAsync_QueryLeavingTheBase_IsRefusedBeforeAnyRequest()
    {
        using var client = FhirServerClients.Create();

        var ex = await Assert.ThrowsAsync<FhirServerException>(
            () => client.FetchAsync(FhirServerClients.Request(Server.BaseUrl, Server.Token, "../../__requests"), CancellationToken.None));

        Assert.Equal(FhirServerErrorKind.RefusedAddress, ex.Kind);
    }

    [FhirServerFact]
    public async Task FetchAsync_NameResolvingToLoopback_IsAllowed()
    {
        using var client = FhirServerClients.Create(resolve: (_, _) => Task.FromResult(new[] { IPAddress.Loopback }));
        var baseUrl = Server.BaseUrl.Replace("127.0.0.1", "ehr.test", StringComparison.Ordinal);

        var result = await client.FetchAsync(FhirServerClients.Request(baseUrl, Server.Token, "Patient/123"), CancellationToken.None);

        Assert.Contains("\"Simpson\"", Assert.Single(result.Resources).Json, StringComparison.Ordinal);
    }

    private string Origin => $"http://127.0.0.1:{Server.Port}";

    private static List<string> EntryIds(JsonDocument bundle) =>
        [.. bundle.RootElement.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("resource").GetProperty("id").GetString()!)];

    private async Task<List<SeenRequest>> RequestsAsync()
    {
        using var http = new HttpClient();
        var json = await http.GetStringAsync(new Uri($"{Origin}/__requests"));
        return JsonSerializer.Deserialize<List<SeenRequest>>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    private sealed record SeenRequest(string Host, string Path, bool Bearer);
}
