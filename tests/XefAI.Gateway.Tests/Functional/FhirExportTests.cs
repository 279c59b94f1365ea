using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;
using R4 = Hl7.Fhir.Model;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// The audit trail as FHIR R4, read from the running gateway: AuditEvent search and read, Provenance of AI
/// answers. Every resource served is parsed strictly and validated with the Firely SDK.
/// </summary>
public sealed class FhirExportTests(FhirExportTests.FhirGateway fixture) : IClassFixture<FhirExportTests.FhirGateway>
{
    private const string FhirJson = "application/fhir+json";
    private const string Note = "Stable overnight. Discharged home with follow-up in one week.";

    [Fact]
    public async Task SearchAuditEvents_DateAndPseudonym_ValidSearchsetWithThePatientsCallsOnly()
    {
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        using var client = fixture.Host.CreateClient();
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);
        var call = await client.PostChatAsync(BundleChat("summary", TestBundles.Diabetic.Replace("example-patient", "search-patient", StringComparison.Ordinal)));
        await client.PostChatAsync(ChatBody("summary", Note));
        var auditId = call.Header("X-XefAI-Audit-Id")!;
        var pseudonym = (string)(await fixture.Host.GetAuditRecordAsync(auditId))["patientPseudonym"]!;

        var search = await admin.GetCallAsync($"/fhir/AuditEvent?date=ge{today}&patient={pseudonym}");

