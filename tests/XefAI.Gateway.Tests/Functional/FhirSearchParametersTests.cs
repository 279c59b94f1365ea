using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using XefAI.Testing;
using R4 = Hl7.Fhir.Model;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// The search result parameters FHIR clients send (HAPI, fhir-kit-client, Firely): <c>_summary=count</c>, <c>_total</c>,
/// <c>_sort</c>, <c>_elements</c>, and <c>POST _search</c> with a form, against the running gateway. Each test searches
/// the records of its own patient, so the searches see only the calls the test made.
/// </summary>
public sealed class FhirSearchParametersTests(FhirSearchParametersTests.Gateway fixture) : IClassFixture<FhirSearchParametersTests.Gateway>
{
    private const string FhirJson = "application/fhir+json";

    [Fact]
    public async Task SummaryCount_ThreeMatches_SearchsetWithTotalAndNoEntries()
    {
        var (pseudonym, _) = await CallsForPatientAsync("count-patient", 3);
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);

        var search = await admin.GetCallAsync($"/fhir/AuditEvent?patient={pseudonym}&_summary=count");

        Assert.Equal(200, search.Status);
        Assert.Equal(FhirJson, search.Response.Content.Headers.ContentType?.MediaType);
        var bundle = FhirR4Validation.ParseValid<R4.Bundle>(Encoding.UTF8.GetString(search.ResponseBody));
        Assert.Equal(R4.Bundle.BundleType.Searchset, bundle.Type);
        Assert.Equal(3, bundle.Total);
        Assert.Empty(bundle.Entry);
        Assert.EndsWith($"/fhir/AuditEvent?_summary=count&patient={pseudonym}", bundle.SelfLink!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Total_AccurateOnAPagedSearch_CountsEveryMatchNoneLeavesItOut()
    {
        var (pseudonym, _) = await CallsForPatientAsync("total-patient", 3);
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);

        var accurate = Bundle(await admin.GetCallAsync($"/fhir/AuditEvent?patient={pseudonym}&_count=1&_total=accurate"));
        var estimate = Bundle(await admin.GetCallAsync($"/fhir/AuditEvent?patient={pseudonym}&_count=1&_total=estimate"));
        var none = Bundle(await admin.GetCallAsync($"/fhir/AuditEvent?patient={pseudonym}&_total=none"));
        var asBefore = Bundle(await admin.GetCallAsync($"/fhir/AuditEvent?patient={pseudonym}&_count=1"));

        Assert.Equal(3, accurate.Total);
        Assert.Single(accurate.Entry);
        Assert.Contains("_total=accurate", accurate.NextLink!.ToString(), StringComparison.Ordinal);
        Assert.Equal(3, estimate.Total);
        Assert.Null(none.Total);
        Assert.Equal(3, none.Entry.Count);

        // Without _total a paged search still gives none: counting costs a query, asked for only.
        Assert.Null(asBefore.Total);

        // The next page counts the whole search too, not what is left of it.
        var second = Bundle(await admin.GetCallAsync(new Uri(accurate.NextLink!.ToString()).PathAndQuery));
        Assert.Equal(3, second.Total);
    }

    [Fact]
    public async Task Sort_DateAndMinusDate_PageOldestOrNewestFirstThroughNextLinks()
    {
        var (pseudonym, auditIds) = await CallsForPatientAsync("sort-patient", 3);
        var oldestFirst = auditIds.Select(id => id.Replace('_', '-')).ToList();
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);

        var ascending = await FollowAsync(admin, $"/fhir/AuditEvent?patient={pseudonym}&_sort=date&_count=2");
        var descending = await FollowAsync(admin, $"/fhir/AuditEvent?patient={pseudonym}&_sort=-date&_count=2");

