using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// The governance API as a committee uses it: the use-case and deployment kill switches, the tier-4 activation
/// rule, and what apps can read of their use cases. Every action, refused ones included, is audited.
/// </summary>
public sealed class GovernanceAdminTests
{
    private const string Note = "Stable overnight. Discharged home with follow-up in one week.";
    private const string Sponsor = "Dr. Ada Okafor";

    [Fact]
    public async Task SuspendUseCase_CallsRefusedNamingReasonUntilResumed_BothActionsAudited()
    {
        await using var host = await GatewayHost.StartAsync();
        using var client = host.CreateClient();
        using var admin = host.CreateClient(GatewayHost.AdminKey);
        Assert.Equal(200, (await client.PostChatAsync(ChatBody("summary", Note))).Status);

        var suspend = await admin.PostReasonAsync("/admin/use-cases/summary/suspend", "Hallucinated medications in weekly sample");

        Assert.Equal(200, suspend.Status);
        Assert.Equal("active", (string?)suspend.Json["from"]);
        Assert.Equal("suspended", (string?)suspend.Json["to"]);
        Assert.Equal("test-admin", (string?)suspend.Json["actor"]);
        var refused = await client.PostChatAsync(ChatBody("summary", Note));
        Assert.Equal(403, refused.Status);
        Assert.Equal("use_case_suspended", (string?)refused.Json["error"]!["code"]);
        Assert.Contains("Hallucinated medications in weekly sample", (string?)refused.Json["error"]!["message"], StringComparison.Ordinal);
        var listed = await client.GetFromJsonAsync<JsonObject>("/v1/use-cases");
        var summary = listed!["data"]!.AsArray().Single(u => (string?)u!["id"] == "summary")!;
        Assert.Equal("suspended", (string?)summary["status"]);
        Assert.Equal("Hallucinated medications in weekly sample", (string?)summary["statusReason"]);

        var resume = await admin.PostReasonAsync("/admin/use-cases/summary/resume", "Prompt fixed and re-validated");

        Assert.Equal(200, resume.Status);
        Assert.Equal("active", (string?)resume.Json["to"]);
        Assert.Equal(200, (await client.PostChatAsync(ChatBody("summary", Note))).Status);
        var records = await host.GetAuditRecordsAsync("summary");
        var suspendRecord = Assert.Single(records, r => (string?)r["decision"] == "use-case-suspend");
        Assert.Equal("admin:test-admin", (string?)suspendRecord["app"]);
        Assert.Equal(200, (int?)suspendRecord["statusCode"]);
        Assert.Contains("reason:Hallucinated medications in weekly sample", (string?)suspendRecord["reasons"], StringComparison.Ordinal);
        Assert.Single(records, r => (string?)r["decision"] == "use-case-resume");
        var history = await admin.GetFromJsonAsync<JsonObject>("/admin/use-cases/summary/history");
        Assert.Equal(["suspended", "active"], history!["data"]!.AsArray().Select(c => (string?)c!["to"]));
    }

