using System.Net.Http.Json;
using System.Text.Json.Nodes;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// A use case activated while it was tier 1-3 and then configured tier 4, by a reload or across a restart over the same
/// state store, is refused (403 tier4_activation_required) until its sponsor approves it and it is activated again at
/// tier 4 through the admin API.
/// </summary>
[Collection(ConfigurationWatchingCollection.Name)]
public sealed class Tier4ActivationServingTests
{
    private const string UseCaseId = "risk-score";
    private const string CdsUseCaseId = "risk-card";
    private const string CdsService = "sepsis-risk-review";
    private const string Note = "Temp 38.9, HR 118, lactate 3.1. Stable otherwise.";

    [Fact]
    public async Task ConfigEdit_ActiveUseCaseRaisedToTier4_403UntilSponsorApprovesAndItIsActivatedAgain()
    {
        await using var host = await GatewayHost.StartAsync(c => AddRiskScore(c, tier: 2), watchConfiguration: true);
        using var client = host.CreateClient();
        using var admin = host.CreateClient(GatewayHost.AdminKey);
        Assert.Equal(200, (await admin.PostReasonAsync($"/admin/use-cases/{UseCaseId}/activate", "Go live at tier 2")).Status);
        var served = await client.PostChatAsync(ChatBody(UseCaseId, Note));
        Assert.Equal(200, served.Status);

        await host.EditConfigurationAsync(c => c["Governance"]!["UseCases"]![UseCaseId]!["Tier"] = 4);
        var refused = await client.PostChatAsync(ChatBody(UseCaseId, Note));

        Assert.Equal(403, refused.Status);
        Assert.Equal("tier4_activation_required", (string?)refused.Json["error"]!["code"]);
        Assert.Equal(
            $"Use case '{UseCaseId}' is tier 4 (clinical decision support) and is not served: it was made active (activate) while it was tier 2, " +
            "without the tier-4 checks; its configured clinical sponsor has no recorded approval of it. To serve it again, suspend it " +
            $"(POST /admin/use-cases/{UseCaseId}/suspend), have its clinical sponsor approve it (POST /admin/use-cases/{UseCaseId}/approve, " +
            $"naming them as clinicalSponsor) and activate it again (POST /admin/use-cases/{UseCaseId}/activate).",
            (string?)refused.Json["error"]!["message"]);
        var listed = (await admin.GetFromJsonAsync<JsonObject>("/admin/use-cases"))!["data"]!.AsArray().Single(u => (string?)u!["id"] == UseCaseId)!;
        Assert.Equal("active", (string?)listed["status"]);
        Assert.Equal((string?)refused.Json["error"]!["message"], (string?)listed["activationRefusal"]);
        var record = await host.GetAuditRecordAsync(refused.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("denied", (string?)record["decision"]);
        Assert.Equal("tier4_activation_required", record.ReasonsBeforeConfiguration());

        await ReactivateAtTier4Async(admin);

        var relisted = (await admin.GetFromJsonAsync<JsonObject>("/admin/use-cases"))!["data"]!.AsArray().Single(u => (string?)u!["id"] == UseCaseId)!;
        Assert.Null((string?)relisted["activationRefusal"]);
        var held = await client.PostChatAsync(ChatBody(UseCaseId, Note));
        Assert.Equal(202, held.Status);
        Assert.Equal("4", held.Header("X-XefAI-Risk-Tier"));
        var history = (await admin.GetFromJsonAsync<JsonObject>($"/admin/use-cases/{UseCaseId}/history"))!["data"]!.AsArray();
        Assert.Equal(
            [("activate", 2), ("suspend", 4), ("approve", 4), ("activate", 4)],
            history.Select(c => ((string)c!["action"]!, (int)c["riskTier"]!)));
    }

    [Fact]
    public async Task Restart_SameStateStoreConfiguredTier4_403UntilSponsorApprovesAndItIsActivatedAgain()
    {
        // Each host's folder goes with it; the state store outlives both, as a deployment's volume does.
        var state = Path.Combine(Path.GetTempPath(), "xefai-tests", Guid.NewGuid().ToString("N"));
        var database = Path.Combine(state, "governance.db");
        try
        {
            await using (var before = await GatewayHost.StartAsync(c => AddRiskScoreWithCdsService(c, tier: 3, database)))
            {
                using var admin = before.CreateClient(GatewayHost.AdminKey);
                Assert.Equal(200, (await admin.PostReasonAsync($"/admin/use-cases/{UseCaseId}/activate", "Go live at tier 3")).Status);
                Assert.Equal(200, (await admin.PostReasonAsync($"/admin/use-cases/{CdsUseCaseId}/activate", "Go live at tier 3")).Status);
                using var client = before.CreateClient();
                Assert.Equal(200, (await client.PostChatAsync(ChatBody(UseCaseId, Note))).Status);
                Assert.Equal([CdsService], await DiscoveredAsync(client));
            }

            await using var host = await GatewayHost.StartAsync(c => AddRiskScoreWithCdsService(c, tier: 4, database));
            using var restartedClient = host.CreateClient();
            using var restartedAdmin = host.CreateClient(GatewayHost.AdminKey);
            var refused = await restartedClient.PostChatAsync(ChatBody(UseCaseId, Note));

            Assert.Equal(403, refused.Status);
            Assert.Equal("tier4_activation_required", (string?)refused.Json["error"]!["code"]);
            Assert.Contains("while it was tier 3", (string?)refused.Json["error"]!["message"], StringComparison.Ordinal);

            // An EHR is not offered a service it would be refused, and an app's lists say the use case is not served.
            Assert.Empty(await DiscoveredAsync(restartedClient));
            var model = (await restartedClient.GetFromJsonAsync<JsonObject>($"/v1/models/{UseCaseId}"))!;
            Assert.Equal("active", (string?)model["status"]);
            Assert.False((bool)model["serving"]!);
            var listed = (await restartedClient.GetFromJsonAsync<JsonObject>("/v1/use-cases"))!["data"]!.AsArray().Single(u => (string?)u!["id"] == UseCaseId)!;
            Assert.False((bool)listed["serving"]!);
            Assert.Equal((string?)refused.Json["error"]!["message"], (string?)listed["activationRefusal"]);

            await ReactivateAtTier4Async(restartedAdmin);

            Assert.True((bool)(await restartedClient.GetFromJsonAsync<JsonObject>($"/v1/models/{UseCaseId}"))!["serving"]!);

            Assert.Equal(202, (await restartedClient.PostChatAsync(ChatBody(UseCaseId, Note))).Status);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(state))
            {
                Directory.Delete(state, recursive: true);
            }
        }
    }

