using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using XefAI.Testing;
using Device = Hl7.Fhir.Model.Device;
using FhirString = Hl7.Fhir.Model.FhirString;
using OperationOutcome = Hl7.Fhir.Model.OperationOutcome;
using Provenance = Hl7.Fhir.Model.Provenance;
using ResourceReference = Hl7.Fhir.Model.ResourceReference;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// Issue 8 item 5, <c>POST /v1/use-cases/{id}/invoke</c>, through a real host: Bundles as other systems export them are
/// accepted with their recoverable problems reported, the use case's prompt template (not the Bundle) is what the vendor
/// is sent, the answer carries its audit id and a valid FHIR Provenance, and bad input is an OperationOutcome that
/// reaches no vendor and is audited.
/// </summary>
public sealed class ClinicalTaskTests(ClinicalTaskTests.Fixture gateway) : IClassFixture<ClinicalTaskTests.Fixture>
{
    private const string VendorTask = "vendor-discharge";
    private const string LocalTask = "local-chart";
    private const string HeldTask = "held-discharge";
    private const int MaxBundleEntries = 20;

    public static TheoryData<string, string?, string?, string, int, string, string> BadInputs => new()
    {
        // case, query, content type, body, status, gateway code, OperationOutcome issue type
        { "not a Bundle", null, "application/fhir+json", """{"resourceType":"Patient","gender":"female"}""", 400, "not_a_bundle", "structure" },
        { "unknown resource type", null, "application/fhir+json", Bundle("""{"resource":{"resourceType":"Pateint","gender":"female"}}"""), 400, "unknown_resource_type", "structure" },
        { "over the entry limit", null, "application/fhir+json", Bundle(Enumerable.Repeat("""{"resource":{"resourceType":"Basic","code":{"text":"x"}}}""", MaxBundleEntries + 1).ToArray()), 400, "bundle_too_large", "too-long" },
        { "task parameter not a string", null, "application/json", $$$"""{"bundle":{{{TestBundles.SyntheaStyle}}},"parameters":{"audience":3}}""", 400, "invalid_type", "invalid" },
        { "undeclared task parameter", "focus=diabetes", "application/fhir+json", TestBundles.SyntheaStyle, 400, "prompt_parameter_undeclared", "invalid" },
        { "reference the gateway cannot fetch", null, "application/fhir+json", """{"resourceType":"Bundle","type":"batch","entry":[{"request":{"method":"GET","url":"Patient/123"}}]}""", 400, "unresolved_reference", "not-supported" },
        { "not JSON", null, "application/fhir+json", "resourceType=Bundle", 400, "invalid_json", "structure" },
        { "structural garbage", null, "application/fhir+json", Bundle("""{"resource":{"resourceType":"Patient","name":"Ines Duarte"}}"""), 400, "invalid_fhir", "structure" },
        { "FHIR XML", null, "application/fhir+xml", "<Bundle xmlns=\"http://hl7.org/fhir\"/>", 415, "unsupported_media_type", "not-supported" },
        { "Bundle without resources", null, "application/fhir+json", """{"resourceType":"Bundle","type":"collection"}""", 400, "empty_bundle", "required" },
        { "max tokens not a positive number", "_max_tokens=0", "application/fhir+json", TestBundles.SyntheaStyle, 400, "invalid_value", "invalid" },
        { "envelope with query parameters", "audience=patient", "application/json", $$$"""{"bundle":{{{TestBundles.SyntheaStyle}}}}""", 400, "unexpected_query_parameter", "invalid" },
        { "two patients", null, "application/fhir+json", Bundle("""{"resource":{"resourceType":"Patient","id":"a1","gender":"female"}}""", """{"resource":{"resourceType":"Patient","id":"b2","gender":"male"}}"""), 400, "multiple_patients", "invalid" },
        { "a resource about another patient", null, "application/fhir+json", Bundle("""{"resource":{"resourceType":"Patient","id":"a1","gender":"female"}}""", """{"resource":{"resourceType":"Condition","subject":{"reference":"Patient/b2"},"code":{"text":"asthma"}}}"""), 400, "multiple_patients", "invalid" },
        { "two patients without ids", null, "application/json", "{\"bundle\":" + Bundle("""{"resource":{"resourceType":"Patient","gender":"female"}}""", """{"resource":{"resourceType":"Patient","gender":"male"}}""") + "}", 400, "multiple_patients", "invalid" },
    };