    [Fact]
    public async Task UseCaseHistory_AnIdWithNeitherConfigurationNorHistory_404NamingIt_AConfiguredOneWithoutChanges_EmptyList()
    {
        await using var host = await GatewayHost.StartAsync();
        using var admin = host.CreateClient(GatewayHost.AdminKey);

        var unknown = await admin.GetCallAsync("/admin/use-cases/sumary/history");
        var unchanged = await admin.GetCallAsync("/admin/use-cases/summary/history");

        Assert.Equal(404, unknown.Status);
        Assert.Equal("unknown_use_case", (string?)unknown.Json["error"]!["code"]);
        Assert.Contains("'sumary'", (string?)unknown.Json["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal(200, unchanged.Status);
        Assert.Empty(unchanged.Json["data"]!.AsArray());
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"reason":"  "}""")]
    [InlineData(null)]
    public async Task SuspendUseCase_WithoutReason_400AuditedAndNothingChanged(string? body)
    {
        await using var host = await GatewayHost.StartAsync();
        using var client = host.CreateClient();
        using var admin = host.CreateClient(GatewayHost.AdminKey);

        var call = await admin.PostJsonAsync("/admin/use-cases/summary/suspend", body);

        Assert.Equal(400, call.Status);
        Assert.Equal("missing_reason", (string?)call.Json["error"]!["code"]);
        // Without a body the message asks for JSON first; with JSON it asks for the reason.
        Assert.Contains(body is null ? "JSON" : "reason", (string?)call.Json["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal(200, (await client.PostChatAsync(ChatBody("summary", Note))).Status);
        var refusal = Assert.Single(await host.GetAuditRecordsAsync("summary"), r => (string?)r["decision"] == "admin-refused");
        Assert.Equal("missing_reason;POST /admin/use-cases/summary/suspend", (string?)refusal["reasons"]);
        Assert.Equal(400, (int?)refusal["statusCode"]);
        Assert.Equal("admin:test-admin", (string?)refusal["app"]);
    }

    [Fact]
    public async Task ActivateRetiredUseCase_409InvalidTransitionAudited()
    {
        await using var host = await GatewayHost.StartAsync();
        using var admin = host.CreateClient(GatewayHost.AdminKey);

        var call = await admin.PostReasonAsync("/admin/use-cases/retired-case/activate", "Needed again");

        Assert.Equal(409, call.Status);
        Assert.Equal("invalid_transition", (string?)call.Json["error"]!["code"]);
        Assert.Contains("retired is final", (string?)call.Json["error"]!["message"], StringComparison.Ordinal);
        var refusal = Assert.Single(await host.GetAuditRecordsAsync("retired-case"), r => (string?)r["decision"] == "admin-refused");
        Assert.StartsWith("invalid_transition;", (string?)refusal["reasons"], StringComparison.Ordinal);
        Assert.Equal(409, (int?)refusal["statusCode"]);
    }

    [Theory]
    [InlineData("/admin/use-cases/no-such-case/suspend", "unknown_use_case")]
    [InlineData("/admin/use-cases/summary/pause", "unknown_action")]
    [InlineData("/admin/use-cases/summary/2", "unknown_action")]
    public async Task ChangeUseCase_UnknownUseCaseOrAction_404Audited(string path, string code)
    {
        await using var host = await GatewayHost.StartAsync();
        using var admin = host.CreateClient(GatewayHost.AdminKey);

        var call = await admin.PostReasonAsync(path, "Testing the kill switch");

        Assert.Equal(404, call.Status);
        Assert.Equal(code, (string?)call.Json["error"]!["code"]);
        Assert.Contains(
            await host.GetAuditRecordsAsync(),
            r => (string?)r["decision"] == "admin-refused" && (string?)r["reasons"] == $"{code};POST {path}");
    }

    [Theory]
    [InlineData(null, "missing_key")]
    [InlineData(GatewayHost.ClientKey, "invalid_admin_key")]
    public async Task SuspendUseCase_WithoutAdminKey_401AuditedAndNothingChanged(string? key, string kind)
    {
        await using var host = await GatewayHost.StartAsync();
        using var caller = host.CreateClient(key);
        using var client = host.CreateClient();

        var call = await caller.PostReasonAsync("/admin/use-cases/summary/suspend", "Let me switch it off");

        Assert.Equal(401, call.Status);
        Assert.Equal("invalid_api_key", (string?)call.Json["error"]!["code"]);
        Assert.Equal(200, (await client.PostChatAsync(ChatBody("summary", Note))).Status);
        // Refusals for want of a key are audited in aggregate, once their minute closes (here: flushed at once).
        await host.Services.GetRequiredService<Gateway.Security.AuthenticationFailures>().FlushAsync(all: true);
        var refusal = Assert.Single(await host.GetAuditRecordsAsync(), r => (string?)r["decision"] == "auth-refused");
        Assert.StartsWith($"{kind};route:admin;count:1;", (string?)refusal["reasons"], StringComparison.Ordinal);
        Assert.EndsWith(";request:POST /admin/use-cases/summary/suspend", (string?)refusal["reasons"], StringComparison.Ordinal);
        Assert.Equal(401, (int?)refusal["statusCode"]);
        Assert.Null((string?)refusal["app"]);
    }

    [Fact]
    public async Task SuspendDeployment_OnlyDeployment_403DeploymentSuspendedUntilResumed()
    {
        using var vendor = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(vendor.Configure));
        using var client = host.CreateClient();
        using var admin = host.CreateClient(GatewayHost.AdminKey);

        var suspend = await admin.PostReasonAsync("/admin/deployments/vendor/suspend", "Vendor reported a data incident");

        Assert.Equal(200, suspend.Status);
        var refused = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));
        Assert.Equal(403, refused.Status);
        Assert.Equal("deployment_suspended", (string?)refused.Json["error"]!["code"]);
        Assert.Contains("Vendor reported a data incident", (string?)refused.Json["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal(0, vendor.CallCount);
        var suspended = await admin.GetFromJsonAsync<JsonObject>("/admin/deployments/suspended");
        Assert.Equal("vendor", (string?)Assert.Single(suspended!["data"]!.AsArray())!["deploymentId"]);

        var resume = await admin.PostReasonAsync("/admin/deployments/vendor/resume", "Vendor incident closed");

        Assert.Equal(200, resume.Status);
        Assert.Equal(200, (await client.PostChatAsync(ChatBody("vendor-chat", "Hello"))).Status);
        Assert.Equal(1, vendor.CallCount);
        var records = await host.GetAuditRecordsAsync();
        Assert.Contains(records, r => (string?)r["decision"] == "deployment-suspend"
            && ((string?)r["reasons"])!.StartsWith("deployment:vendor;by:test-admin;reason:Vendor reported a data incident", StringComparison.Ordinal));
        Assert.Contains(records, r => (string?)r["decision"] == "deployment-resume");
    }

    [Fact]
    public async Task SuspendDeployment_UseCaseWithFallback_NextDeploymentAnswers()
    {
        using var vendor = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(c =>
        {
            vendor.Configure(c);
            c["Governance"]!["UseCases"]!["vendor-chat"]!["Providers"] = new JsonArray("vendor", "local");
        }));
        using var client = host.CreateClient();
        using var admin = host.CreateClient(GatewayHost.AdminKey);

        Assert.Equal(200, (await admin.PostReasonAsync("/admin/deployments/vendor/suspend", "Vendor outage")).Status);
        var call = await client.PostChatAsync(ChatBody("vendor-chat", Note));

        Assert.Equal(200, call.Status);
        Assert.Equal("local", call.Header("X-XefAI-Provider"));
        Assert.Equal(0, vendor.CallCount);
    }

    [Fact]
    public async Task SuspendDeployment_AlreadySuspendedOrUnknown_RefusedWithClearErrorAndAudited()
    {
        await using var host = await GatewayHost.StartAsync();
        using var admin = host.CreateClient(GatewayHost.AdminKey);
        Assert.Equal(200, (await admin.PostReasonAsync("/admin/deployments/vendor/suspend", "Vendor outage")).Status);

        var twice = await admin.PostReasonAsync("/admin/deployments/vendor/suspend", "Vendor outage again");
        var notSuspended = await admin.PostReasonAsync("/admin/deployments/local/resume", "Nothing to resume");
        var unknown = await admin.PostReasonAsync("/admin/deployments/no-such/suspend", "Typo");

        Assert.Equal(409, twice.Status);
        Assert.Equal("invalid_transition", (string?)twice.Json["error"]!["code"]);
        Assert.Contains("already suspended", (string?)twice.Json["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal(409, notSuspended.Status);
        Assert.Equal("invalid_transition", (string?)notSuspended.Json["error"]!["code"]);
        Assert.Equal(404, unknown.Status);
        Assert.Equal("unknown_deployment", (string?)unknown.Json["error"]!["code"]);
        var refusals = (await host.GetAuditRecordsAsync()).Where(r => (string?)r["decision"] == "admin-refused").Select(r => (string?)r["reasons"]).ToList();
        Assert.Contains("invalid_transition;POST /admin/deployments/vendor/suspend", refusals);
        Assert.Contains("invalid_transition;POST /admin/deployments/local/resume", refusals);
        Assert.Contains("unknown_deployment;POST /admin/deployments/no-such/suspend", refusals);
    }

    [Fact]
    public async Task SuspendUseCase_ThroughOneReplica_OtherReplicaSharingStateDatabaseRefusesSoon()
    {
        var shared = Path.Combine(Path.GetTempPath(), "xefai-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(shared);
        void Share(JsonObject c) => c["Governance"]!["Sqlite"] = new JsonObject { ["Path"] = Path.Combine(shared, "governance.db") };
        try
        {
            await using var first = await GatewayHost.StartAsync(Share);
            await using var second = await GatewayHost.StartAsync(Share);
            using var firstAdmin = first.CreateClient(GatewayHost.AdminKey);
            using var secondAdmin = second.CreateClient(GatewayHost.AdminKey);
            using var firstClient = first.CreateClient();
            using var secondClient = second.CreateClient();
            Assert.Equal(200, (await secondClient.PostChatAsync(ChatBody("summary", Note))).Status);

            Assert.Equal(200, (await firstAdmin.PostReasonAsync("/admin/use-cases/summary/suspend", "Committee hold")).Status);

            await AdminCalls.WaitUntilAsync(
                async () => (await secondClient.PostChatAsync(ChatBody("summary", Note))).Status == 403,
                "the suspension reaching the second replica");
            var refused = await secondClient.PostChatAsync(ChatBody("summary", Note));
            Assert.Equal("use_case_suspended", (string?)refused.Json["error"]!["code"]);
            Assert.Contains("Committee hold", (string?)refused.Json["error"]!["message"], StringComparison.Ordinal);

            // The second replica resumes from the shared status, not from its own configuration.
            Assert.Equal(200, (await secondAdmin.PostReasonAsync("/admin/use-cases/summary/resume", "Hold lifted")).Status);
            await AdminCalls.WaitUntilAsync(
                async () => (await firstClient.PostChatAsync(ChatBody("summary", Note))).Status == 200,
                "the resumption reaching the first replica");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(shared, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS to clean, as GatewayHost does.
            }
        }
    }

    [Fact]
    public async Task ActivateTier4_IncompleteModelCard_422ListsMissingAttributesAndUseCaseStaysOff()
    {
        string[] leftOut = ["SourceAttributes:ExternalValidation:Process", "Chai:BasicInfo:ModelDeveloper"];
        await using var host = await GatewayHost.StartAsync(c =>
        {
            var triage = c.AddUseCase("risk-score", GatewayHost.UseCase("Sepsis risk score", 4, "proposed", "local"), "test-app");
            triage["ClinicalSponsor"] = Sponsor;
            triage["ModelCard"] = GovernanceConfiguration.ModelCard(leftOut);
        });
        using var client = host.CreateClient();
        using var admin = host.CreateClient(GatewayHost.AdminKey);
        Assert.Equal(403, (await client.PostChatAsync(ChatBody("risk-score", Note))).Status);

        var approve = await admin.PostReasonAsync("/admin/use-cases/risk-score/approve", "Committee approved", Sponsor);
        var activate = await admin.PostReasonAsync("/admin/use-cases/risk-score/activate", "Go live");

        Assert.Equal(200, approve.Status);
        Assert.Equal("approved", (string?)approve.Json["to"]);
        Assert.Equal(422, activate.Status);
        var error = activate.Json["error"]!;
        Assert.Equal("model_card_incomplete", (string?)error["code"]);
        Assert.Equal(leftOut.Order(StringComparer.Ordinal), error["missing"]!.AsArray().Select(m => (string)m!).Order(StringComparer.Ordinal));
        Assert.Contains("SourceAttributes:ExternalValidation:Process", (string?)error["message"], StringComparison.Ordinal);
        var call = await client.PostChatAsync(ChatBody("risk-score", Note));
        Assert.Equal(403, call.Status);
        Assert.Equal("use_case_not_active", (string?)call.Json["error"]!["code"]);
        Assert.Contains(
            await host.GetAuditRecordsAsync("risk-score"),
            r => (string?)r["decision"] == "admin-refused" && ((string?)r["reasons"])!.StartsWith("model_card_incomplete;", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Suspend_ReasonTheStoreCannotHold_400NotAServerError()
    {
        await using var host = await GatewayHost.StartAsync();
        using var admin = host.CreateClient(GatewayHost.AdminKey);

        var call = await admin.PostJsonAsync("/admin/use-cases/summary/suspend", "{\"reason\":\"bad\\u0000reason\"}");

        Assert.True(call.Status is 200 or 400, $"HTTP {call.Status}");
        Assert.DoesNotContain("   at ", System.Text.Encoding.UTF8.GetString(call.ResponseBody), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_Tier4UseCaseConfiguredActive_RefusesToStartNamingTheGuard()
    {
        // Configuration cannot record a sponsor's approval: a tier-4 use case goes live only through the admin API.
        var error = await Assert.ThrowsAnyAsync<Exception>(() => GatewayHost.StartAsync(c =>
            c.AddUseCase("risk-score", GatewayHost.UseCase("Sepsis risk score", 4, "active", "local"), "test-app")));

        Assert.Contains("tier-4 use case cannot be configured 'active'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ActivateTier4_CompleteCardApprovedBySponsor_ActiveAndAnswersHeldForReview()
    {
        await using var host = await GatewayHost.StartAsync(c =>
        {
            var triage = c.AddUseCase("risk-score", GatewayHost.UseCase("Sepsis risk score", 4, "proposed", "local"), "test-app");
            triage["ClinicalSponsor"] = Sponsor;
            triage["ModelCard"] = GovernanceConfiguration.ModelCard();
        });
        using var client = host.CreateClient();
        using var admin = host.CreateClient(GatewayHost.AdminKey);

        var approve = await admin.PostReasonAsync("/admin/use-cases/risk-score/approve", "Committee approved", Sponsor);
        var activate = await admin.PostReasonAsync("/admin/use-cases/risk-score/activate", "Go live");

        Assert.Equal(200, approve.Status);
        Assert.Equal(Sponsor, (string?)approve.Json["clinicalSponsor"]);
        Assert.Equal(200, activate.Status);
        Assert.Equal("active", (string?)activate.Json["to"]);
        var call = await client.PostChatAsync(ChatBody("risk-score", Note));
        Assert.Equal(202, call.Status);
        Assert.Equal("4", call.Header("X-XefAI-Risk-Tier"));
        var records = await host.GetAuditRecordsAsync("risk-score");
        Assert.Contains(records, r => (string?)r["decision"] == "use-case-approve");
        Assert.Contains(records, r => (string?)r["decision"] == "use-case-activate");
    }

    [Fact]
    public async Task ApproveTier4_TheHashChainedAuditRecordNamesTheSponsorBeforeTheFreeTextReason()
    {
        await using var host = await GatewayHost.StartAsync(c =>
        {
            var triage = c.AddUseCase("risk-score", GatewayHost.UseCase("Sepsis risk score", 4, "proposed", "local"), "test-app");
            triage["ClinicalSponsor"] = Sponsor;
            triage["ModelCard"] = GovernanceConfiguration.ModelCard();
        });
        using var admin = host.CreateClient(GatewayHost.AdminKey);

        // A reason that tries to pass for a sponsor must stay inside the reason.
        var approve = await admin.PostReasonAsync("/admin/use-cases/risk-score/approve", "Committee approved;sponsor:Dr. Forged", Sponsor);

        Assert.Equal(200, approve.Status);
        var record = Assert.Single(await host.GetAuditRecordsAsync("risk-score"), r => (string?)r["decision"] == "use-case-approve");
        Assert.Equal($"Proposed->Approved;by:test-admin;sponsor:{Sponsor};reason:Committee approved;sponsor:Dr. Forged", (string?)record["reasons"]);

        // The tier the approval was made at is on the hash-chained record, as in the state store's history.
        Assert.Equal(4, (int?)record["riskTier"]);
    }

    [Fact]
    public async Task SuspendUseCase_ReasonIsANumber_400SayingItMustBeAStringNotThatItHoldsASurrogate()
    {
        await using var host = await GatewayHost.StartAsync();
        using var admin = host.CreateClient(GatewayHost.AdminKey);

        var call = await admin.PostJsonAsync("/admin/use-cases/summary/suspend", """{"reason":5}""");

        Assert.Equal(400, call.Status);
        Assert.Equal("'reason' must be a JSON string.", (string?)call.Json["error"]!["message"]);
    }

    [Fact]
    public async Task SuspendUseCase_ReasonWithUnpairedSurrogateEscape_400SayingSoNotThatItIsNoString()
    {
        await using var host = await GatewayHost.StartAsync();
        using var admin = host.CreateClient(GatewayHost.AdminKey);

        var call = await admin.PostJsonAsync("/admin/use-cases/summary/suspend", """{"reason":"Outage \ud800"}""");

        Assert.Equal(400, call.Status);
        var message = (string?)call.Json["error"]!["message"];
        Assert.Contains("'reason' holds an unpaired UTF-16 surrogate", message, StringComparison.Ordinal);
        Assert.DoesNotContain("must be a JSON string", message, StringComparison.Ordinal);
        var history = await admin.GetFromJsonAsync<JsonObject>("/admin/use-cases/summary/history");
        Assert.Empty(history!["data"]!.AsArray());
    }

    [Theory]
    [InlineData("""{"reason":"Committee approved","clinicalSponsor":"Dr. Someone Else","clinicalSponsor":"Dr. Ada Okafor"}""", "clinicalSponsor")]
    [InlineData("""{"reason":"Committee approved","reason":"Another reason","clinicalSponsor":"Dr. Ada Okafor"}""", "reason")]
    public async Task ApproveTier4_AMemberNamedTwice_400NamingItAndNothingChanged(string body, string member)
    {
        await using var host = await GatewayHost.StartAsync(c =>
        {
            var triage = c.AddUseCase("risk-score", GatewayHost.UseCase("Sepsis risk score", 4, "proposed", "local"), "test-app");
            triage["ClinicalSponsor"] = Sponsor;
            triage["ModelCard"] = GovernanceConfiguration.ModelCard();
        });
        using var admin = host.CreateClient(GatewayHost.AdminKey);

        var approve = await admin.PostJsonAsync("/admin/use-cases/risk-score/approve", body);

        Assert.Equal(400, approve.Status);
        Assert.Contains($"'{member}' twice", (string?)approve.Json["error"]!["message"], StringComparison.Ordinal);
        var history = await admin.GetFromJsonAsync<JsonObject>("/admin/use-cases/risk-score/history");
        Assert.Empty(history!["data"]!.AsArray());
        var records = await host.GetAuditRecordsAsync("risk-score");
        Assert.DoesNotContain(records, r => (string?)r["decision"] == "use-case-approve");
        Assert.Contains(records, r => (string?)r["decision"] == "admin-refused" && (int?)r["statusCode"] == 400);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Dr. Someone Else")]
    public async Task ActivateTier4_ApprovalNotNamingSponsor_422SponsorApprovalMissing(string? approvedBy)
    {
        await using var host = await GatewayHost.StartAsync(c =>
        {
            var triage = c.AddUseCase("risk-score", GatewayHost.UseCase("Sepsis risk score", 4, "proposed", "local"), "test-app");
            triage["ClinicalSponsor"] = Sponsor;
            triage["ModelCard"] = GovernanceConfiguration.ModelCard();
        });
        using var client = host.CreateClient();
        using var admin = host.CreateClient(GatewayHost.AdminKey);
        Assert.Equal(200, (await admin.PostReasonAsync("/admin/use-cases/risk-score/approve", "Committee approved", approvedBy)).Status);

        var activate = await admin.PostReasonAsync("/admin/use-cases/risk-score/activate", "Go live");

        Assert.Equal(422, activate.Status);
        Assert.Equal("sponsor_approval_missing", (string?)activate.Json["error"]!["code"]);
        Assert.Contains(Sponsor, (string?)activate.Json["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal(403, (await client.PostChatAsync(ChatBody("risk-score", Note))).Status);
    }

    [Fact]
    public async Task ListUseCases_AppSeesOnlyGrantedUseCasesWithTierAndStatus()
    {
        await using var host = await GatewayHost.StartAsync();
        using var client = host.CreateClient();
        using var other = host.CreateClient(GatewayHost.OtherClientKey);
        using var anonymous = host.CreateClient(key: null);

        var mine = await client.GetCallAsync("/v1/use-cases");
        var theirs = await other.GetCallAsync("/v1/use-cases");
        var nobody = await anonymous.GetCallAsync("/v1/use-cases");

        Assert.Equal(200, mine.Status);
        var data = mine.Json["data"]!.AsArray().Select(u => u!.AsObject()).ToList();
        Assert.Equal(["retired-case", "summary", "suspended-case", "vendor-chat"], data.Select(u => (string?)u["id"]));
        var summary = data.Single(u => (string?)u["id"] == "summary");
        Assert.Equal(2, (int?)summary["riskTier"]);
        Assert.Equal("active", (string?)summary["status"]);
        Assert.Equal("Chart summary", (string?)summary["name"]);
        var suspended = data.Single(u => (string?)u["id"] == "suspended-case");
        Assert.Equal(3, (int?)suspended["riskTier"]);
        Assert.Equal("suspended", (string?)suspended["status"]);
        Assert.Equal("Paused by the governance committee.", (string?)suspended["statusReason"]);
        Assert.Equal("retired", (string?)data.Single(u => (string?)u["id"] == "retired-case")["status"]);
        Assert.Equal(["summary"], theirs.Json["data"]!.AsArray().Select(u => (string?)u!["id"]));
        Assert.Equal(401, nobody.Status);
    }

    [Fact]
    public async Task ModelCard_GrantedUseCase_ShowsAttributesAndCompleteness()
    {
        await using var host = await GatewayHost.StartAsync(c =>
        {
            c.AddUseCase("complete-card", GatewayHost.UseCase("Complete", 4, "proposed", "local"), "test-app")["ModelCard"] =
                GovernanceConfiguration.ModelCard();
            c.AddUseCase("partial-card", GatewayHost.UseCase("Partial", 4, "proposed", "local"), "test-app")["ModelCard"] =
                GovernanceConfiguration.ModelCard("SourceAttributes:Purpose:IntendedUsers");
        });
        using var client = host.CreateClient();
        using var other = host.CreateClient(GatewayHost.OtherClientKey);

        var complete = await client.GetCallAsync("/v1/use-cases/complete-card/model-card");
        var partial = await client.GetCallAsync("/v1/use-cases/partial-card/model-card");
        var none = await client.GetCallAsync("/v1/use-cases/summary/model-card");
        var notGranted = await other.GetCallAsync("/v1/use-cases/complete-card/model-card");

        Assert.Equal(200, complete.Status);
        Assert.True((bool)complete.Json["complete"]!);
        Assert.Empty(complete.Json["missingAttributes"]!.AsArray());
        Assert.Equal(4, (int?)complete.Json["riskTier"]);
        var attributes = complete.Json["attributes"]!.AsArray().Select(a => a!.AsObject()).ToList();
        var required = GovernanceConfiguration.RequiredModelCardAttributes();
        Assert.All(required, path => Assert.Contains(attributes, a => (string?)a["path"] == path && (bool)a["required"]!));
        var developer = attributes.Single(a => (string?)a["path"] == "Chai:BasicInfo:ModelDeveloper");
        Assert.Equal("Chai:BasicInfo:ModelDeveloper as documented", (string?)developer["value"]);

        Assert.False((bool)partial.Json["complete"]!);
        Assert.Equal(["SourceAttributes:Purpose:IntendedUsers"], partial.Json["missingAttributes"]!.AsArray().Select(m => (string?)m));
        Assert.False((bool)none.Json["complete"]!);
        Assert.NotEmpty(none.Json["missingAttributes"]!.AsArray());
        Assert.Equal(404, notGranted.Status);

        var listed = await client.GetFromJsonAsync<JsonObject>("/v1/use-cases");
        var partialListed = listed!["data"]!.AsArray().Single(u => (string?)u!["id"] == "partial-card")!;
        Assert.False((bool)partialListed["modelCard"]!["complete"]!);
        Assert.Equal(1, (int?)partialListed["modelCard"]!["missing"]);
    }
}
