using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using XefAI.Testing;
using Adapter = XefAI.Gateway.CdsHooks.CdsServiceAdapter;

namespace XefAI.Gateway.Tests.CdsHooks;

/// <summary>
/// CDS Hooks 2.0 against the running gateway: the specification's discovery, <c>patient-view</c> and feedback
/// examples, cards, holds, bad input and feedback in the audit chain. One gateway for the class, on the shipped prompt
/// templates.
/// </summary>
public sealed class CdsHooksTests(CdsHooksTests.Fixture fixture) : IClassFixture<CdsHooksTests.Fixture>
{
    private const string LocalService = "chart-review";
    private const string VendorService = "vendor-chart-review";
    private const string HeldService = "held-chart-review";
    private const string OrderService = "order-review";
    private const string OtherService = "other-chart-review";

    /// <summary>A second service on <see cref="LocalService"/>'s use case and hook.</summary>
    private const string SiblingService = "sibling-chart-review";

    /// <summary>The specification's <c>patient-view</c> request example (CDS Hooks 2.0, "HTTP Request").</summary>
    internal const string PatientViewExample = """
        {
           "hookInstance" : "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
           "fhirServer" : "http://hooks.smarthealthit.org:9080",
           "hook" : "patient-view",
           "fhirAuthorization" : {
             "access_token" : "some-opaque-fhir-access-token",
             "token_type" : "Bearer",
             "expires_in" : 300,
             "scope" : "user/Patient.read user/Observation.read",
             "subject" : "cds-service4"
           },
           "context" : {
               "userId" : "Practitioner/example",
               "patientId" : "1288992",
               "encounterId" : "89284"
           },
           "prefetch" : {
              "patientToGreet" : {
                "resourceType" : "Patient",
                "gender" : "male",
                "birthDate" : "1925-12-23",
                "id" : "1288992",
                "active" : true,
                "name" : [ { "use" : "official", "family" : "Adams", "given" : [ "Daniel" ] } ]
              }
           }
        }
        """;

    private Fixture F { get; } = fixture;

    [Fact]
    public async Task Discovery_SpecificationShape_ListsEachActiveGrantedServiceWithItsPrefetch()
    {
        using var client = F.Host.CreateClient();

        var call = await client.GetCallAsync("/cds-services");

        Assert.Equal(200, call.Status);
        var services = call.Json["services"]!.AsArray().Select(s => s!.AsObject()).ToList();
        var local = services.Single(s => (string?)s["id"] == LocalService);
        Assert.Equal("patient-view", (string?)local["hook"]);
        Assert.Equal("Chart review", (string?)local["title"]);
        Assert.Equal("Summarizes the chart when a clinician opens it.", (string?)local["description"]);
        Assert.Equal("Patient/{{context.patientId}}", (string?)local["prefetch"]!["patientToGreet"]);
        Assert.Equal("Clinician review of every card.", (string?)local["usageRequirements"]);
        Assert.Equal("order-sign", (string?)services.Single(s => (string?)s["id"] == OrderService)["hook"]);

        // other-app is granted none of their use cases.
        using var other = F.Host.CreateClient(GatewayHost.OtherClientKey);
        Assert.Empty((await other.GetCallAsync("/cds-services")).Json["services"]!.AsArray());
    }

    [Fact]
    public async Task Discovery_WithoutKey_Is401AndListsNothing()
    {
        using var client = F.Host.CreateClient(key: null);

        var call = await client.GetCallAsync("/cds-services");

        Assert.Equal(401, call.Status);
        Assert.Equal("invalid_api_key", (string?)call.Json["error"]!["code"]);
    }

    [Fact]
    public async Task Discovery_UseCaseSuspended_ServiceDisappearsAtOnceAndCallsAreRefused()
    {
        using var client = F.Host.CreateClient();
        using var admin = F.Host.CreateClient(GatewayHost.AdminKey);
        Assert.Contains(Ids(await client.GetCallAsync("/cds-services")), id => id == "suspendable-review");

        var suspended = await admin.PostReasonAsync("/admin/use-cases/cds-suspendable/suspend", "Paused by the committee.");

        Assert.Equal(200, suspended.Status);
        Assert.DoesNotContain(Ids(await client.GetCallAsync("/cds-services")), id => id == "suspendable-review");
        var call = await client.PostJsonAsync("/cds-services/suspendable-review", PatientViewExample);
        Assert.Equal(403, call.Status);
        Assert.Equal("use_case_suspended", (string?)call.Json["error"]!["code"]);
    }

    [Fact]
    public async Task Call_SpecificationPatientViewExample_AnswersOneCardPerSpecification()
    {
        using var client = F.Host.CreateClient();

        var call = await client.PostJsonAsync($"/cds-services/{LocalService}", PatientViewExample);

        Assert.Equal(200, call.Status);
        var card = call.Json["cards"]!.AsArray().Single()!.AsObject();
        var auditId = call.Header("X-XefAI-Audit-Id");
        Assert.Equal(auditId, (string?)card["uuid"]);
        var summary = (string?)card["summary"];
        Assert.False(string.IsNullOrWhiteSpace(summary));
        Assert.True(summary!.Length <= 140);
        Assert.Equal("warning", (string?)card["indicator"]);
        Assert.Equal("xefai-local-extractive", (string?)card["source"]!["label"]);
        Assert.EndsWith("/v1/use-cases/cds-local/model-card", (string?)card["source"]!["url"], StringComparison.Ordinal);
        Assert.Null(card["systemActions"]);
        Assert.Null(call.Json["systemActions"]);

        // Tier 3: the detail opens by saying it is a draft a clinician must review.
        Assert.StartsWith("**AI-generated draft: a clinician must review it before acting on it.**", (string?)card["detail"], StringComparison.Ordinal);

        var record = await F.Host.GetAuditRecordAsync(auditId!);
        Assert.Equal("answered", (string?)record["decision"]);
        Assert.Equal("cds-local", (string?)record["useCase"]);
        Assert.Equal("Practitioner/example", (string?)record["user"]);
        Assert.NotNull((string?)record["patientPseudonym"]);
    }