    private static async Task ReactivateAtTier4Async(HttpClient admin)
    {
        var suspend = await admin.PostReasonAsync($"/admin/use-cases/{UseCaseId}/suspend", "Raised to tier 4");
        var approve = await admin.PostReasonAsync($"/admin/use-cases/{UseCaseId}/approve", "Sponsor reviewed the model card", GovernanceConfiguration.Tier4Sponsor);
        var activate = await admin.PostReasonAsync($"/admin/use-cases/{UseCaseId}/activate", "Go live at tier 4");

        Assert.Equal(200, suspend.Status);
        Assert.Equal(200, approve.Status);
        Assert.Equal(200, activate.Status);
        Assert.Equal(4, (int?)activate.Json["riskTier"]);
        Assert.Equal("active", (string?)activate.Json["to"]);
    }

    private static async Task<List<string?>> DiscoveredAsync(HttpClient client) =>
        [.. (await client.GetCallAsync("/cds-services")).Json["services"]!.AsArray().Select(s => (string?)s!["id"])];

    /// <summary><see cref="AddRiskScore"/>, and a second use case of the same tier behind a CDS Hooks service.</summary>
    private static void AddRiskScoreWithCdsService(JsonObject configuration, int tier, string stateDatabase)
    {
        AddRiskScore(configuration, tier, stateDatabase);
        var useCase = configuration.AddUseCase(CdsUseCaseId, GatewayHost.UseCase("Sepsis risk card", tier, "approved", "local"), "test-app");
        useCase["ClinicalSponsor"] = GovernanceConfiguration.Tier4Sponsor;
        useCase["ModelCard"] = GovernanceConfiguration.ModelCard();
        useCase["PromptTemplate"] = new JsonObject { ["Id"] = "chart-summary", ["Version"] = "1" };
        configuration["Data"]!["PromptsPath"] = Path.Combine(GatewayHost.RepositoryRoot, "config", "prompts");
        configuration["CdsHooks"] = new JsonObject
        {
            ["Services"] = new JsonObject
            {
                [CdsService] = new JsonObject
                {
                    ["UseCase"] = CdsUseCaseId,
                    ["Hook"] = "patient-view",
                    ["Description"] = "Scores sepsis risk when a clinician opens the chart.",
                    ["Indicator"] = "warning",
                },
            },
        };
    }

    /// <summary>The use case, approved in configuration, with a sponsor and a complete model card at any tier.</summary>
    private static void AddRiskScore(JsonObject configuration, int tier, string? stateDatabase = null)
    {
        if (stateDatabase is not null)
        {
            configuration["Governance"]!["Sqlite"] = new JsonObject { ["Path"] = stateDatabase };
        }

        var useCase = configuration.AddUseCase(UseCaseId, GatewayHost.UseCase("Sepsis risk score", tier, "approved", "local"), "test-app");
        useCase["ClinicalSponsor"] = GovernanceConfiguration.Tier4Sponsor;
        useCase["ModelCard"] = GovernanceConfiguration.ModelCard();
    }
}
