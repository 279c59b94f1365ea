using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// Human oversight end to end: tier-3 answers released as drafts a clinician must sign, tier-4 answers held
/// until a reviewer approves, edits or rejects them, each decision in the call's audit trail.
/// </summary>
public sealed class HumanReviewTests(HumanReviewTests.ReviewGateway fixture) : IClassFixture<HumanReviewTests.ReviewGateway>
{
    private const string Note =
        "Patient presents with chest pain radiating to the left arm. Troponin elevated at 0.8 ng/mL. " +
        "ECG shows ST depression in V4 to V6. Plan: admit to cardiology for further workup.";

    [Fact]
    public async Task Post_Tier3UseCase_AnsweredAsDraftWithReviewRequiredHeader()
    {
        using var client = fixture.Host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("draft-note", Note));

        Assert.Equal(200, call.Status);
        Assert.Equal("chat.completion", (string?)call.Json["object"]);
        Assert.Equal("required", call.Header("X-XefAI-Review"));
        Assert.Equal("3", call.Header("X-XefAI-Risk-Tier"));
        Assert.Equal("local", call.Header("X-XefAI-Provider"));
        var record = await fixture.Host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("answered", (string?)record["decision"]);
    }

    [Fact]
    public async Task Post_Tier3UseCaseStreamed_StreamCarriesReviewRequiredHeader()
    {
        using var client = fixture.Host.CreateClient();

        var call = await client.PostChatAsync(
            new JsonObject
            {
                ["model"] = "draft-note",
                ["stream"] = true,
                ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = Note }),
            }.ToJsonString());

        Assert.Equal(200, call.Status);
        Assert.Equal("text/event-stream", call.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("required", call.Header("X-XefAI-Review"));
        Assert.EndsWith("data: [DONE]\n\n", Encoding.UTF8.GetString(call.ResponseBody), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_Tier1UseCase_NoReviewHeader()
    {
        using var client = fixture.Host.CreateClient();

        var call = await client.PostChatAsync(ChatBody("admin-note", Note));

        Assert.Equal(200, call.Status);
        Assert.Null(call.Header("X-XefAI-Review"));
    }

    [Fact]
    public async Task Post_Tier4UseCase_Returns202WithReviewToPollAndNoAnswer()
    {
        using var client = fixture.Host.CreateClient();
        using var other = fixture.Host.CreateClient(GatewayHost.OtherClientKey);
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);

        var call = await client.PostChatAsync(ChatBody("triage", Note));

        Assert.Equal(202, call.Status);
        var reviewId = (string)call.Json["id"]!;
        Assert.StartsWith("rev_", reviewId, StringComparison.Ordinal);
        Assert.Equal("pending", (string?)call.Json["status"]);
        Assert.Null(call.Json["choices"]);
        Assert.Equal($"/v1/reviews/{reviewId}", call.Response.Headers.Location?.OriginalString);
        Assert.NotNull(call.Header("Retry-After"));
        Assert.Equal("4", call.Header("X-XefAI-Risk-Tier"));
        Assert.Null(call.Header("X-XefAI-Review"));
        var auditId = call.Header("X-XefAI-Audit-Id")!;
        Assert.Equal(auditId, (string?)call.Json["audit_id"]);
        var record = await fixture.Host.GetAuditRecordAsync(auditId);
        Assert.Equal("held", (string?)record["decision"]);
        Assert.Equal("review_required", record.ReasonsBeforeConfiguration());
        Assert.Equal(202, (int?)record["statusCode"]);
        Assert.Equal("local", (string?)record["deployment"]);

        var poll = await client.GetCallAsync($"/v1/reviews/{reviewId}");
        Assert.Equal(202, poll.Status);
        Assert.Equal("pending", (string?)poll.Json["status"]);
        Assert.Null(poll.Json["choices"]);
        Assert.Equal("pending", poll.Header("X-XefAI-Review-Status"));
        Assert.Equal(auditId, poll.Header("X-XefAI-Audit-Id"));
        Assert.Equal(call.Header("X-XefAI-Trace-Id"), poll.Header("X-XefAI-Trace-Id"));

        // Its request id is its own, as every answer's is.
        Assert.Matches("^[0-9a-f]{32}$", poll.Header("x-request-id"));
        Assert.NotEqual(call.Header("X-XefAI-Trace-Id"), poll.Header("x-request-id"));

        // Nothing of the held answer leaks through the poll: not its text, its model, nor its completion id.
        var pollBody = System.Text.Encoding.UTF8.GetString(poll.ResponseBody);
        Assert.DoesNotContain("Troponin", pollBody, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("chest pain", pollBody, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("xefai-local-extractive", pollBody, StringComparison.Ordinal);
        Assert.DoesNotContain("chatcmpl", pollBody, StringComparison.Ordinal);
        Assert.DoesNotContain("\"content\"", pollBody, StringComparison.Ordinal);

        var stranger = await other.GetCallAsync($"/v1/reviews/{reviewId}");
        Assert.Equal(404, stranger.Status);
        Assert.Equal("unknown_review", (string?)stranger.Json["error"]!["code"]);

        var pending = await admin.GetFromJsonAsync<JsonObject>("/admin/reviews");
        var listed = Assert.Single(pending!["data"]!.AsArray(), r => (string?)r!["id"] == reviewId)!;
        Assert.Equal("pending", (string?)listed["status"]);
        Assert.Equal(auditId, (string?)listed["auditId"]);
        Assert.Equal("triage", (string?)listed["useCase"]);
        Assert.Equal("test-app", (string?)listed["app"]);
        Assert.Equal(4, (int?)listed["riskTier"]);
        Assert.Equal("chat.completion", (string?)listed["answer"]!["object"]);
    }

    [Fact]
    public async Task Approve_HeldAnswer_AppGetsCompletionAndTrailHoldsHeldThenApproved()
    {
        using var client = fixture.Host.CreateClient();
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);
        var call = await client.PostChatAsync(ChatBody("triage", Note));
        var reviewId = (string)call.Json["id"]!;

        var approve = await admin.PostJsonAsync($"/admin/reviews/{reviewId}/approve", """{"comment":"ok"}""");

        Assert.Equal(200, approve.Status);
        Assert.Equal("approved", (string?)approve.Json["status"]);
        Assert.Equal("test-admin", (string?)approve.Json["reviewer"]);
        Assert.Equal("ok", (string?)approve.Json["comment"]);
        var released = await client.GetCallAsync($"/v1/reviews/{reviewId}");
        Assert.Equal(200, released.Status);
        Assert.Equal("chat.completion", (string?)released.Json["object"]);
        Assert.NotEmpty((string)released.Json["choices"]![0]!["message"]!["content"]!);
        Assert.Equal("test-admin", released.Header("X-XefAI-Reviewed-By"));
        Assert.Equal("approved", released.Header("X-XefAI-Review-Status"));

        var trail = await fixture.Host.GetAuditRecordsOfTraceAsync(call.Header("X-XefAI-Trace-Id")!);
        Assert.Equal(["held", "review-approved"], trail.Select(r => (string?)r["decision"]));
        Assert.Equal(call.Header("X-XefAI-Audit-Id"), (string?)trail[0]["id"]);
        Assert.Equal("admin:test-admin", (string?)trail[1]["app"]);
        Assert.Contains($"review:{reviewId}", (string?)trail[1]["reasons"], StringComparison.Ordinal);
        // What was held is what was released, byte for byte.
        Assert.Equal(released.ResponseSha256, (string?)trail[0]["outputSha256"]);
        Assert.Equal(released.ResponseSha256, (string?)trail[1]["outputSha256"]);

        var pending = await admin.GetFromJsonAsync<JsonObject>("/admin/reviews");
        Assert.DoesNotContain(pending!["data"]!.AsArray(), r => (string?)r!["id"] == reviewId);
    }

    [Fact]
    public async Task Metrics_HeldAndDecidedReviews_CountedSoPendingCanBeDerived()
    {
        using var client = fixture.Host.CreateClient();
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);
        var call = await client.PostChatAsync(ChatBody("triage", Note));
        await admin.PostJsonAsync($"/admin/reviews/{(string)call.Json["id"]!}/reject", """{"comment":"wrong patient"}""");

        using var scraper = fixture.Host.CreateClient(key: null);
        var metrics = await scraper.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Matches("(?m)^xefai_reviews_held_total\\{[^}]*use_case=\"triage\"[^}]*\\} [1-9]", metrics);
        Assert.Matches("(?m)^xefai_reviews_decided_total\\{[^}]*outcome=\"rejected\"[^}]*\\} [1-9]", metrics);
    }

    [Fact]
    public async Task Edit_HeldAnswer_ReleasesReviewerContentAndAuditsItsHash()
    {
        using var client = fixture.Host.CreateClient();
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);
        var call = await client.PostChatAsync(ChatBody("triage", Note));
        var reviewId = (string)call.Json["id"]!;
        const string Reviewed = "Likely NSTEMI: admit to cardiology, start dual antiplatelet therapy per protocol.";

        var edit = await admin.PostJsonAsync(
            $"/admin/reviews/{reviewId}/edit", new JsonObject { ["content"] = Reviewed, ["comment"] = "Made the plan explicit." }.ToJsonString());

        Assert.Equal(200, edit.Status);
        Assert.Equal("edited", (string?)edit.Json["status"]);
        var released = await client.GetCallAsync($"/v1/reviews/{reviewId}");
        Assert.Equal(200, released.Status);
        Assert.Equal(Reviewed, (string?)released.Json["choices"]![0]!["message"]!["content"]);
        Assert.Equal("edited", released.Header("X-XefAI-Review-Status"));
        Assert.Equal("test-admin", released.Header("X-XefAI-Reviewed-By"));
        var trail = await fixture.Host.GetAuditRecordsOfTraceAsync(call.Header("X-XefAI-Trace-Id")!);
        Assert.Equal(["held", "review-edited"], trail.Select(r => (string?)r["decision"]));
        Assert.Equal(released.ResponseSha256, (string?)trail[1]["outputSha256"]);
        Assert.NotEqual(released.ResponseSha256, (string?)trail[0]["outputSha256"]);

        // Tier 4 audits verbatim: the decision's own record holds the answer as released and the reviewer's words,
        // tied to the held call's record, so the edit is provable from the trail alone.
        Assert.Equal(4, (int?)trail[1]["riskTier"]);
        Assert.Equal(call.Header("X-XefAI-Audit-Id"), (string?)trail[1]["relatesTo"]);
        var releasedText = (string)trail[1]["outputText"]!;
        Assert.Contains(Reviewed, releasedText, StringComparison.Ordinal);
        Assert.Equal((string?)trail[1]["outputSha256"], Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(releasedText))));
        Assert.EndsWith(";comment:Made the plan explicit.", (string?)trail[1]["reasons"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Approve_HeldResponsesCall_AppGetsAResponseObjectWithTheHeldText()
    {
        using var client = fixture.Host.CreateClient();
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);
        var call = await client.PostJsonAsync("/v1/responses", new JsonObject { ["model"] = "triage", ["input"] = Note }.ToJsonString());
        Assert.Equal(202, call.Status);
        var reviewId = (string)call.Json["id"]!;

        var approve = await admin.PostJsonAsync($"/admin/reviews/{reviewId}/approve", """{"comment":"ok"}""");

        Assert.Equal(200, approve.Status);
        var released = await client.GetCallAsync($"/v1/reviews/{reviewId}");
        Assert.Equal(200, released.Status);
        Assert.Equal("response", (string?)released.Json["object"]);
        Assert.StartsWith("resp_", (string?)released.Json["id"], StringComparison.Ordinal);
        Assert.Equal("completed", (string?)released.Json["status"]);
        var text = (string?)released.Json["output"]![0]!["content"]![0]!["text"];
        Assert.False(string.IsNullOrEmpty(text));
        Assert.Null(released.Json["choices"]);

        // What was held is what was released, byte for byte, as for a chat caller.
        var trail = await fixture.Host.GetAuditRecordsOfTraceAsync(call.Header("X-XefAI-Trace-Id")!);
        Assert.Equal(["held", "review-approved"], trail.Select(r => (string?)r["decision"]));
        Assert.Equal(released.ResponseSha256, (string?)trail[1]["outputSha256"]);
    }

    [Fact]
    public async Task Edit_HeldResponsesCall_AppGetsAResponseObjectWithTheReviewersText()
    {
        using var client = fixture.Host.CreateClient();
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);
        var call = await client.PostJsonAsync("/v1/responses", new JsonObject { ["model"] = "triage", ["input"] = Note }.ToJsonString());
        var reviewId = (string)call.Json["id"]!;
        const string Reviewed = "Admit to cardiology.";

        var edit = await admin.PostJsonAsync($"/admin/reviews/{reviewId}/edit", new JsonObject { ["content"] = Reviewed }.ToJsonString());

        Assert.Equal(200, edit.Status);
        var released = await client.GetCallAsync($"/v1/reviews/{reviewId}");
        Assert.Equal(200, released.Status);
        Assert.Equal("response", (string?)released.Json["object"]);
        Assert.Equal(Reviewed, (string?)released.Json["output"]![0]!["content"]![0]!["text"]);
        Assert.Equal("edited", released.Header("X-XefAI-Review-Status"));
        var trail = await fixture.Host.GetAuditRecordsOfTraceAsync(call.Header("X-XefAI-Trace-Id")!);
        Assert.Equal(released.ResponseSha256, (string?)trail[1]["outputSha256"]);
    }

    [Fact]
    public async Task Edit_WithoutContent_400AndReviewStaysPending()
    {
        using var client = fixture.Host.CreateClient();
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);
        var call = await client.PostChatAsync(ChatBody("triage", Note));
        var reviewId = (string)call.Json["id"]!;

        var edit = await admin.PostJsonAsync($"/admin/reviews/{reviewId}/edit", """{"comment":"forgot the text"}""");

        Assert.Equal(400, edit.Status);
        Assert.Equal("invalid_decision", (string?)edit.Json["error"]!["code"]);
        Assert.Equal(202, (await client.GetCallAsync($"/v1/reviews/{reviewId}")).Status);
    }

    [Fact]
    public async Task Reject_HeldAnswer_Gone410AndLaterApprovalRefused409Audited()
    {
        using var client = fixture.Host.CreateClient();
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);
        var call = await client.PostChatAsync(ChatBody("triage", Note));
        var reviewId = (string)call.Json["id"]!;

        var reject = await admin.PostJsonAsync($"/admin/reviews/{reviewId}/reject", """{"comment":"Not supported by the chart."}""");

        Assert.Equal(200, reject.Status);
        Assert.Equal("rejected", (string?)reject.Json["status"]);
        var gone = await client.GetCallAsync($"/v1/reviews/{reviewId}");
        Assert.Equal(410, gone.Status);
        Assert.Equal("review_rejected", (string?)gone.Json["error"]!["code"]);

        // OpenAI's clients map type: one of OpenAI's own, the gateway's reason in code.
        Assert.Equal("invalid_request_error", (string?)gone.Json["error"]!["type"]);
        Assert.Contains("Not supported by the chart.", (string?)gone.Json["error"]!["message"], StringComparison.Ordinal);
        Assert.Null(gone.Json["choices"]);

        var late = await admin.PostJsonAsync($"/admin/reviews/{reviewId}/approve", """{"comment":"ok"}""");

        Assert.Equal(409, late.Status);
        Assert.Equal("review_already_decided", (string?)late.Json["error"]!["code"]);
        var message = (string)late.Json["error"]!["message"]!;
        Assert.Contains("already rejected", message, StringComparison.Ordinal);
        Assert.Contains("final", message, StringComparison.Ordinal);
        Assert.Equal(410, (await client.GetCallAsync($"/v1/reviews/{reviewId}")).Status);
        var all = await admin.GetFromJsonAsync<JsonObject>("/admin/reviews?status=all");
        var item = Assert.Single(all!["data"]!.AsArray(), r => (string?)r!["id"] == reviewId)!;
        Assert.Equal("rejected", (string?)item["status"]);
        Assert.Equal("Not supported by the chart.", (string?)item["comment"]);

        // The refused approval joins the call's own trail, after the decision that stands; the rejection's record says why.
        var trail = await fixture.Host.GetAuditRecordsOfTraceAsync(call.Header("X-XefAI-Trace-Id")!);
        Assert.Equal(["held", "review-rejected", "review-refused"], trail.Select(r => (string?)r["decision"]));
        Assert.EndsWith(";comment:Not supported by the chart.", (string?)trail[1]["reasons"], StringComparison.Ordinal);
        Assert.Equal(call.Header("X-XefAI-Audit-Id"), (string?)trail[1]["relatesTo"]);
        Assert.Null(trail[1]["outputText"]);
        var refused = Assert.Single(
            await fixture.Host.GetAuditRecordsAsync(),
            r => (string?)r["decision"] == "review-refused" && ((string?)r["reasons"])!.Contains($"review:{reviewId}", StringComparison.Ordinal));
        Assert.StartsWith("review_already_decided;", (string?)refused["reasons"], StringComparison.Ordinal);
        Assert.Equal(409, (int?)refused["statusCode"]);
        Assert.Equal("admin:test-admin", (string?)refused["app"]);
    }

    [Fact]
    public async Task Decide_UnknownReview_404Audited()
    {
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);

        var call = await admin.PostJsonAsync("/admin/reviews/rev_000000000000000000000000/approve", """{"comment":"ok"}""");

        Assert.Equal(404, call.Status);
        Assert.Equal("unknown_review", (string?)call.Json["error"]!["code"]);
        Assert.Contains(
            await fixture.Host.GetAuditRecordsAsync(),
            r => (string?)r["decision"] == "review-refused" && ((string?)r["reasons"])!.StartsWith("unknown_review;review:rev_000000000000000000000000", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Post_StreamOnHoldUseCase_400StreamNotAllowedAndNothingHeld()
    {
        using var client = fixture.Host.CreateClient();
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);

        var call = await client.PostChatAsync(
            new JsonObject
            {
                ["model"] = "triage",
                ["stream"] = true,
                ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = Note }),
            }.ToJsonString());

        Assert.Equal(400, call.Status);
        var error = call.Json["error"]!;
        Assert.Equal("stream_not_allowed", (string?)error["code"]);
        Assert.Equal("stream", (string?)error["param"]);
        Assert.Contains("held for clinician review", (string?)error["message"], StringComparison.Ordinal);
        var auditId = call.Header("X-XefAI-Audit-Id")!;
        var record = await fixture.Host.GetAuditRecordAsync(auditId);
        Assert.Equal("denied", (string?)record["decision"]);
        Assert.Equal("stream_not_allowed", record.ReasonsBeforeConfiguration());
        var all = await admin.GetFromJsonAsync<JsonObject>("/admin/reviews?status=all");
        Assert.DoesNotContain(all!["data"]!.AsArray(), r => (string?)r!["auditId"] == auditId);
    }

    [Fact]
    public async Task Suspend_UseCaseWithHeldAnswers_ApprovedOneNotReleasedAndApprovalRefusedUntilResumed()
    {
        using var client = fixture.Host.CreateClient();
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);
        var approvedFirst = (string)(await client.PostChatAsync(ChatBody("triage-killable", Note))).Json["id"]!;
        var held = await client.PostChatAsync(ChatBody("triage-killable", Note));
        var pending = (string)held.Json["id"]!;
        Assert.Equal(200, (await admin.PostJsonAsync($"/admin/reviews/{approvedFirst}/approve", "{}")).Status);

        Assert.Equal(200, (await admin.PostReasonAsync("/admin/use-cases/triage-killable/suspend", "Unsafe advice reported")).Status);
        try
        {
            // The kill switch reaches what is held: an answer approved before it is not released...
            var poll = await client.GetCallAsync($"/v1/reviews/{approvedFirst}");
            Assert.Equal(403, poll.Status);
            Assert.Equal("use_case_suspended", (string?)poll.Json["error"]!["code"]);
            Assert.Null(poll.Json["choices"]);

            // ...and a pending one cannot be approved or edited, which the trail records; it can still be rejected.
            var approve = await admin.PostJsonAsync($"/admin/reviews/{pending}/approve", "{}");
            Assert.Equal(409, approve.Status);
            Assert.Equal("use_case_suspended", (string?)approve.Json["error"]!["code"]);
            var edit = await admin.PostJsonAsync($"/admin/reviews/{pending}/edit", """{"content":"Admit."}""");
            Assert.Equal(409, edit.Status);
            Assert.Equal(202, (await client.GetCallAsync($"/v1/reviews/{pending}")).Status);
            var trail = await fixture.Host.GetAuditRecordsOfTraceAsync(held.Header("X-XefAI-Trace-Id")!);
            Assert.Equal(["held", "review-refused", "review-refused"], trail.Select(r => (string?)r["decision"]));
            Assert.StartsWith("use_case_suspended;", (string?)trail[1]["reasons"], StringComparison.Ordinal);
        }
        finally
        {
            Assert.Equal(200, (await admin.PostReasonAsync("/admin/use-cases/triage-killable/resume", "Reviewed")).Status);
        }

        Assert.Equal(200, (await client.GetCallAsync($"/v1/reviews/{approvedFirst}")).Status);
        Assert.Equal(200, (await admin.PostJsonAsync($"/admin/reviews/{pending}/approve", "{}")).Status);
        Assert.Equal(200, (await client.GetCallAsync($"/v1/reviews/{pending}")).Status);
    }

    /// <summary>One gateway with a tier-1, a tier-3 and a tier-4 use case, all served in-process.</summary>
    public sealed class ReviewGateway : IAsyncLifetime
    {
        public GatewayHost Host { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Host = await GatewayHost.StartAsync(c =>
            {
                c.AddUseCase("admin-note", GatewayHost.UseCase("Admin note", 1, "active", "local"), "test-app");
                c.AddUseCase("draft-note", GatewayHost.UseCase("Discharge draft", 3, "active", "local"), "test-app");
                c.AddTier4UseCase("triage", "Chest pain triage", "local", "test-app");
                c.AddTier4UseCase("triage-killable", "Chest pain triage, suspended by one test", "local", "test-app");
            });
            await Host.ActivateTier4Async("triage");
            await Host.ActivateTier4Async("triage-killable");
        }

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }
}
