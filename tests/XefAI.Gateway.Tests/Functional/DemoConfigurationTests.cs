using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using XefAI.Gateway.Hosting;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// The shipped Development configuration, as the README's "Governance in five minutes" walks it: every demo use
/// case has a model card, the embeddings demo use case answers, and the tier-4 demo use case goes call → 202 →
/// review approved → answer on the embedded defaults, with no vendor and no test-only configuration.
/// </summary>
public sealed class DemoConfigurationTests
{
    // The demo keys the README gives; the Development file holds only their SHA-256 hashes.
    private const string DemoClientKey = "xefai-dev-key";
    private const string DemoAdminKey = "xefai-dev-admin-key";

    [Fact]
    public async Task GetModelCard_EveryDemoUseCase_AnswersAConfiguredCard()
    {
        await using var demo = await DemoGateway.StartAsync();
        using var client = demo.CreateClient(DemoClientKey);

        var useCases = (await client.GetCallAsync("/v1/use-cases")).Json["data"]!.AsArray().Select(u => u!.AsObject()).ToList();

        Assert.Equal(
            ["chart-summary", "discharge-summary", "note-embeddings", "patient-message-draft", "triage-summary"], useCases.Select(u => (string?)u["id"]).Order());
        foreach (var useCase in useCases)
        {
            var id = (string)useCase["id"]!;
            var card = await client.GetCallAsync($"/v1/use-cases/{id}/model-card");
            Assert.Equal(200, card.Status);
            Assert.True((bool)card.Json["complete"]!, $"{id}: {card.Json["missingAttributes"]!.ToJsonString()}");
            Assert.Empty(card.Json["missingAttributes"]!.AsArray());
            var attributes = card.Json["attributes"]!.AsArray().Select(a => a!.AsObject()).ToList();
            var modelName = attributes.Single(a => (string?)a["path"] == "Chai:BasicInfo:ModelName");
            // The demo models are not language models, nor neural ones, and were never validated: their cards must say so.
            var summary = (string?)attributes.Single(a => (string?)a["path"] == "Chai:ModelSummary:Summary")["value"];
            switch ((string?)modelName["value"])
            {
                case "xefai-local-extractive":
                    Assert.Contains("NOT a language model", summary, StringComparison.Ordinal);
                    break;
                case "xefai-local-hashing":
                    Assert.Contains("NOT a neural model", summary, StringComparison.Ordinal);
                    break;
            }
        }
    }

