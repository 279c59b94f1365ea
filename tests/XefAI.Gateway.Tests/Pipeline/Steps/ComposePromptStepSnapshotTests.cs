using XefAI.Data;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.Pipeline.Steps;
using XefAI.Gateway.Tests.Pipeline.TestSupport;
using XefAI.Integration;

namespace XefAI.Gateway.Tests.Pipeline.Steps;

/// <summary>
/// A call renders with the prompt templates of its own configuration snapshot: a template edit taken while it runs
/// changes the prompts of later calls only, and what the gateway reads outside a call follows the snapshot in force.
/// </summary>
public sealed class ComposePromptStepSnapshotTests
{
    private static readonly Governance.UseCase Templated = TestConfig.Summary with { PromptTemplate = new Governance.PromptTemplateReference("discharge-summary", "1") };

    [Fact]
    public async Task Execute_SnapshotCarriesItsCatalog_RendersWithItNotTheStepsOwn()
    {
        var stepsOwn = Catalog("From the step's own catalog.");
        var snapshots = Catalog("From the snapshot's catalog.");
        await using var call = Templating(WithPrompts(TestConfig.Snapshot(), snapshots));

        await new ComposePromptStep(stepsOwn).ExecuteAsync(call);

        Assert.Null(call.Error);
        Assert.Equal("From the snapshot's catalog.", call.Messages[0].Content);
        Assert.Equal(1, snapshots.Renders);
        Assert.Equal(0, stepsOwn.Renders);
    }

    [Fact]
    public async Task Execute_CallsOfTwoSnapshots_EachRendersWithItsOwnSnapshotsCatalog()
    {
        // One step for the process, as in the gateway: the call that began before an edit keeps the templates it began with.
        var step = new ComposePromptStep(Catalog("Never used."));
        await using var before = Templating(WithPrompts(TestConfig.Snapshot(), Catalog("Before the edit.")));
        await using var after = Templating(WithPrompts(TestConfig.Snapshot(), Catalog("After the edit.")));

        await step.ExecuteAsync(after);
        await step.ExecuteAsync(before);

        Assert.Equal("Before the edit.", before.Messages[0].Content);
        Assert.Equal("After the edit.", after.Messages[0].Content);
    }

    [Fact]
    public async Task SnapshotPromptTemplateCatalog_SnapshotInForce_RendersWithItsCatalog()
    {
        var inForce = Catalog("In force.");
        var catalog = new SnapshotPromptTemplateCatalog(GatewaySnapshots.Of(WithPrompts(TestConfig.Snapshot(), inForce)));

        var prompt = await catalog.RenderAsync("discharge-summary", "1", ClinicalContext.Empty, new Dictionary<string, string>());

        Assert.Equal("In force.", prompt.SystemMessage);
        Assert.Equal(1, inForce.Renders);
    }

    [Fact]
    public async Task SnapshotPromptTemplateCatalog_SnapshotWithoutCatalog_IsEmpty()
    {
        var catalog = new SnapshotPromptTemplateCatalog(GatewaySnapshots.Of(TestConfig.Snapshot()));

        Assert.Empty(catalog.Templates);
        Assert.Null(catalog.Find("discharge-summary", "1"));
        var ex = await Assert.ThrowsAsync<PromptTemplateException>(() =>
            catalog.RenderAsync("discharge-summary", "1", ClinicalContext.Empty, new Dictionary<string, string>()));
        Assert.Equal(PromptTemplateErrors.TemplateNotFound, ex.Code);
    }

    private static FakeTemplateCatalog Catalog(string system) =>
        new((name, version, _, _) => new RenderedPrompt(name, version, new string('a', 64), system, "User text."));

    private static GatewaySnapshot WithPrompts(GatewaySnapshot snapshot, IPromptTemplateCatalog prompts) =>
        new(snapshot.Version, snapshot.Gateway, snapshot.Resilience, snapshot.Keys, snapshot.UseCases, snapshot.Models) { Prompts = prompts };

    private static Gateway.Pipeline.CallContext Templating(GatewaySnapshot snapshot)
    {
        var call = CallContexts.Translated(
            new GatewayRequest(Templated.Id, CallOperation.Chat) { TaskParameters = new Dictionary<string, string>() },
            config: snapshot);
        call.UseCase = Templated;
        return call;
    }
}