        Assert.Equal(200, search.Status);
        Assert.Equal(FhirJson, search.Response.Content.Headers.ContentType?.MediaType);
        var json = Encoding.UTF8.GetString(search.ResponseBody);
        Assert.DoesNotContain("search-patient", json, StringComparison.Ordinal);
        var bundle = FhirR4Validation.ParseValid<R4.Bundle>(json);
        Assert.Equal(R4.Bundle.BundleType.Searchset, bundle.Type);
        Assert.Equal(1, bundle.Total);
        var entry = Assert.Single(bundle.Entry);
        Assert.Equal(R4.Bundle.SearchEntryMode.Match, entry.Search!.Mode);
        var auditEvent = Assert.IsType<R4.AuditEvent>(entry.Resource);
        Assert.Equal(auditId.Replace('_', '-'), auditEvent.Id);
        Assert.EndsWith($"/fhir/AuditEvent/{auditEvent.Id}", entry.FullUrl, StringComparison.Ordinal);
        Assert.Equal(R4.AuditEvent.AuditEventOutcome.N0, auditEvent.Outcome);
        Assert.Contains(auditEvent.Entity, e => e.What?.Identifier?.Value == pseudonym && e.What.Type == "Patient");
        Assert.Contains(auditEvent.Entity, e => e.What?.Identifier?.Value == call.Header("X-XefAI-Trace-Id"));
        Assert.Contains(auditEvent.Agent, a => a.Who?.Identifier?.Value == "test-app");
        var self = Assert.Single(bundle.Link, l => l.Relation == "self");
        Assert.EndsWith($"/fhir/AuditEvent?date=ge{today}&patient={pseudonym}", self.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchAuditEvents_RealPatientReference_FindsTheSameRecordsAsThePseudonym()
    {
        using var client = fixture.Host.CreateClient();
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);
        var bundleText = TestBundles.Diabetic.Replace("example-patient", "reference-patient", StringComparison.Ordinal);
        var first = await client.PostChatAsync(BundleChat("summary", bundleText));
        var second = await client.PostChatAsync(BundleChat("summary", bundleText));
        var pseudonym = (string)(await fixture.Host.GetAuditRecordAsync(first.Header("X-XefAI-Audit-Id")!))["patientPseudonym"]!;

        var byReference = await admin.GetCallAsync($"/fhir/AuditEvent?patient={Uri.EscapeDataString("Patient/reference-patient")}");
        var byPseudonym = await admin.GetCallAsync($"/fhir/AuditEvent?patient={pseudonym}");

        Assert.Equal(200, byReference.Status);
        var found = FhirR4Validation.ParseValid<R4.Bundle>(Encoding.UTF8.GetString(byReference.ResponseBody)).Entry.Select(e => e.Resource!.Id!).Order().ToList();
        var expected = new[] { first, second }.Select(c => c.Header("X-XefAI-Audit-Id")!.Replace('_', '-')).Order().ToList();
        Assert.Equal(expected, found);
        Assert.Equal(found, FhirR4Validation.ParseValid<R4.Bundle>(Encoding.UTF8.GetString(byPseudonym.ResponseBody)).Entry.Select(e => e.Resource!.Id!).Order());
        Assert.DoesNotContain("reference-patient", Encoding.UTF8.GetString(byReference.ResponseBody), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchAuditEvents_FutureDate_EmptySearchset()
    {
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);

        var search = await admin.GetCallAsync("/fhir/AuditEvent?date=ge2999-01-01");

        Assert.Equal(200, search.Status);
        var bundle = FhirR4Validation.ParseValid<R4.Bundle>(Encoding.UTF8.GetString(search.ResponseBody));
        Assert.Equal(0, bundle.Total);
        Assert.Empty(bundle.Entry);
    }

    [Theory]
    [InlineData("/fhir/auditevent?date=ge2999-01-01")]
    [InlineData("/FHIR/AUDITEVENT?date=ge2999-01-01")]
    [InlineData("/fhir/AuditEvent/?date=ge2999-01-01")]
    public async Task SearchAuditEvents_PathInAnotherCaseOrWithTrailingSlash_SearchsetWithTheCanonicalSelfLink(string path)
    {
        // Found by hostile testing, round 18: routing matched any case, the exporter wanted "/AuditEvent": a 500.
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);

        var search = await admin.GetCallAsync(path);

        Assert.Equal(200, search.Status);
        var bundle = FhirR4Validation.ParseValid<R4.Bundle>(Encoding.UTF8.GetString(search.ResponseBody));
        Assert.EndsWith("/fhir/AuditEvent?date=ge2999-01-01", bundle.SelfLink!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchAuditEvents_PublicBaseUrlSet_LinksIgnoreTheRequestsHostHeader()
    {
        // Found by hostile testing, round 18: the links followed the Host header, so a request naming another host
        // got a next link (which a client follows with its admin key) pointing there.
        await using var gateway = await GatewayHost.StartAsync(c => c["Gateway"]!["PublicBaseUrl"] = "https://ai-gateway.example.org/");
        using var client = gateway.CreateClient();
        using var admin = gateway.CreateClient(GatewayHost.AdminKey);
        await client.PostChatAsync(ChatBody("summary", Note));
        await client.PostChatAsync(ChatBody("summary", Note));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/fhir/AuditEvent?_count=1", UriKind.Relative));
        request.Headers.Host = "evil.example";

        using var response = await admin.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var json = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("evil.example", json, StringComparison.Ordinal);
        var bundle = FhirR4Validation.ParseValid<R4.Bundle>(json);
        Assert.StartsWith("https://ai-gateway.example.org/fhir/AuditEvent?", bundle.SelfLink!.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("https://ai-gateway.example.org/fhir/AuditEvent?", bundle.NextLink!.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("https://ai-gateway.example.org/fhir/AuditEvent/", Assert.Single(bundle.Entry).FullUrl, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ai-gateway.example.org")]
    [InlineData("ftp://ai-gateway.example.org")]
    [InlineData("https://ai-gateway.example.org/?x=1")]
    public void PublicBaseUrl_NotAnAbsoluteHttpUrl_Refused(string value)
    {
        var result = new XefAI.Gateway.Configuration.GatewayOptionsValidator().Validate(null, new XefAI.Gateway.Configuration.GatewayOptions { PublicBaseUrl = value });

        Assert.True(result.Failed);
        Assert.Contains("Gateway:PublicBaseUrl must be an absolute http(s) URL", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchAuditEvents_TrailWithGovernanceActionsAndRefusals_EveryRecordExportsValid()
    {
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        using var client = fixture.Host.CreateClient();
        using var anonymous = fixture.Host.CreateClient(key: null);
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);
        var held = await client.PostChatAsync(ChatBody("triage", Note));
        await admin.PostJsonAsync($"/admin/reviews/{(string)held.Json["id"]!}/approve", """{"comment":"ok"}""");
        await client.PostChatAsync(ChatBody("suspended-case", Note));
        await anonymous.PostChatAsync(ChatBody("summary", Note));
        await anonymous.PostJsonAsync("/admin/use-cases/summary/suspend", """{"reason":"no key"}""");
        await admin.PostJsonAsync("/admin/use-cases/summary/suspend", "{}");
        await client.PostChatAsync("""{"model":"summary","stream":true,"messages":[{"role":"user","content":"Stable. Home."}]}""");

        var search = await admin.GetCallAsync($"/fhir/AuditEvent?date=ge{today}&_count=1000");

        Assert.Equal(200, search.Status);
        var bundle = FhirR4Validation.ParseValid<R4.Bundle>(Encoding.UTF8.GetString(search.ResponseBody));
        var decisions = bundle.Entry
            .Select(e => ((R4.AuditEvent)e.Resource!).Entity.SelectMany(x => x.Detail).Where(d => d.Type == "decision").Select(d => ((R4.FhirString)d.Value!).Value!).Single())
            .ToHashSet();
        Assert.All(new[] { "answered", "held", "review-approved", "denied", "admin-refused", "streaming" }, d => Assert.Contains(d, decisions));
    }

    [Fact]
    public async Task ReadAuditEvent_ByResourceIdOrAuditId_ValidAuditEvent()
    {
        using var client = fixture.Host.CreateClient();
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);
        var auditId = (await client.PostChatAsync(ChatBody("summary", Note))).Header("X-XefAI-Audit-Id")!;

        var byResourceId = await admin.GetCallAsync($"/fhir/AuditEvent/{auditId.Replace('_', '-')}");
        var byAuditId = await admin.GetCallAsync($"/fhir/AuditEvent/{auditId}");

        Assert.Equal(200, byResourceId.Status);
        Assert.Equal(FhirJson, byResourceId.Response.Content.Headers.ContentType?.MediaType);
        var auditEvent = FhirR4Validation.ParseValid<R4.AuditEvent>(Encoding.UTF8.GetString(byResourceId.ResponseBody));
        Assert.Equal(auditId.Replace('_', '-'), auditEvent.Id);
        Assert.Equal(byResourceId.ResponseSha256, byAuditId.ResponseSha256);
    }

    [Fact]
    public async Task ReadProvenance_StreamedAnswer_ReachableByTheAuditIdTheAppReceived()
    {
        using var client = fixture.Host.CreateClient();
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);
        var call = await client.PostChatAsync("""{"model":"summary","stream":true,"messages":[{"role":"user","content":"Stable. Discharge home."}]}""");
        var auditId = call.Header("X-XefAI-Audit-Id")!;

        var read = await admin.GetCallAsync($"/fhir/Provenance/{auditId}");

        Assert.Equal(200, read.Status);
        var provenance = FhirR4Validation.ParseValid<R4.Provenance>(Encoding.UTF8.GetString(read.ResponseBody));
        Assert.Contains(provenance.Reason, r => r.Coding.Any(c => c.Code == "AIAST"));
        Assert.Equal("xefai-local-extractive", Assert.Single(Assert.IsType<R4.Device>(Assert.Single(provenance.Contained)).DeviceName).Name);
    }

    [Fact]
    public async Task ReadProvenance_AnsweredCall_AiAssertedByModelDeviceWithInputAndOutput()
    {
        using var client = fixture.Host.CreateClient();
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);
        var call = await client.PostChatAsync(BundleChat("summary", TestBundles.Diabetic));
        var auditId = call.Header("X-XefAI-Audit-Id")!;
        var record = await fixture.Host.GetAuditRecordAsync(auditId);

        var read = await admin.GetCallAsync($"/fhir/Provenance/{auditId}");

        Assert.Equal(200, read.Status);
        Assert.Equal(FhirJson, read.Response.Content.Headers.ContentType?.MediaType);
        var provenance = FhirR4Validation.ParseValid<R4.Provenance>(Encoding.UTF8.GetString(read.ResponseBody));
        Assert.Equal(auditId.Replace('_', '-'), provenance.Id);
        Assert.Contains(provenance.Reason, r => r.Coding.Any(c => c.Code == "AIAST"));
        var device = Assert.IsType<R4.Device>(Assert.Single(provenance.Contained));
        Assert.Contains(device.Type!.Coding, c => c.Code == "Artificial-Intelligence");
        Assert.Equal("xefai-local-extractive", Assert.Single(device.DeviceName).Name);
        Assert.Equal("local", Assert.Single(device.Identifier).Value);
        var author = Assert.Single(provenance.Agent);
        Assert.Contains(author.Type!.Coding, c => c.Code == "author");
        Assert.Equal("#" + device.Id, author.Who!.Reference);
        var target = Assert.Single(provenance.Target);
        Assert.Equal(auditId, target.Identifier!.Value);
        Assert.Equal(call.ResponseSha256, ((R4.FhirString)Assert.Single(target.Extension).Value!).Value);
        Assert.Contains(provenance.Entity, e => e.Role == R4.Provenance.ProvenanceEntityRole.Source && e.What?.Identifier?.Value == call.RequestSha256);
        var patient = Assert.Single(provenance.Extension);
        Assert.Equal((string?)record["patientPseudonym"], ((R4.ResourceReference)patient.Value!).Identifier!.Value);
        Assert.DoesNotContain("example-patient", Encoding.UTF8.GetString(read.ResponseBody), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadProvenance_HeldAnswerAfterApproval_HasVerifierByAuditIdAndResourceId()
    {
        using var client = fixture.Host.CreateClient();
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);
        var call = await client.PostChatAsync(ChatBody("triage", Note));
        var auditId = call.Header("X-XefAI-Audit-Id")!;
        var before = FhirR4Validation.ParseValid<R4.Provenance>(Encoding.UTF8.GetString((await admin.GetCallAsync($"/fhir/Provenance/{auditId}")).ResponseBody));
        Assert.DoesNotContain(before.Agent, a => a.Type!.Coding.Any(c => c.Code == "verifier"));

        Assert.Equal(200, (await admin.PostJsonAsync($"/admin/reviews/{(string)call.Json["id"]!}/approve", """{"comment":"ok"}""")).Status);

        foreach (var id in new[] { auditId, auditId.Replace('_', '-') })
        {
            var read = await admin.GetCallAsync($"/fhir/Provenance/{id}");
            Assert.Equal(200, read.Status);
            var provenance = FhirR4Validation.ParseValid<R4.Provenance>(Encoding.UTF8.GetString(read.ResponseBody));
            var verifier = Assert.Single(provenance.Agent, a => a.Type!.Coding.Any(c => c.Code == "verifier"));
            Assert.Equal("test-admin", verifier.Who!.Identifier!.Value);
            Assert.IsType<R4.Period>(provenance.Occurred);
        }
    }

    [Fact]
    public async Task ReadProvenance_UnknownOrRefusedCall_404OperationOutcome()
    {
        using var client = fixture.Host.CreateClient();
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);
        var refused = await client.PostChatAsync(ChatBody("suspended-case", Note));

        foreach (var path in new[]
        {
            "/fhir/Provenance/aud-00000000000000000000000000",
            $"/fhir/Provenance/{refused.Header("X-XefAI-Audit-Id")}",
            "/fhir/AuditEvent/aud-00000000000000000000000000",
        })
        {
            var read = await admin.GetCallAsync(path);

            Assert.Equal(404, read.Status);
            Assert.Equal(FhirJson, read.Response.Content.Headers.ContentType?.MediaType);
            var outcome = FhirR4Validation.ParseValid<R4.OperationOutcome>(Encoding.UTF8.GetString(read.ResponseBody));
            var issue = Assert.Single(outcome.Issue);
            Assert.Equal(R4.OperationOutcome.IssueType.NotFound, issue.Code);
            Assert.Equal(R4.OperationOutcome.IssueSeverity.Error, issue.Severity);
        }
    }

    [Theory]
    [InlineData("date=ge2026-13-45")]
    [InlineData("date=yesterday")]
    [InlineData("date=xx2026-01-01")]
    [InlineData("_count=0")]
    public async Task SearchAuditEvents_BadParameter_400OperationOutcome(string query)
    {
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);

        var search = await admin.GetCallAsync($"/fhir/AuditEvent?{query}");

        Assert.Equal(400, search.Status);
        Assert.Equal(FhirJson, search.Response.Content.Headers.ContentType?.MediaType);
        var outcome = FhirR4Validation.ParseValid<R4.OperationOutcome>(Encoding.UTF8.GetString(search.ResponseBody));
        var issue = Assert.Single(outcome.Issue);
        Assert.Equal(R4.OperationOutcome.IssueType.Invalid, issue.Code);
        Assert.False(string.IsNullOrWhiteSpace(issue.Diagnostics));
    }

    [Fact]
    public async Task Metadata_AsFhirClientsAskFirst_ValidCapabilityStatementOfTheServedRoutes()
    {
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);

        // What HAPI's generic client and fhir-kit-client's capabilityStatement() send before their first search.
        var metadata = await admin.GetCallAsync("/fhir/metadata?_format=json");

        Assert.Equal(200, metadata.Status);
        Assert.Equal(FhirJson, metadata.Response.Content.Headers.ContentType?.MediaType);
        var statement = FhirR4Validation.ParseValid<R4.CapabilityStatement>(Encoding.UTF8.GetString(metadata.ResponseBody));
        Assert.Equal(R4.FHIRVersion.N4_0_1, statement.FhirVersion);
        Assert.Equal(new[] { "json" }, statement.Format);
        var rest = Assert.Single(statement.Rest);
        var auditEvent = Assert.Single(rest.Resource, r => r.Type == "AuditEvent");
        Assert.Equal(
            new[] { R4.CapabilityStatement.TypeRestfulInteraction.Read, R4.CapabilityStatement.TypeRestfulInteraction.SearchType },
            auditEvent.Interaction.Select(i => i.Code!.Value).Order());
        Assert.Equal(new[] { "date", "patient" }, auditEvent.SearchParam.Select(p => p.Name).Order());
        var provenance = Assert.Single(rest.Resource, r => r.Type == "Provenance");
        Assert.Equal(R4.CapabilityStatement.TypeRestfulInteraction.Read, Assert.Single(provenance.Interaction).Code);
        Assert.Equal(400, (await admin.GetCallAsync("/fhir/metadata?_format=xml")).Status);
    }

    [Theory]
    [InlineData("application/fhir+xml", 406)]
    [InlineData("application/xml, text/xml;q=0.9", 406)]
    [InlineData("application/fhir+json, application/fhir+xml;q=0.5", 200)]
    [InlineData("application/fhir+xml, */*;q=0.1", 200)]
    [InlineData("application/json", 200)]
    [InlineData("application/fhir+json;q=0, application/xml", 406)]
    public async Task Search_AcceptingNoJson_406InFhirsErrorShape(string accept, int status)
    {
        // Such a client got 200 and a JSON body it had not asked for (found with FHIR clients, hostile round 24).
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/fhir/AuditEvent?_count=1");
        request.Headers.TryAddWithoutValidation("Accept", accept);

        using var response = await admin.SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(FhirJson, response.Content.Headers.ContentType?.MediaType);
        if (status == 406)
        {
            var outcome = FhirR4Validation.ParseValid<R4.OperationOutcome>(await response.Content.ReadAsStringAsync());
            Assert.Equal(R4.OperationOutcome.IssueType.NotSupported, Assert.Single(outcome.Issue).Code);
        }
    }

    [Fact]
    public async Task Fhir_WithoutAdminKey_401()
    {
        using var client = fixture.Host.CreateClient();

        var search = await client.GetCallAsync("/fhir/AuditEvent");

        Assert.Equal(401, search.Status);
    }

    private static string BundleChat(string useCase, string bundle) => new JsonObject
    {
        ["model"] = useCase,
        ["messages"] = new JsonArray(
            new JsonObject { ["role"] = "system", ["content"] = "Summarize the patient's chart." },
            new JsonObject { ["role"] = "user", ["content"] = bundle }),
    }.ToJsonString();

    /// <summary>One gateway with the default use cases and a tier-4 use case whose answers are held.</summary>
    public sealed class FhirGateway : IAsyncLifetime
    {
        public GatewayHost Host { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Host = await GatewayHost.StartAsync(c => c.AddTier4UseCase("triage", "Chest pain triage", "local", "test-app"));
            await Host.ActivateTier4Async("triage");
        }

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }
}