    [Fact]
    public async Task Call_Tier4Held_AnswersAPendingCardWithTheReviewIdAndNeverTheContent()
    {
        using var client = F.Host.CreateClient();

        var call = await client.PostJsonAsync($"/cds-services/{HeldService}", PatientViewExample);

        Assert.Equal(200, call.Status);
        var card = call.Json["cards"]!.AsArray().Single()!.AsObject();
        var detail = (string)card["detail"]!;
        Assert.Contains("clinician review pending", (string?)card["summary"], StringComparison.OrdinalIgnoreCase);
        var review = (await F.Host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!));
        Assert.Equal("held", (string?)review["decision"]);
        Assert.Equal(call.Header("X-XefAI-Audit-Id"), (string?)card["uuid"]);
        Assert.Matches("review `[^`]+`", detail);
        Assert.DoesNotContain("extractive", detail, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("1925", System.Text.Encoding.UTF8.GetString(call.ResponseBody), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"hook":"patient-view","hookInstance":"a","context":{"userId":"Practitioner/9","patientId":"1"},"prefetch":{"patientToGreet":{"resourceType":"Patient","id":"2"}}}""", 400, "patient_mismatch")]
    // Found by hostile testing: a clinical resource about another patient (its subject or patient) mixed two charts as surely
    // as a Patient with another id, and was answered 200 with the other patient's data in the card.
    [InlineData("""{"hook":"patient-view","hookInstance":"a","context":{"userId":"Practitioner/9","patientId":"1"},"prefetch":{"patientToGreet":{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient","id":"1"}},{"resource":{"resourceType":"Condition","subject":{"reference":"Patient/2"},"code":{"text":"Asthma"}}}]}}}""", 400, "patient_mismatch")]
    [InlineData("""{"hook":"patient-view","hookInstance":"a","context":{"userId":"Practitioner/9","patientId":"1"},"prefetch":{"patientToGreet":{"resourceType":"Patient","id":"1"},"meds":{"resourceType":"MedicationRequest","status":"active","intent":"order","subject":{"reference":"https://ehr.example.org/fhir/Patient/2/_history/3"},"medicationCodeableConcept":{"text":"Lisinopril"}}}}""", 400, "patient_mismatch")]
    [InlineData("""{"hook":"patient-view","hookInstance":"a","context":{"userId":"Practitioner/9","patientId":"1"},"prefetch":{"patientToGreet":{"resourceType":"Patient","id":"1"},"allergies":{"resourceType":"AllergyIntolerance","patient":{"reference":"Patient/2"},"code":{"text":"Penicillin"}}}}""", 400, "patient_mismatch")]
    // Hostile round 27: without context.patientId nothing was compared, and two patients' data reached the model; a
    // context resource (an order-sign's draftOrders) about another patient was not compared either. Round 28: CDS Hooks
    // 2.0 requires patientId and userId in a patient-view context, so such a call is malformed before any comparison.
    [InlineData("""{"hook":"patient-view","hookInstance":"a","context":{"userId":"Practitioner/9"},"prefetch":{"patientToGreet":{"resourceType":"Patient","id":"1"},"meds":{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Patient","id":"2"}}]}}}""", 400, "missing_required_parameter")]
    [InlineData("""{"hook":"patient-view","hookInstance":"a","context":{"patientId":"1"},"prefetch":{"patientToGreet":{"resourceType":"Patient","id":"1"}}}""", 400, "missing_required_parameter")]
    [InlineData("""{"hook":"patient-view","hookInstance":"a","context":{"userId":"Practitioner/9","patientId":""},"prefetch":{"patientToGreet":{"resourceType":"Patient","id":"1"}}}""", 400, "missing_required_parameter")]
    [InlineData("""{"hook":"patient-view","hookInstance":"a","context":{"userId":"Practitioner/9","patientId":"1","draftOrders":{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"MedicationRequest","status":"draft","intent":"order","subject":{"reference":"Patient/2"},"medicationCodeableConcept":{"text":"Warfarin"}}}]}},"prefetch":{"patientToGreet":{"resourceType":"Patient","id":"1"}}}""", 400, "patient_mismatch")]
    // Hostile round 27: an Observation sent as the Patient the template reads was answered as a chart without its patient.
    [InlineData("""{"hook":"patient-view","hookInstance":"a","context":{"userId":"Practitioner/9","patientId":"1"},"prefetch":{"patientToGreet":{"resourceType":"Observation","status":"final","code":{"text":"HbA1c"},"subject":{"reference":"Patient/1"}}}}""", 400, "invalid_prefetch")]
    [InlineData("""{"hook":"order-sign","hookInstance":"a","context":{"userId":"Practitioner/9","patientId":"1"}}""", 400, "hook_mismatch")]
    [InlineData("""{"hook":"chart-opened","hookInstance":"a","context":{"userId":"Practitioner/9","patientId":"1"}}""", 400, "unknown_hook")]
    [InlineData("""{"hook":"patient-view","hookInstance":"a","context":{"userId":"Practitioner/9","patientId":"1"},"prefetch":{"patientToGreet":{"name":"Adams"}}}""", 400, "invalid_prefetch")]
    [InlineData("""{"hook":"patient-view","hookInstance":"a","context":{"userId":"Practitioner/9","patientId":"1"},"prefetch":{"patientToGreet":"Patient/1"}}""", 400, "invalid_prefetch")]
    [InlineData("""{"hook":"patient-view","hookInstance":"a","context":{"userId":"Practitioner/9","patientId":"1"},"prefetch":{"patientToGreet":{"resourceType":"Pateint","id":"1"}}}""", 400, "invalid_prefetch")]
    [InlineData("""{"hook":"patient-view","hookInstance":"a","context":{"userId":"Practitioner/9","patientId":"1"}}""", 412, "prefetch_missing")]
    // A patient id that is not text would skip the patient check: the card would be about whoever was prefetched.
    [InlineData("""{"hook":"patient-view","hookInstance":"a","context":{"userId":"Practitioner/9","patientId":2},"prefetch":{"patientToGreet":{"resourceType":"Patient","id":"1"}}}""", 400, "invalid_type")]
    [InlineData("""{"hook":"patient-view","hookInstance":"a","context":{"userId":"Practitioner/9","patientId":{"id":"2"}},"prefetch":{"patientToGreet":{"resourceType":"Patient","id":"1"}}}""", 400, "invalid_type")]
    [InlineData("""{"hook":"patient-view","hookInstance":"a","context":{"userId":"Practitioner/9","patientId":"1","encounterId":["9"]},"prefetch":{"patientToGreet":{"resourceType":"Patient","id":"1"}}}""", 400, "invalid_type")]
    [InlineData("""{"hook":"patient-view","hookInstance":"a","context":{"userId":"Practitioner/9","patientId":"1"},"fhirServer":"http://127.0.0.1:1/fhir"}""", 502, "fhir_server_error")]
    [InlineData("""{"hook":"patient-view","hookInstance":"a","context":{"userId":"Practitioner/9","patientId":"1"},"fhirServer":"file:///etc/passwd"}""", 400, "invalid_fhir_server")]
    [InlineData("""{"hook":"patient-view","hookInstance":"a","context":{"userId":"Practitioner/9","patientId":"1"},"fhirServer":"http://169.254.169.254/latest"}""", 400, "invalid_fhir_server")]
    [InlineData("""{"hook":"patient-view","hookInstance":"a","context":{"userId":"Practitioner/9","patientId":"1"},"fhirServer":"http://[fe80::1]/fhir"}""", 400, "invalid_fhir_server")]
    [InlineData("""{"hook":"patient-view","hookInstance":"a","context":{"userId":"Practitioner/9","patientId":"1"},"fhirServer":"http://metadata.google.internal/"}""", 400, "invalid_fhir_server")]
    [InlineData("""{"hook":"patient-view","context":{"userId":"Practitioner/9","patientId":"1"}}""", 400, "missing_required_parameter")]
    [InlineData("""[1]""", 400, "invalid_request")]
    [InlineData("""{"hook":""", 400, "invalid_json")]
    public async Task Call_BadInput_IsRefusedWithAClear4xxNothingReachesAModelAndTheAttemptIsAudited(string body, int status, string code)
    {
        using var client = F.Host.CreateClient();
        var before = F.Vendor.CallCount;

        var call = await client.PostJsonAsync($"/cds-services/{VendorService}", body);

        Assert.Equal(status, call.Status);
        Assert.Equal(code, (string?)call.Json["error"]!["code"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)call.Json["error"]!["message"]));
        Assert.Equal(before, F.Vendor.CallCount);
        var record = await F.Host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal(status, (int?)record["statusCode"]);
        Assert.Equal(code, record.ReasonsBeforeConfiguration());
    }

    [Fact]
    public async Task Call_UnknownService_Is404AndAudited()
    {
        using var client = F.Host.CreateClient();

        var call = await client.PostJsonAsync("/cds-services/no-such-service", PatientViewExample);

        Assert.Equal(404, call.Status);
        Assert.Equal("unknown_service", (string?)call.Json["error"]!["code"]);
        Assert.Equal("unknown_service", (await F.Host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!)).ReasonsBeforeConfiguration());
    }