    [Fact]
    public async Task Invoke_SyntheaStyleBundle_AnswersWithAuditIdAndValidProvenance()
    {
        using var client = gateway.Host.CreateClient();

        var call = await client.PostInvokeAsync(VendorTask, TestBundles.SyntheaStyle, "audience=patient");

        Assert.Equal(200, call.Status);
        var result = call.Json;
        Assert.Equal("clinical_task.result", (string?)result["object"]);
        Assert.Equal(VendorTask, (string?)result["use_case"]);
        Assert.Equal("\n\nHello there, how may I assist you today?", (string?)result["answer"]);
        Assert.Equal("gpt-4o-mini", (string?)result["model"]);
        Assert.Empty(result["warnings"]!.AsArray());
        Assert.Equal(call.Header("X-XefAI-Audit-Id"), (string?)result["audit_id"]);
        Assert.Equal(call.Header("X-XefAI-Trace-Id"), (string?)result["trace_id"]);
        Assert.Null(call.Header("X-XefAI-Data-Warnings"));

        var template = result["template"]!;
        Assert.Equal("discharge-summary", (string?)template["name"]);
        Assert.Equal("1", (string?)template["version"]);
        Assert.Equal(ShippedTemplateSha256("discharge-summary", "1"), (string?)template["sha256"]);

        var auditId = (string)result["audit_id"]!;
        var record = await gateway.Host.GetAuditRecordAsync(auditId);
        Assert.Equal($"prompt_template:discharge-summary/1@{ShippedTemplateSha256("discharge-summary", "1")[..12]}", record.ReasonsBeforeConfiguration());

        var provenance = FhirR4Validation.ParseValid<Provenance>(result["provenance"]!.ToJsonString());
        Assert.Equal(XefAI.Data.FhirAuditIds.ToResourceId(auditId), provenance.Id);
        var target = Assert.Single(provenance.Target);
        Assert.Equal(auditId, target.Identifier?.Value);
        Assert.Equal((string?)record["outputSha256"], Assert.IsType<FhirString>(Assert.Single(target.Extension).Value).Value);
        Assert.Equal("https://xefai.health/fhir/policy/risk-tier-1", Assert.Single(provenance.Policy));
        var model = Assert.IsType<Device>(Assert.Single(provenance.Contained));
        Assert.Equal("vendor", model.Identifier[0].Value);
        Assert.Equal("gpt-4o-mini", model.DeviceName[0].Name);
        var templateEntity = Assert.Single(provenance.Entity, e => e.What?.Identifier?.System == "https://xefai.health/fhir/sid/prompt-template");
        Assert.Equal("discharge-summary/1", templateEntity.What?.Identifier?.Value);
        Assert.Contains(provenance.Entity, e => e.What?.Identifier?.Value == call.RequestSha256);

        // The patient appears only as the audit trail's pseudonym, never by the Bundle's identifiers.
        var patient = Assert.IsType<ResourceReference>(Assert.Single(provenance.Extension).Value);
        Assert.Equal((string?)record["patientPseudonym"], patient.Identifier?.Value);
        Assert.DoesNotContain("3f6a9c1e", result["provenance"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_Bundle_VendorIsSentTheRenderedTemplateNotTheBundle()
    {
        using var client = gateway.Host.CreateClient();

        var call = await client.PostInvokeAsync(VendorTask, TestBundles.SyntheaStyle, "audience=patient&discharge_disposition=home&_max_tokens=120");

        Assert.Equal(200, call.Status);
        Assert.Equal(120, (int?)gateway.Vendor.LastRequestBody["max_tokens"]);
        var messages = gateway.Vendor.LastRequestBody["messages"]!.AsArray();
        Assert.Equal(2, messages.Count);
        Assert.Equal("system", (string?)messages[0]!["role"]);
        Assert.StartsWith("You are a clinical documentation assistant.", (string?)messages[0]!["content"], StringComparison.Ordinal);
        var user = (string)messages[1]!["content"]!;
        Assert.Contains("Audience: patient", user, StringComparison.Ordinal);
        Assert.Contains("Discharge disposition: home", user, StringComparison.Ordinal);
        Assert.Contains("Diabetes mellitus type 2 (disorder)", user, StringComparison.Ordinal);
        Assert.Contains("Hemoglobin A1c/Hemoglobin.total in Blood: 8.4 %", user, StringComparison.Ordinal);
        Assert.DoesNotContain("resourceType", user, StringComparison.Ordinal);
        Assert.DoesNotContain("urn:uuid", user, StringComparison.Ordinal);
        Assert.DoesNotContain("Varela204", user, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_MedplumStyleBundle_AcceptedWithWarningsInBodyHeaderAndRecord()
    {
        using var client = gateway.Host.CreateClient();

        var call = await client.PostInvokeAsync(VendorTask, TestBundles.MedplumStyle);

        Assert.Equal(200, call.Status);
        var warnings = call.Json["warnings"]!.AsArray().Select(w => ((string?)w!["path"], (string?)w["code"])).ToList();
        Assert.Contains(("Bundle.entry[0].fullUrl", "invalid-value"), warnings);
        Assert.Contains(("Bundle.entry[0].resource.meta.project", "unknown-element"), warnings);
        Assert.Contains(("Bundle.entry[0].resource.meta.author", "unknown-element"), warnings);
        Assert.Contains(("Bundle.entry[2].resource.meta.project", "unknown-element"), warnings);
        Assert.All(call.Json["warnings"]!.AsArray(), w => Assert.DoesNotContain("Duarte", w!.ToJsonString(), StringComparison.Ordinal));
        Assert.Equal(warnings.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), call.Header("X-XefAI-Data-Warnings"));

        var record = await gateway.Host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        var reasons = ((string)record["reasons"]!).Split(';');
        Assert.Equal("fhir_warnings:unknown-element,invalid-value", reasons[0]);
        Assert.StartsWith("prompt_template:discharge-summary/1@", reasons[1], StringComparison.Ordinal);

        // The data was used despite its flaws, and the template's defaults filled what the caller did not send.
        var user = (string)gateway.Vendor.LastRequestBody["messages"]![1]!["content"]!;
        Assert.Contains("Heart failure with reduced ejection fraction", user, StringComparison.Ordinal);
        Assert.Contains("Furosemide 40 mg tablet", user, StringComparison.Ordinal);
        Assert.Contains("Audience: clinician", user, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_OnePatientNamedByFullUrlAndReferences_IsNotTakenForTwo()
    {
        // A Patient with no id, named by its server URL, and resources whose subject is that patient by id or by urn.
        var bundle = Bundle(
            """{"fullUrl":"https://ehr.example.org/fhir/Patient/77","resource":{"resourceType":"Patient","gender":"female"}}""",
            """{"fullUrl":"urn:uuid:0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b","resource":{"resourceType":"Condition","subject":{"reference":"Patient/77"},"code":{"text":"asthma"}}}""",
            """{"resource":{"resourceType":"Observation","status":"final","subject":{"reference":"https://ehr.example.org/fhir/Patient/77/_history/2"},"code":{"text":"peak flow"},"valueString":"good"}}""");
        using var client = gateway.Host.CreateClient();

        var call = await client.PostInvokeAsync(LocalTask, bundle, "focus=asthma");

        Assert.True(call.Status == 200, Encoding.UTF8.GetString(call.ResponseBody));
    }

    [Fact]
    public async Task Invoke_VerbatimTier_RecordHashesAndHoldsTheResultAsRenderedBeforeTheReceipt()
    {
        using var client = gateway.Host.CreateClient();

        var call = await client.PostInvokeAsync(LocalTask, TestBundles.SyntheaStyle, "focus=diabetes%20control");

        Assert.Equal(200, call.Status);
        Assert.Equal("required", call.Header("X-XefAI-Review"));
        Assert.True((bool)call.Json["draft"]!);

        // The released body is the rendered result with audit_id, trace_id and provenance appended as its last members.
        var released = Encoding.UTF8.GetString(call.ResponseBody);
        var receiptAt = released.IndexOf(",\"audit_id\":", StringComparison.Ordinal);
        Assert.True(receiptAt > 0, released);
        var rendered = released[..receiptAt] + "}";
        var renderedJson = JsonNode.Parse(rendered)!.AsObject();
        Assert.Null(renderedJson["audit_id"]);
        Assert.Null(renderedJson["provenance"]);
        Assert.Equal((string?)call.Json["answer"], (string?)renderedJson["answer"]);

        var record = await gateway.Host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal(Sha256(rendered), (string?)record["outputSha256"]);
        Assert.Equal(rendered, (string?)record["outputText"]);
        Assert.Equal(call.RequestSha256, (string?)record["inputSha256"]);
        Assert.Contains("prompt_template:chart-summary/1@", (string?)record["reasons"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_JsonEnvelope_SendsItsParametersAndMaxTokens()
    {
        using var client = gateway.Host.CreateClient();
        var body = $$"""{"bundle":{{TestBundles.SyntheaStyle}},"parameters":{"audience":"clinician","discharge_disposition":"skilled nursing facility"},"max_tokens":300}""";

        var call = await client.PostInvokeAsync(VendorTask, body, contentType: "application/json");

        Assert.Equal(200, call.Status);
        var sent = gateway.Vendor.LastRequestBody;
        Assert.Equal(300, (int?)sent["max_tokens"]);
        Assert.Contains("Discharge disposition: skilled nursing facility", (string?)sent["messages"]![1]!["content"], StringComparison.Ordinal);
        var record = await gateway.Host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal(call.RequestSha256, (string?)record["inputSha256"]);
    }

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Invoke_BadInput_OperationOutcomeNothingSentToVendorAttemptAudited(
        string @case, string? query, string? contentType, string body, int status, string code, string issueType)
    {
        using var client = gateway.Host.CreateClient();
        var vendorCalls = gateway.Vendor.CallCount;

        var call = await client.PostInvokeAsync(VendorTask, body, query, contentType);

        Assert.True(status == call.Status, $"{@case}: HTTP {call.Status} {Encoding.UTF8.GetString(call.ResponseBody)}");
        var issue = AssertOperationOutcome(call, issueType, code);
        Assert.False(string.IsNullOrWhiteSpace(issue.Diagnostics));
        Assert.Equal(vendorCalls, gateway.Vendor.CallCount);
        var record = await gateway.Host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("denied", (string?)record["decision"]);
        Assert.Equal(status, (int?)record["statusCode"]);
        Assert.StartsWith(code, (string?)record["reasons"], StringComparison.Ordinal);
        Assert.Equal(call.RequestSha256, (string?)record["inputSha256"]);
    }

    [Fact]
    public async Task Invoke_UnknownUseCase_Returns404OperationOutcome()
    {
        using var client = gateway.Host.CreateClient();

        var call = await client.PostInvokeAsync("no-such-task", TestBundles.SyntheaStyle);

        Assert.Equal(404, call.Status);
        AssertOperationOutcome(call, "not-found", "model_not_found");
    }

    [Fact]
    public async Task Invoke_UseCaseWithoutTemplate_Returns400NamingTheChatApi()
    {
        using var client = gateway.Host.CreateClient();

        var call = await client.PostInvokeAsync("summary", TestBundles.SyntheaStyle);

        Assert.Equal(400, call.Status);
        var issue = AssertOperationOutcome(call, "not-supported", "use_case_has_no_template");
        Assert.Contains("/v1/chat/completions", issue.Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_WithoutKey_Returns401OperationOutcomeAndNoRecordOfItsOwn()
    {
        using var client = gateway.Host.CreateClient(key: null);
        var vendorCalls = gateway.Vendor.CallCount;

        var call = await client.PostInvokeAsync(VendorTask, TestBundles.SyntheaStyle);

        Assert.Equal(401, call.Status);
        AssertOperationOutcome(call, "login", "invalid_api_key");
        Assert.Null(call.Header("X-XefAI-Audit-Id"));
        Assert.Empty(await gateway.Host.GetAuditRecordsOfTraceAsync(call.Header("X-XefAI-Trace-Id")!));
        Assert.Equal(vendorCalls, gateway.Vendor.CallCount);
    }

    [Fact]
    public async Task Invoke_Tier4UseCase_Returns202WithReviewThenTheResultOnceApproved()
    {
        using var client = gateway.Host.CreateClient();
        using var admin = gateway.Host.CreateClient(GatewayHost.AdminKey);

        var held = await client.PostInvokeAsync(HeldTask, TestBundles.SyntheaStyle);
        var reviewId = (string)held.Json["id"]!;
        var pending = await client.GetCallAsync($"/v1/reviews/{reviewId}");
        var decision = await admin.PostJsonAsync($"/admin/reviews/{reviewId}/approve", """{"comment":"Checked against the chart."}""");
        var released = await client.GetCallAsync($"/v1/reviews/{reviewId}");

        Assert.Equal(202, held.Status);
        Assert.Equal("review", (string?)held.Json["object"]);
        Assert.Equal($"/v1/reviews/{reviewId}", held.Response.Headers.Location?.OriginalString);
        Assert.Equal(held.Header("X-XefAI-Audit-Id"), (string?)held.Json["audit_id"]);
        Assert.Null(held.Json["answer"]);
        Assert.Equal(202, pending.Status);
        Assert.Equal(200, decision.Status);
        Assert.Equal(200, released.Status);
        Assert.Equal("clinical_task.result", (string?)released.Json["object"]);
        Assert.Equal("discharge-summary", (string?)released.Json["template"]!["name"]);
        var record = await gateway.Host.GetAuditRecordAsync(held.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("held", (string?)record["decision"]);
        Assert.Equal(released.ResponseSha256, (string?)record["outputSha256"]);
    }

    private static OperationOutcome.IssueComponent AssertOperationOutcome(GatewayCall call, string issueType, string code)
    {
        Assert.Equal("application/fhir+json", call.Response.Content.Headers.ContentType?.MediaType);
        var outcome = FhirR4Validation.ParseValid<OperationOutcome>(Encoding.UTF8.GetString(call.ResponseBody));
        var issue = Assert.Single(outcome.Issue);
        Assert.Equal(OperationOutcome.IssueSeverity.Error, issue.Severity);
        Assert.Equal(issueType, (string?)call.Json["issue"]![0]!["code"]);
        Assert.Equal(code, Assert.Single(issue.Details?.Coding ?? []).Code);
        return issue;
    }

    private static string Bundle(params string[] entries) =>
        $$"""{"resourceType":"Bundle","type":"collection","entry":[{{string.Join(',', entries)}}]}""";

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string ShippedTemplateSha256(string name, string version) =>
        Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(Fixture.ShippedPrompts, name, $"{version}.json"))));

    /// <summary>
    /// One gateway for the class, on the shipped prompt templates: a tier-1 vendor task, a tier-3 local task (verbatim
    /// audit, draft) and a tier-4 task taken live through the admin API, each naming a template; and a small Bundle limit.
    /// </summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public static string ShippedPrompts { get; } = Path.Combine(GatewayHost.RepositoryRoot, "config", "prompts");

        public FakeVendor Vendor { get; } = new FakeVendor().AnswersWithExample();

        public GatewayHost Host { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(configuration =>
            {
                Vendor.Configure(configuration);
                configuration["Data"]!["PromptsPath"] = ShippedPrompts;
                configuration["Data"]!["MaxBundleEntries"] = MaxBundleEntries;
                Template(configuration.AddUseCase(VendorTask, GatewayHost.UseCase("Discharge summary by a vendor", 1, "active", "vendor"), "test-app"), "discharge-summary");
                Template(configuration.AddUseCase(LocalTask, GatewayHost.UseCase("Chart summary, in process", 3, "active", "local"), "test-app"), "chart-summary");
                Template(configuration.AddTier4UseCase(HeldTask, "Discharge summary, held for review", "local", "test-app"), "discharge-summary");
            }));
            await Host.ActivateTier4Async(HeldTask);
        }

        public async Task DisposeAsync()
        {
            await Host.DisposeAsync();
            Vendor.Dispose();
        }

        private static void Template(JsonObject useCase, string name) =>
            useCase["PromptTemplate"] = new JsonObject { ["Id"] = name, ["Version"] = "1" };
    }
}
