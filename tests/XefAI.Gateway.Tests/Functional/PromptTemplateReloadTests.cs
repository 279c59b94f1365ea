using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// Prompt templates are configuration: an edit of a template file, a new template version, or a template a use case
/// can no longer use is a reload like an edit of appsettings.json, taken without a restart or refused with the last
/// good templates staying in force.
/// </summary>
[Collection(ConfigurationWatchingCollection.Name)]
public sealed class PromptTemplateReloadTests : IDisposable
{
    private const string Task = "reload-task";
    private const string TemplateName = "reload-summary";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "xefai-tests", Guid.NewGuid().ToString("N"));
    private readonly FakeVendor _vendor = new FakeVendor().AnswersWithExample();
    private readonly FakeLoggerProvider _logs = new();

    public PromptTemplateReloadTests()
    {
        Directory.CreateDirectory(Path.Combine(_directory, "config", "prompts", TemplateName));
        File.WriteAllText(TemplatePath("1"), Template("Wording one."));
    }

    [Fact]
    public async Task TemplateEdit_WatchingGateway_NextCallSendsTheEditedPrompt()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        var first = await client.PostInvokeAsync(Task, TestBundles.SyntheaStyle);
        Assert.Equal(200, first.Status);
        Assert.Equal("Wording one.", SystemMessageSent());
        var before = host.Reloads;

        await GatewayHost.ReplaceFileAsync(TemplatePath("1"), Template("Wording two."));
        await host.WaitForReloadAsync(before, applied: true);

        var second = await client.PostInvokeAsync(Task, TestBundles.SyntheaStyle);
        Assert.Equal(200, second.Status);
        Assert.Equal("Wording two.", SystemMessageSent());
        Assert.NotEqual((string?)first.Json["template"]!["sha256"], (string?)second.Json["template"]!["sha256"]);
    }

    [Fact]
    public async Task TemplateEdit_DoesNotParse_RejectedLoggedAndTheOldPromptStillSent()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        var before = host.Reloads;

        await GatewayHost.ReplaceFileAsync(TemplatePath("1"), """{ "system": ["{{$undeclared_variable}}"], "user": ["{{$context_text}}"] }""");
        await host.WaitForReloadAsync(before, applied: false);

        var call = await client.PostInvokeAsync(Task, TestBundles.SyntheaStyle);
        Assert.Equal(200, call.Status);
        Assert.Equal("Wording one.", SystemMessageSent());
        Assert.Contains(_logs.Collector.GetSnapshot(), r => r.Level == LogLevel.Error
            && r.Message.Contains("rejected", StringComparison.Ordinal)
            && r.Message.Contains("Data:PromptsPath", StringComparison.Ordinal)
            && r.Message.Contains("undeclared_variable", StringComparison.Ordinal));

        // Fixed, the folder is taken again.
        before = host.Reloads;
        await GatewayHost.ReplaceFileAsync(TemplatePath("1"), Template("Wording fixed."));
        await host.WaitForReloadAsync(before, applied: true);
        Assert.Equal(200, (await client.PostInvokeAsync(Task, TestBundles.SyntheaStyle)).Status);
        Assert.Equal("Wording fixed.", SystemMessageSent());
    }

    [Fact]
    public async Task TemplateVersionRemoved_UseCaseStillNamesIt_RejectedAndTheOldPromptStillSent()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        var before = host.Reloads;

        File.Move(TemplatePath("1"), TemplatePath("2"));
        await host.WaitForReloadAsync(before, applied: false);

        var call = await client.PostInvokeAsync(Task, TestBundles.SyntheaStyle);
        Assert.Equal(200, call.Status);
        Assert.Equal("1", (string?)call.Json["template"]!["version"]);
        Assert.Equal("Wording one.", SystemMessageSent());
        Assert.Contains(_logs.Collector.GetSnapshot(), r => r.Level == LogLevel.Error
            && r.Message.Contains($"names prompt template {TemplateName}/1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TemplateVersionAdded_ThenNamedByTheUseCase_CallsUseItWithoutRestart()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        var before = host.Reloads;

        await GatewayHost.ReplaceFileAsync(TemplatePath("2"), Template("Version two."));
        await host.WaitForReloadAsync(before, applied: true);
        await host.EditConfigurationAsync(c => c["Governance"]!["UseCases"]![Task]!["PromptTemplate"]!["Version"] = "2");

        var call = await client.PostInvokeAsync(Task, TestBundles.SyntheaStyle);
        Assert.Equal(200, call.Status);
        Assert.Equal("2", (string?)call.Json["template"]!["version"]);
        Assert.Equal("Version two.", SystemMessageSent());
    }

    [Fact]
    public async Task PromptsPathEdited_CallsUseTheNewFolderAndItsEditsAreWatched()
    {
        var other = Path.Combine(_directory, "config", "prompts-b", TemplateName, "1.json");
        Directory.CreateDirectory(Path.GetDirectoryName(other)!);
        await File.WriteAllTextAsync(other, Template("Other folder."));
        await using var host = await StartAsync();
        using var client = host.CreateClient();

        await host.EditConfigurationAsync(c => c["Data"]!["PromptsPath"] = Path.Combine(_directory, "config", "prompts-b"));
        Assert.Equal(200, (await client.PostInvokeAsync(Task, TestBundles.SyntheaStyle)).Status);
        Assert.Equal("Other folder.", SystemMessageSent());

        var before = host.Reloads;
        await GatewayHost.ReplaceFileAsync(other, Template("Other folder, edited."));
        await host.WaitForReloadAsync(before, applied: true);
        Assert.Equal(200, (await client.PostInvokeAsync(Task, TestBundles.SyntheaStyle)).Status);
        Assert.Equal("Other folder, edited.", SystemMessageSent());
    }

    public void Dispose()
    {
        _vendor.Dispose();
        _logs.Dispose();
    }

    private Task<GatewayHost> StartAsync() => GatewayHost.StartAsync(
        CoveredVendors.WithBaa(configuration =>
        {
            _vendor.Configure(configuration);
            var useCase = configuration.AddUseCase(Task, GatewayHost.UseCase("Summary from an editable template", 1, "active", "vendor"), "test-app");
            useCase["PromptTemplate"] = new JsonObject { ["Id"] = TemplateName, ["Version"] = "1" };
        }),
        directory: _directory,
        watchConfiguration: true,
        builder: b => b.Logging.AddProvider(_logs));

    private string TemplatePath(string version) => Path.Combine(_directory, "config", "prompts", TemplateName, $"{version}.json");

    private string? SystemMessageSent() => (string?)_vendor.LastRequestBody["messages"]![0]!["content"];

    private static string Template(string system) => $$$"""{ "system": ["{{{system}}}"], "user": ["{{$context_text}}"] }""";
}