        Assert.Equal(oldestFirst, ascending);
        Assert.Equal(oldestFirst.AsEnumerable().Reverse(), descending);
    }

    [Fact]
    public async Task Elements_Outcome_OnlyItAndTheMandatoryElementsTaggedSubsetted()
    {
        var (pseudonym, _) = await CallsForPatientAsync("elements-patient", 1);
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);

        var search = await admin.GetCallAsync($"/fhir/AuditEvent?patient={pseudonym}&_elements=outcome");

        Assert.Equal(200, search.Status);
        var json = Encoding.UTF8.GetString(search.ResponseBody);
        var bundle = FhirR4Validation.ParseValid<R4.Bundle>(json);
        var auditEvent = Assert.IsType<R4.AuditEvent>(Assert.Single(bundle.Entry).Resource);
        Assert.Equal(R4.AuditEvent.AuditEventOutcome.N0, auditEvent.Outcome);
        Assert.Empty(auditEvent.Entity);
        Assert.NotNull(auditEvent.Type);
        Assert.NotEmpty(auditEvent.Agent);
        Assert.Contains(auditEvent.Meta!.Tag, t => t.System == "http://terminology.hl7.org/CodeSystem/v3-ObservationValue" && t.Code == "SUBSETTED");
        var resource = JsonNode.Parse(json)!["entry"]![0]!["resource"]!.AsObject();
        Assert.Equal(
            new[] { "agent", "id", "meta", "outcome", "recorded", "resourceType", "source", "type" },
            resource.Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task PostSearch_FormParameters_SameMatchesAsGetWithGetLinksThatWork()
    {
        var (pseudonym, auditIds) = await CallsForPatientAsync("post-patient", 2);
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);

        using var form = new FormUrlEncodedContent([new("patient", pseudonym), new("_count", "1")]);
        using var response = await admin.PostAsync(new Uri("/fhir/AuditEvent/_search", UriKind.Relative), form);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(FhirJson, response.Content.Headers.ContentType?.MediaType);
        var first = FhirR4Validation.ParseValid<R4.Bundle>(await response.Content.ReadAsStringAsync());
        Assert.Equal(auditIds[^1].Replace('_', '-'), Assert.Single(first.Entry).Resource!.Id);
        Assert.EndsWith($"/fhir/AuditEvent?_count=1&patient={pseudonym}", first.SelfLink!.ToString(), StringComparison.Ordinal);
        Assert.EndsWith($"/fhir/AuditEvent/{auditIds[^1].Replace('_', '-')}", first.Entry[0].FullUrl, StringComparison.Ordinal);
        var second = Bundle(await admin.GetCallAsync(new Uri(first.NextLink!.ToString()).PathAndQuery));
        Assert.Equal(auditIds[0].Replace('_', '-'), Assert.Single(second.Entry).Resource!.Id);
        Assert.Null(second.NextLink);
    }

    [Fact]
    public async Task PostSearch_UrlAndFormParameters_AreOneSearch()
    {
        var (pseudonym, _) = await CallsForPatientAsync("mixed-patient", 2);
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);

        using var form = new FormUrlEncodedContent([new("patient", pseudonym)]);
        using var response = await admin.PostAsync(new Uri("/fhir/AuditEvent/_search?_summary=count", UriKind.Relative), form);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(2, FhirR4Validation.ParseValid<R4.Bundle>(await response.Content.ReadAsStringAsync()).Total);
    }

    [Fact]
    public async Task PostSearch_JsonBody_415OperationOutcome()
    {
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);
        using var body = new StringContent("""{"patient":"pp-x"}""", Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

        using var response = await admin.PostAsync(new Uri("/fhir/AuditEvent/_search", UriKind.Relative), body);

        Assert.Equal(415, (int)response.StatusCode);
        var outcome = FhirR4Validation.ParseValid<R4.OperationOutcome>(await response.Content.ReadAsStringAsync());
        Assert.Equal(R4.OperationOutcome.IssueType.NotSupported, Assert.Single(outcome.Issue).Code);
    }

    [Theory]
    [InlineData("_sort=_lastUpdated", "not-supported", "'_lastUpdated'")]
    [InlineData("_sort=-recorded", "not-supported", "'-recorded'")]
    [InlineData("_sort=date,-date", "not-supported", "'date,-date'")]
    [InlineData("_sort=mrn-4471923", "not-supported", "(unprintable)")]
    [InlineData("_total=maybe", "invalid", "'maybe'")]
    [InlineData("_summary=true", "not-supported", "'true'")]
    [InlineData("_summary=text", "not-supported", "'text'")]
    [InlineData("_elements=outcome,nonsense", "invalid", "'nonsense'")]
    public async Task Search_UnsupportedResultParameter_400OperationOutcomeNamingTheValue(string query, string code, string named)
    {
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);

        var search = await admin.GetCallAsync($"/fhir/AuditEvent?{query}");

        Assert.Equal(400, search.Status);
        var outcome = FhirR4Validation.ParseValid<R4.OperationOutcome>(Encoding.UTF8.GetString(search.ResponseBody));
        var issue = Assert.Single(outcome.Issue);
        Assert.Equal(code, R4.OperationOutcome.IssueType.Invalid == issue.Code ? "invalid" : "not-supported");
        Assert.Contains(named, issue.Diagnostics, StringComparison.Ordinal);
        Assert.DoesNotContain("4471923", issue.Diagnostics, StringComparison.Ordinal);
    }

    private static R4.Bundle Bundle(GatewayCall call)
    {
        Assert.Equal(200, call.Status);
        return FhirR4Validation.ParseValid<R4.Bundle>(Encoding.UTF8.GetString(call.ResponseBody));
    }

    /// <summary>The ids of a search's entries, page after page through its next links.</summary>
    private static async Task<List<string>> FollowAsync(HttpClient admin, string path)
    {
        var ids = new List<string>();
        for (string? next = path; next is not null;)
        {
            var bundle = Bundle(await admin.GetCallAsync(next));
            ids.AddRange(bundle.Entry.Select(e => e.Resource!.Id!));
            next = bundle.NextLink is { } link ? new Uri(link.ToString()).PathAndQuery : null;
        }

        return ids;
    }

    /// <summary>Calls about one patient, one after another: the patient's pseudonym and the calls' audit ids, oldest first.</summary>
    private async Task<(string Pseudonym, List<string> AuditIds)> CallsForPatientAsync(string patient, int calls)
    {
        using var client = fixture.Host.CreateClient();
        var bundle = TestBundles.Diabetic.Replace("example-patient", patient, StringComparison.Ordinal);
        var body = new JsonObject
        {
            ["model"] = "summary",
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = bundle }),
        }.ToJsonString();
        var ids = new List<string>();
        for (var i = 0; i < calls; i++)
        {
            var call = await client.PostChatAsync(body);
            Assert.Equal(200, call.Status);
            ids.Add(call.Header("X-XefAI-Audit-Id")!);
        }

        var pseudonym = (string)(await fixture.Host.GetAuditRecordAsync(ids[0]))["patientPseudonym"]!;
        return (pseudonym, ids);
    }

    /// <summary>One gateway with the default use cases.</summary>
    public sealed class Gateway : IAsyncLifetime
    {
        public GatewayHost Host { get; private set; } = null!;

        public async Task InitializeAsync() => Host = await GatewayHost.StartAsync();

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }
}