    [Fact]
    public async Task Call_OversizedRequest_Is413AndAudited()
    {
        using var client = F.Host.CreateClient();
        var huge = PatientViewExample.Replace("\"male\"", "\"" + new string('x', 70_000) + "\"", StringComparison.Ordinal);

        var call = await client.PostJsonAsync($"/cds-services/{LocalService}", huge);

        Assert.Equal(413, call.Status);
        Assert.Equal("request_too_large", (string?)call.Json["error"]!["code"]);
        Assert.Equal(413, (int?)(await F.Host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!))["statusCode"]);
    }

    [Fact]
    public async Task Call_VendorWithoutBaa_GetsDeIdentifiedTextAndTheCardCarriesTheRestoredName()
    {
        using var client = F.Host.CreateClient();

        var call = await client.PostJsonAsync($"/cds-services/{VendorService}", PatientViewExample);

        Assert.Equal(200, call.Status);
        var sent = F.Vendor.LastRequestBody.ToJsonString();
        Assert.DoesNotContain("Adams", sent, StringComparison.Ordinal);
        Assert.DoesNotContain("Daniel", sent, StringComparison.Ordinal);
        Assert.DoesNotContain("1925-12-23", sent, StringComparison.Ordinal);
        Assert.Contains("born [DATE_1]", sent, StringComparison.Ordinal);

        // Tier 2 re-identifies: the card says the birth date where the vendor wrote the token; tier 2 has no draft notice.
        var card = call.Json["cards"]!.AsArray().Single()!.AsObject();
        Assert.Equal("Patient born 1925-12-23 has no active problems on record.", (string?)card["summary"]);
        Assert.DoesNotContain("[DATE_1]", (string?)card["detail"], StringComparison.Ordinal);
        Assert.DoesNotContain("AI-generated draft", (string?)card["detail"], StringComparison.Ordinal);
        Assert.Equal("gpt-4o-mini-2024-07-18", (string?)card["source"]!["label"]);
        Assert.Equal("applied", (string?)(await F.Host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!))["deIdentification"]);
    }

    [Fact]
    public async Task Call_AnswerWithTheTokenInALink_TheCardKeepsTheTokenInTheLinkAndTheDateInTheText()
    {
        // Following a link takes a click, but it would still send the birth date to a host the model chose.
        F.Vendor.AnswersWith(200, FakeVendor.Completion("Patient born [DATE_1]. [Chart](https://evil.example/c?d=[DATE_1])"));
        try
        {
            using var client = F.Host.CreateClient();

            var call = await client.PostJsonAsync($"/cds-services/{VendorService}", PatientViewExample);

            Assert.Equal(200, call.Status);
            var card = call.Json["cards"]!.AsArray().Single()!.AsObject();
            var text = (string?)card["summary"] + (string?)card["detail"];
            Assert.Contains("Patient born 1925-12-23.", text, StringComparison.Ordinal);
            Assert.Contains("(https://evil.example/c?d=[DATE_1])", text, StringComparison.Ordinal);
            Assert.DoesNotContain("d=1925-12-23", text, StringComparison.Ordinal);
        }
        finally
        {
            F.Vendor.AnswersWith(200, FakeVendor.Completion("Patient born [DATE_1] has no active problems on record. Review the chart."));
        }
    }

    [Fact]
    public async Task Feedback_SpecificationExample_IsRecordedAgainstTheCardInTheChainAndCounted()
    {
        using var client = F.Host.CreateClient();
        var card = await CardAsync(client, LocalService);
        var feedback = $$"""
            {
              "feedback": [
                {
                  "card": "{{card}}",
                  "outcome": "overridden",
                  "overrideReason": {
                    "reason": {
                      "code": "reason-code-provided-by-service",
                      "system": "http://example.org/cds-services/fhir/CodeSystem/override-reasons",
                      "display": "Patient refused"
                    },
                    "userComment": "Daniel Adams says he tried this before"
                  },
                  "outcomeTimestamp": "2020-12-11T00:00:00Z"
                },
                { "card": "{{card}}", "outcome": "accepted", "acceptedSuggestions": [ { "id": "s1" } ], "outcomeTimestamp": "2020-12-11T00:01:00Z" }
              ]
            }
            """;

        var call = await client.PostJsonAsync($"/cds-services/{LocalService}/feedback", feedback);

        Assert.Equal(200, call.Status);
        var recorded = call.Json["recorded"]!.AsArray().Select(r => (string)r!).ToList();
        Assert.Equal(2, recorded.Count);

        // The header names the records, as a service call's names its own: governance evidence of who judged which card.
        Assert.Equal(string.Join(", ", recorded), call.Header("X-XefAI-Audit-Id"));
        var overridden = await F.Host.GetAuditRecordAsync(recorded[0]);
        Assert.Equal("feedback", (string?)overridden["decision"]);
        Assert.Equal(card, (string?)overridden["relatesTo"]);
        Assert.Equal("overridden:reason-code-provided-by-service", (string?)overridden["feedback"]);
        Assert.Equal("cds-local", (string?)overridden["useCase"]);
        Assert.DoesNotContain("Adams", overridden.ToJsonString(), StringComparison.Ordinal);
        var accepted = await F.Host.GetAuditRecordAsync(recorded[1]);
        Assert.Equal("accepted", (string?)accepted["feedback"]);
        Assert.Contains("accepted_suggestions:1", (string?)accepted["reasons"], StringComparison.Ordinal);

        using var admin = F.Host.CreateClient(GatewayHost.AdminKey);
        Assert.Equal(true, (bool?)(await admin.GetCallAsync("/admin/audit/verify")).Json["valid"]);
        string metrics = "";
        await AdminCalls.WaitUntilAsync(
            async () => (metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Contains("xefai_feedback_total{", StringComparison.Ordinal),
            "the feedback metric");
        Assert.Matches("(?m)^xefai_feedback_total\\{[^}]*outcome=\"overridden\"[^}]*use_case=\"cds-local\"[^}]*\\} [1-9]", metrics);
    }

    [Theory]
    [InlineData("aud_01JPA0000000000000000000")]
    [InlineData("not-an-id")]
    public async Task Feedback_UnknownCard_Is404RecordsNoFeedbackAndIsAuditedAsDenied(string card)
    {
        using var client = F.Host.CreateClient();
        var real = await CardAsync(client, LocalService);

        var call = await client.PostJsonAsync(
            $"/cds-services/{LocalService}/feedback",
            $$"""{"feedback":[{"card":"{{real}}","outcome":"accepted"},{"card":"{{card}}","outcome":"accepted"}]}""");

        Assert.Equal(404, call.Status);
        Assert.Equal("unknown_card", (string?)call.Json["error"]!["code"]);
        var records = await F.Host.GetAuditRecordsOfTraceAsync(call.Header("X-XefAI-Trace-Id")!);
        var denied = Assert.Single(records);
        Assert.Equal("denied", (string?)denied["decision"]);
        Assert.Equal((string?)denied["id"], call.Header("X-XefAI-Audit-Id"));
        Assert.Null((string?)denied["feedback"]);
        Assert.Null((string?)denied["relatesTo"]);
    }

    [Fact]
    public async Task Feedback_AnotherServicesCard_Is404AndRecordsNoFeedback()
    {
        using var client = F.Host.CreateClient();
        var card = await CardAsync(client, OtherService);

        var call = await client.PostJsonAsync($"/cds-services/{LocalService}/feedback", $$"""{"feedback":[{"card":"{{card}}","outcome":"accepted"}]}""");

        Assert.Equal(404, call.Status);
        Assert.Equal("unknown_card", (string?)call.Json["error"]!["code"]);
        Assert.Equal("denied", (string?)Assert.Single(await F.Host.GetAuditRecordsOfTraceAsync(call.Header("X-XefAI-Trace-Id")!))["decision"]);
    }

    [Fact]
    public async Task Feedback_CardOfAnotherServiceOnTheSameUseCase_Is404AndRecordsNoFeedback()
    {
        using var client = F.Host.CreateClient();
        var card = await CardAsync(client, SiblingService);

        var elsewhere = await client.PostJsonAsync($"/cds-services/{LocalService}/feedback", $$"""{"feedback":[{"card":"{{card}}","outcome":"accepted"}]}""");
        var atItsService = await client.PostJsonAsync($"/cds-services/{SiblingService}/feedback", $$"""{"feedback":[{"card":"{{card}}","outcome":"accepted"}]}""");

        Assert.Equal(404, elsewhere.Status);
        Assert.Equal("unknown_card", (string?)elsewhere.Json["error"]!["code"]);
        var denied = Assert.Single(await F.Host.GetAuditRecordsOfTraceAsync(elsewhere.Header("X-XefAI-Trace-Id")!));
        Assert.Equal("denied", (string?)denied["decision"]);
        Assert.Null((string?)denied["relatesTo"]);
        Assert.Equal(200, atItsService.Status);
        var recorded = await F.Host.GetAuditRecordAsync((string)atItsService.Json["recorded"]![0]!);
        Assert.Equal(card, (string?)recorded["relatesTo"]);
        Assert.Contains($"cds_service:{SiblingService}", (string?)recorded["reasons"], StringComparison.Ordinal);
        Assert.Contains($"cds_service:{SiblingService}", (string?)(await F.Host.GetAuditRecordAsync(card))["reasons"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feedback_CardRecordedBeforeServicesWereRecorded_IsTakenAtAnyServiceOfItsAppAndUseCase()
    {
        // A record as the gateway wrote it before cards named their service: app and use case only.
        var audit = F.Host.Services.GetRequiredService<XefAI.Governance.IAuditTrail>();
        var legacy = await audit.AppendAsync(
            new XefAI.Governance.AuditEntry
            {
                Timestamp = DateTimeOffset.UtcNow,
                TraceId = "legacy-card-trace",
                AppId = "test-app",
                UseCaseId = "cds-local",
                RiskTier = 3,
                Decision = "answered",
                Reasons = "prompt_template:chart-summary/1@0123456789ab",
                StatusCode = 200,
                LatencyMs = 1,
            },
            CancellationToken.None);
        using var client = F.Host.CreateClient();

        var sibling = await client.PostJsonAsync($"/cds-services/{SiblingService}/feedback", $$"""{"feedback":[{"card":"{{legacy.Id}}","outcome":"accepted"}]}""");
        var local = await client.PostJsonAsync($"/cds-services/{LocalService}/feedback", $$"""{"feedback":[{"card":"{{legacy.Id}}","outcome":"accepted"}]}""");
        var otherUseCase = await client.PostJsonAsync($"/cds-services/{OtherService}/feedback", $$"""{"feedback":[{"card":"{{legacy.Id}}","outcome":"accepted"}]}""");

        Assert.Equal(200, sibling.Status);
        Assert.Equal(200, local.Status);
        Assert.Equal(404, otherUseCase.Status);
    }

    [Theory]
    [InlineData("""{"feedback":[{"card":"x","outcome":"dismissed"}]}""", "invalid_value")]
    [InlineData("""{"feedback":[]}""", "invalid_value")]
    [InlineData("""{"items":[]}""", "missing_required_parameter")]
    public async Task Feedback_Malformed_Is400AndAudited(string body, string code)
    {
        using var client = F.Host.CreateClient();

        var call = await client.PostJsonAsync($"/cds-services/{LocalService}/feedback", body);

        Assert.Equal(400, call.Status);
        Assert.Equal(code, (string?)call.Json["error"]!["code"]);
        Assert.Contains(code, (string?)Assert.Single(await F.Host.GetAuditRecordsOfTraceAsync(call.Header("X-XefAI-Trace-Id")!))["reasons"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task HeldCard_PendingThenApproved_TheEhrGetsTheReleasedCardUnderTheHeldCardsUuid()
    {
        using var client = F.Host.CreateClient();
        using var admin = F.Host.CreateClient(GatewayHost.AdminKey);
        var (card, reviewId) = await HeldCardAsync(client);

        var pending = await client.GetCallAsync($"/cds-services/{HeldService}/held/{card}");
        Assert.Equal(200, (await admin.PostJsonAsync($"/admin/reviews/{reviewId}/approve", """{"comment":"Checked."}""")).Status);
        var released = await client.GetCallAsync($"/cds-services/{HeldService}/held/{card}");

        Assert.Equal(202, pending.Status);
        Assert.Equal("pending", pending.Header("X-XefAI-Review-Status"));
        Assert.Empty(pending.Json["cards"]!.AsArray());
        Assert.Equal(200, released.Status);
        Assert.Equal("approved", released.Header("X-XefAI-Review-Status"));
        var releasedCard = released.Json["cards"]!.AsArray().Single()!;
        Assert.Equal(card, (string?)releasedCard["uuid"]);
        Assert.Equal("xefai-local-extractive", (string?)releasedCard["source"]!["label"]);
        Assert.DoesNotContain("review pending", (string?)releasedCard["summary"], StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith(Adapter.DraftNotice, (string?)releasedCard["detail"], StringComparison.Ordinal);
        Assert.DoesNotContain("held for clinician review", (string?)releasedCard["detail"], StringComparison.Ordinal);

        // Feedback on the released card lands on the held call's record.
        var feedback = await client.PostJsonAsync($"/cds-services/{HeldService}/feedback", $$"""{"feedback":[{"card":"{{card}}","outcome":"accepted"}]}""");
        Assert.Equal(200, feedback.Status);
        Assert.Equal((string)feedback.Json["recorded"]![0]!, feedback.Header("X-XefAI-Audit-Id"));
        Assert.Equal(card, (string?)(await F.Host.GetAuditRecordAsync((string)feedback.Json["recorded"]![0]!))["relatesTo"]);
    }

    [Fact]
    public async Task HeldCard_ApprovedThenUseCaseSuspended_NotReleasedUntilResumed()
    {
        using var client = F.Host.CreateClient();
        using var admin = F.Host.CreateClient(GatewayHost.AdminKey);
        var (card, reviewId) = await HeldCardAsync(client, "held-killable");
        Assert.Equal(200, (await admin.PostJsonAsync($"/admin/reviews/{reviewId}/approve", "{}")).Status);
        Assert.Equal(200, (await admin.PostReasonAsync("/admin/use-cases/cds-held-killable/suspend", "Unsafe advice reported")).Status);
        GatewayCall whileSuspended;
        try
        {
            whileSuspended = await client.GetCallAsync($"/cds-services/held-killable/held/{card}");
        }
        finally
        {
            Assert.Equal(200, (await admin.PostReasonAsync("/admin/use-cases/cds-held-killable/resume", "Reviewed")).Status);
        }

        Assert.Equal(403, whileSuspended.Status);
        Assert.Equal("use_case_suspended", (string?)whileSuspended.Json["error"]!["code"]);
        Assert.Null(whileSuspended.Json["cards"]);
        var released = await client.GetCallAsync($"/cds-services/held-killable/held/{card}");
        Assert.Equal(200, released.Status);
        Assert.Equal(card, (string?)released.Json["cards"]![0]!["uuid"]);
    }

    [Fact]
    public async Task HeldCard_Edited_TheCardCarriesTheReviewersTextAsSummaryAndDetail()
    {
        using var client = F.Host.CreateClient();
        using var admin = F.Host.CreateClient(GatewayHost.AdminKey);
        var (card, reviewId) = await HeldCardAsync(client);
        Assert.Equal(200, (await admin.PostJsonAsync($"/admin/reviews/{reviewId}/edit", """{"content": "No change to the plan. Recheck potassium tomorrow."}""")).Status);

        var released = await client.GetCallAsync($"/cds-services/{HeldService}/held/{card}");

        Assert.Equal(200, released.Status);
        Assert.Equal("edited", released.Header("X-XefAI-Review-Status"));
        var releasedCard = released.Json["cards"]!.AsArray().Single()!;
        Assert.Equal("No change to the plan.", (string?)releasedCard["summary"]);
        Assert.Equal($"{Adapter.DraftNotice}\n\nNo change to the plan. Recheck potassium tomorrow.", (string?)releasedCard["detail"]);
        Assert.Equal(card, (string?)releasedCard["uuid"]);
    }

    [Fact]
    public async Task HeldCard_Edited_TheReviewShowsTheReleasedCardAndTheReviewerStillSeesTheModelsOriginal()
    {
        using var client = F.Host.CreateClient();
        using var admin = F.Host.CreateClient(GatewayHost.AdminKey);
        var (card, reviewId) = await HeldCardAsync(client);
        var decided = await admin.PostJsonAsync($"/admin/reviews/{reviewId}/edit", """{"content": "Potassium is low. Recheck it tomorrow."}""");
        Assert.Equal(200, decided.Status);

        var review = await client.GetCallAsync($"/v1/reviews/{reviewId}");
        var held = await client.GetCallAsync($"/cds-services/{HeldService}/held/{card}");

        // The app reading its review gets what the EHR was released, byte for byte: the edited card, summary included.
        Assert.Equal(200, review.Status);
        Assert.Equal("edited", review.Header("X-XefAI-Review-Status"));
        Assert.Equal(200, held.Status);
        Assert.Equal(held.ResponseBody, review.ResponseBody);
        var reviewed = review.Json["cards"]!.AsArray().Single()!;
        Assert.Equal("Potassium is low.", (string?)reviewed["summary"]);
        Assert.Equal($"{Adapter.DraftNotice}\n\nPotassium is low. Recheck it tomorrow.", (string?)reviewed["detail"]);
        Assert.Equal(card, (string?)reviewed["uuid"]);

        // The reviewer's view keeps the model's own card in the answer field, summary and all.
        var original = decided.Json["answer"]!["cards"]![0]!;
        Assert.NotEqual("Potassium is low.", (string?)original["summary"]);
        Assert.DoesNotContain("Recheck it tomorrow", original.ToJsonString(), StringComparison.Ordinal);
        var listed = (await admin.GetCallAsync("/admin/reviews?status=edited")).Json["data"]!.AsArray().Single(r => (string?)r!["id"] == reviewId)!;
        Assert.Equal(original.ToJsonString(), listed["answer"]!["cards"]![0]!.ToJsonString());
    }

    [Fact]
    public async Task HeldCard_Rejected_Is410AndNoCard()
    {
        using var client = F.Host.CreateClient();
        using var admin = F.Host.CreateClient(GatewayHost.AdminKey);
        var (card, reviewId) = await HeldCardAsync(client);
        Assert.Equal(200, (await admin.PostJsonAsync($"/admin/reviews/{reviewId}/reject", """{"comment":"Wrong patient context."}""")).Status);

        var rejected = await client.GetCallAsync($"/cds-services/{HeldService}/held/{card}");

        Assert.Equal(410, rejected.Status);
        Assert.Equal("review_rejected", (string?)rejected.Json["error"]!["code"]);
        Assert.Null(rejected.Json["cards"]);
    }

    [Fact]
    public async Task HeldCard_AnotherServicesOrAnAnsweredCardOrAnotherApp_Is404Or401()
    {
        using var client = F.Host.CreateClient();
        var (held, _) = await HeldCardAsync(client);
        var answered = await CardAsync(client, LocalService);

        var atAnotherService = await client.GetCallAsync($"/cds-services/{LocalService}/held/{held}");
        var notHeld = await client.GetCallAsync($"/cds-services/{LocalService}/held/{answered}");
        var unknown = await client.GetCallAsync($"/cds-services/{HeldService}/held/aud_01JPA0000000000000000000");
        using var anonymous = F.Host.CreateClient(key: null);
        var withoutKey = await anonymous.GetCallAsync($"/cds-services/{HeldService}/held/{held}");

        Assert.Equal(404, atAnotherService.Status);
        Assert.Equal("unknown_card", (string?)atAnotherService.Json["error"]!["code"]);
        Assert.Equal(404, notHeld.Status);
        Assert.Equal(404, unknown.Status);
        Assert.Equal(401, withoutKey.Status);
    }

    [Fact]
    public async Task AdminStatus_AdoptionPerUseCase_FromCardFeedbackAndReviewDecisions()
    {
        using var client = F.Host.CreateClient();
        using var admin = F.Host.CreateClient(GatewayHost.AdminKey);
        var cards = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            cards.Add(await CardAsync(client, "adoption-review"));
        }

        var feedback = new JsonObject
        {
            ["feedback"] = new JsonArray(
                new JsonObject { ["card"] = cards[0], ["outcome"] = "accepted", ["outcomeTimestamp"] = "2026-12-06T00:00:00Z" },
                Overridden(cards[1]),
                Overridden(cards[2])),
        };
        Assert.Equal(200, (await client.PostJsonAsync("/cds-services/adoption-review/feedback", feedback.ToJsonString())).Status);
        var held = await client.PostJsonAsync($"/cds-services/{HeldService}", PatientViewExample);
        var reviewId = System.Text.RegularExpressions.Regex.Match((string)held.Json["cards"]![0]!["detail"]!, "review `([^`]+)`").Groups[1].Value;
        Assert.Equal(200, (await admin.PostJsonAsync($"/admin/reviews/{reviewId}/edit", """{"content": "Edited summary."}""")).Status);

        var status = await admin.GetCallAsync("/admin/status?days=7");

        Assert.Equal(200, status.Status);
        var adoption = status.Json["adoption"]!.AsArray().Select(a => a!.AsObject()).ToDictionary(a => (string)a["useCase"]!);
        var cds = adoption["cds-adoption"];
        Assert.Equal(3, (int)cds["total"]!);
        Assert.Equal(1, (int)cds["accepted"]!);
        Assert.Equal(2, (int)cds["overridden"]!);
        Assert.Equal(0.6667, (double)cds["overrideRate"]!);
        Assert.Equal(2, (int)cds["overrideReasons"]!["not-relevant"]!);
        Assert.True((int)adoption["cds-held"]["edited"]! >= 1);
        Assert.Equal(400, (await admin.GetCallAsync("/admin/status?days=0")).Status);
    }

    [Fact]
    public async Task Call_TemplateWithLinksAndSuggestions_TheCardCarriesThemAndFeedbackNamesTheSuggestion()
    {
        using var client = F.Host.CreateClient();

        var call = await client.PostJsonAsync("/cds-services/offers-review", PatientViewExample);

        Assert.Equal(200, call.Status);
        var card = call.Json["cards"]!.AsArray().Single()!.AsObject();
        var suggestions = card["suggestions"]!.AsArray().Select(s => s!.AsObject()).ToList();
        Assert.Equal(["Reconcile the medication list", "Review preventive care that is due"], suggestions.Select(s => (string)s["label"]!));
        Assert.True((bool)suggestions[0]["isRecommended"]!);
        Assert.All(suggestions, s => Assert.True(Guid.TryParse((string?)s["uuid"], out _)));
        Assert.All(suggestions, s => Assert.Null(s["actions"]));
        var link = card["links"]!.AsArray().Single()!.AsObject();
        Assert.Equal("absolute", (string?)link["type"]);
        Assert.StartsWith("https://", (string?)link["url"], StringComparison.Ordinal);
        Assert.Null(call.Json["systemActions"]);

        var feedback = new JsonObject
        {
            ["feedback"] = new JsonArray(new JsonObject
            {
                ["card"] = (string)card["uuid"]!,
                ["outcome"] = "accepted",
                ["acceptedSuggestions"] = new JsonArray(new JsonObject { ["id"] = (string)suggestions[0]["uuid"]! }),
                ["outcomeTimestamp"] = "2026-12-06T00:00:00Z",
            }),
        };
        Assert.Equal(200, (await client.PostJsonAsync("/cds-services/offers-review/feedback", feedback.ToJsonString())).Status);
    }

    private static JsonObject Overridden(string card) => new()
    {
        ["card"] = card,
        ["outcome"] = "overridden",
        ["overrideReason"] = new JsonObject { ["reason"] = new JsonObject { ["code"] = "not-relevant", ["system"] = "http://example.org/reasons" } },
        ["outcomeTimestamp"] = "2026-12-06T00:00:00Z",
    };

    private static async Task<string> CardAsync(HttpClient client, string service)
    {
        var call = await client.PostJsonAsync($"/cds-services/{service}", PatientViewExample);
        Assert.Equal(200, call.Status);
        return (string)call.Json["cards"]![0]!["uuid"]!;
    }

    private static async Task<(string Card, string ReviewId)> HeldCardAsync(HttpClient client, string service = HeldService)
    {
        var held = await client.PostJsonAsync($"/cds-services/{service}", PatientViewExample);
        Assert.Equal(200, held.Status);
        var card = held.Json["cards"]![0]!;
        return ((string)card["uuid"]!, System.Text.RegularExpressions.Regex.Match((string)card["detail"]!, "review `([^`]+)`").Groups[1].Value);
    }

    private static List<string> Ids(GatewayCall call) => call.Json["services"]!.AsArray().Select(s => (string)s!["id"]!).ToList();

    /// <summary>
    /// Use cases on the shipped chart-summary template: tier 3 in process, tier 2 on a vendor without a BAA, tier 4
    /// taken live through the admin API, and one the suspension test suspends; a CDS service for each.
    /// </summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public FakeVendor Vendor { get; } = new FakeVendor().AnswersWith(200, FakeVendor.Completion("Patient born [DATE_1] has no active problems on record. Review the chart."));

        public GatewayHost Host { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Host = await GatewayHost.StartAsync(configuration =>
            {
                Vendor.Configure(configuration);
                configuration["Data"]!["PromptsPath"] = Path.Combine(GatewayHost.RepositoryRoot, "config", "prompts");
                configuration["Gateway"]!["MaxRequestBodyBytes"] = 65_536;
                Template(configuration.AddUseCase("cds-local", GatewayHost.UseCase("Chart review, in process", 3, "active", "local"), "test-app"));
                Template(configuration.AddUseCase("cds-other", GatewayHost.UseCase("Chart review, other", 3, "active", "local"), "test-app"));
                Template(configuration.AddUseCase("cds-vendor", GatewayHost.UseCase("Chart review by a vendor", 2, "active", "vendor"), "test-app"));
                Template(configuration.AddUseCase("cds-suspendable", GatewayHost.UseCase("Chart review, suspendable", 3, "active", "local"), "test-app"));
                Template(configuration.AddUseCase("cds-adoption", GatewayHost.UseCase("Chart review, adoption", 3, "active", "local"), "test-app"));
                configuration.AddUseCase("cds-offers", GatewayHost.UseCase("Chart review with offers", 3, "active", "local"), "test-app")["PromptTemplate"] =
                    new JsonObject { ["Id"] = "chart-summary", ["Version"] = "2" };
                Template(configuration.AddTier4UseCase("cds-held", "Chart review, held", "local", "test-app"));
                Template(configuration.AddTier4UseCase("cds-held-killable", "Chart review, held, suspended by one test", "local", "test-app"));
                var prefetch = new JsonObject { ["patientToGreet"] = "Patient/{{context.patientId}}" };
                configuration["CdsHooks"] = new JsonObject
                {
                    ["Services"] = new JsonObject
                    {
                        [LocalService] = Service("cds-local", "patient-view", prefetch, "warning"),
                        [OtherService] = Service("cds-other", "patient-view", prefetch, "info"),
                        [SiblingService] = Service("cds-local", "patient-view", prefetch, "info"),
                        [VendorService] = Service("cds-vendor", "patient-view", prefetch, "info"),
                        [HeldService] = Service("cds-held", "patient-view", prefetch, "info"),
                        ["held-killable"] = Service("cds-held-killable", "patient-view", prefetch, "info"),
                        ["suspendable-review"] = Service("cds-suspendable", "patient-view", prefetch, "info"),
                        ["adoption-review"] = Service("cds-adoption", "patient-view", prefetch, "info"),
                        ["offers-review"] = Service("cds-offers", "patient-view", prefetch, "info"),
                        [OrderService] = Service("cds-local", "order-sign", null, "info"),
                    },
                };
            });
            await Host.ActivateTier4Async("cds-held");
            await Host.ActivateTier4Async("cds-held-killable");
        }

        public async Task DisposeAsync()
        {
            await Host.DisposeAsync();
            Vendor.Dispose();
        }

        private static JsonObject Service(string useCase, string hook, JsonObject? prefetch, string indicator) => new()
        {
            ["UseCase"] = useCase,
            ["Hook"] = hook,
            ["Title"] = "Chart review",
            ["Description"] = "Summarizes the chart when a clinician opens it.",
            ["Prefetch"] = prefetch?.DeepClone(),
            ["Indicator"] = indicator,
            ["UsageRequirements"] = "Clinician review of every card.",
        };

        private static void Template(JsonObject useCase) =>
            useCase["PromptTemplate"] = new JsonObject { ["Id"] = "chart-summary", ["Version"] = "1" };
    }
}