    [Fact]
    public async Task GetAudit_ShippedConfiguration_RecordedWhole_WithNoKeyKeyHashOrSalt()
    {
        await using var demo = await DemoGateway.StartAsync();
        using var client = demo.CreateClient(DemoClientKey);
        using var admin = demo.CreateClient(DemoAdminKey);
        Assert.Equal(200, (await client.PostChatAsync(ChatBody("discharge-summary", "Stable. Discharged home."))).Status);

        var trail = await admin.GetCallAsync("/admin/audit?limit=1000");
        var applied = Assert.Single(trail.Json["data"]!.AsArray(), r => (string?)r!["decision"] == "config_applied")!;
        var configuration = System.Text.Json.Nodes.JsonNode.Parse((string)applied["inputText"]!)!;
        Assert.Equal(4, (int)configuration["useCases"]!["triage-summary"]!["tier"]!);
        Assert.Equal("2024-07-18", (string?)configuration["deployments"]!["openai-gpt-4o-mini"]!["version"]);
        foreach (var secret in new[]
        {
            DemoClientKey, DemoAdminKey, GatewayHost.Sha256(DemoClientKey), GatewayHost.Sha256(DemoAdminKey), "development-only-salt-change-me",
        })
        {
            Assert.DoesNotContain(secret, Encoding.UTF8.GetString(trail.ResponseBody), StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Post_Tier4DemoUseCaseAfterSponsorApprovalAndActivation_HeldThenAnsweredOnceReviewApproved()
    {
        await using var demo = await DemoGateway.StartAsync();
        using var client = demo.CreateClient(DemoClientKey);
        using var admin = demo.CreateClient(DemoAdminKey);
        var triage = (await client.GetCallAsync("/v1/use-cases")).Json["data"]!.AsArray()
            .Select(u => u!.AsObject()).Single(u => (string?)u["id"] == "triage-summary");
        Assert.Equal(4, (int)triage["riskTier"]!);
        Assert.Equal("proposed", (string?)triage["status"]);
        const string Note = "58-year-old with crushing chest pain radiating to the left arm since 40 minutes. " +
            "Blood pressure 150/95, heart rate 110. History of type 2 diabetes.";

        var approve = await admin.PostReasonAsync(
            "/admin/use-cases/triage-summary/approve", "Model card reviewed.", (string)triage["clinicalSponsor"]!);
        var activate = await admin.PostReasonAsync("/admin/use-cases/triage-summary/activate", "Go-live for the demo.");
        var held = await client.PostChatAsync(ChatBody("triage-summary", Note));
        var reviewId = (string)held.Json["id"]!;
        var pending = await client.GetCallAsync($"/v1/reviews/{reviewId}");
        var decision = await admin.PostJsonAsync($"/admin/reviews/{reviewId}/approve", """{"comment":"Checked against the triage note."}""");
        var answer = await client.GetCallAsync($"/v1/reviews/{reviewId}");

        Assert.Equal(200, approve.Status);
        Assert.Equal(200, activate.Status);
        Assert.Equal(202, held.Status);
        Assert.Equal("4", held.Header("X-XefAI-Risk-Tier"));
        Assert.Equal($"/v1/reviews/{reviewId}", held.Response.Headers.Location?.OriginalString);
        Assert.Null(held.Json["choices"]);
        Assert.Equal(202, pending.Status);
        Assert.Equal(200, decision.Status);
        Assert.Equal(200, answer.Status);
        Assert.Equal("chat.completion", (string?)answer.Json["object"]);
        Assert.Contains("not a language model", (string?)answer.Json["choices"]![0]!["message"]!["content"], StringComparison.Ordinal);
        Assert.Equal("approved", answer.Header("X-XefAI-Review-Status"));
        Assert.True(File.Exists(demo.DefaultAuditDatabasePath), "the audit database lands in data/ beside config/");
    }

    [Fact]
    public async Task PostEmbeddings_DemoUseCase_AnswersLocalHashingVectorsWithNoVendor()
    {
        await using var demo = await DemoGateway.StartAsync();
        using var client = demo.CreateClient(DemoClientKey);

        // The README's example, on the embedded defaults.
        var call = await client.PostEmbeddingsAsync("""{"model":"note-embeddings","input":["a","b"]}""");

        Assert.Equal(200, call.Status);
        Assert.Equal("xefai-local-hashing", (string?)call.Json["model"]);
        Assert.Equal("local-hashing", call.Header("X-XefAI-Provider"));
        Assert.Equal("2", call.Header("X-XefAI-Risk-Tier"));
        var data = call.Json["data"]!.AsArray();
        Assert.Equal([0, 1], data.Select(d => (int)d!["index"]!));
        Assert.All(data, d => Assert.Equal(256, d!["embedding"]!.AsArray().Count));
    }

    [Fact]
    public async Task Invoke_DischargeSummaryDemoUseCase_AnswersFromItsShippedTemplateWithNoVendor()
    {
        await using var demo = await DemoGateway.StartAsync();
        using var client = demo.CreateClient(DemoClientKey);

        var call = await client.PostInvokeAsync("discharge-summary", TestBundles.Diabetic, "audience=patient");

        Assert.Equal(200, call.Status);
        Assert.Equal("local-extractive", call.Header("X-XefAI-Provider"));
        Assert.Equal("required", call.Header("X-XefAI-Review"));
        Assert.Equal("discharge-summary", (string?)call.Json["template"]!["name"]);
        Assert.Contains("Type 2 diabetes mellitus", (string?)call.Json["answer"], StringComparison.Ordinal);
        Assert.Equal(call.Header("X-XefAI-Audit-Id"), (string?)call.Json["audit_id"]);
    }

    /// <summary>
    /// The gateway on copies of the repository's <c>config/appsettings.json</c>, <c>appsettings.Development.json</c> and
    /// <c>prompts/</c>, started in Development as <c>dotnet run</c> starts it. Nothing is overridden: the databases land where the
    /// shipped configuration puts them, in <c>data/</c> beside the temporary <c>config/</c>.
    /// </summary>
    private sealed class DemoGateway : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly string _directory;
        private readonly Uri _address;

        private DemoGateway(WebApplication app, string directory, Uri address)
        {
            _app = app;
            _directory = directory;
            _address = address;
        }

        public string DefaultAuditDatabasePath => Path.Combine(_directory, "data", "audit.db");

        public static async Task<DemoGateway> StartAsync()
        {
            var directory = Path.Combine(Path.GetTempPath(), "xefai-tests", Guid.NewGuid().ToString("N"));
            var configDirectory = Path.Combine(directory, "config");
            Directory.CreateDirectory(configDirectory);
            foreach (var file in new[] { "appsettings.json", "appsettings.Development.json" })
            {
                File.Copy(Path.Combine(GatewayHost.RepositoryRoot, "config", file), Path.Combine(configDirectory, file));
            }

            // The prompt templates the demo use cases name, where Data:PromptsPath finds them: config/prompts.
            foreach (var template in Directory.EnumerateFiles(Path.Combine(GatewayHost.RepositoryRoot, "config", "prompts"), "*.json", SearchOption.AllDirectories))
            {
                var copy = Path.Combine(configDirectory, "prompts", Path.GetRelativePath(Path.Combine(GatewayHost.RepositoryRoot, "config", "prompts"), template));
                Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                File.Copy(template, copy);
            }

            var app = GatewayApp.Create(
            [
                "--urls=http://127.0.0.1:0",
                "--environment=Development",
                $"--{ConfigurationDirectory.SettingName}={configDirectory}",
                $"--{ConfigurationDirectory.WatchSettingName}=false",
            ]);
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new DemoGateway(app, directory, new Uri(address));
        }

        public HttpClient CreateClient(string key)
        {
            var client = new HttpClient { BaseAddress = _address };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            return client;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A file still open on a slow machine is left for the OS to clean; the test result stands.
            }
        }
    }
}
