using System.Text;
using Microsoft.AspNetCore.Http;
using XefAI.Data;
using XefAI.Gateway.CdsHooks;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.Tests.Pipeline.TestSupport;
using XefAI.Governance;

namespace XefAI.Gateway.Tests.CdsHooks;

/// <summary>
/// A CDS call picks its task parameters from the template of its own configuration snapshot, the one its prompt is
/// composed with: a template edit put in force while the call runs does not change what that call passes.
/// </summary>
public sealed class CdsServiceAdapterSnapshotTests
{
    private const string ServiceId = "snapshot-service";

    private static readonly UseCase Templated = TestConfig.Summary with { PromptTemplate = new PromptTemplateReference("cds-template", "1") };

    [Fact]
    public async Task TranslateAsync_ReloadDuringCall_TaskParametersFollowTheCallsSnapshotTemplate()
    {
        // The call began with a template that declares patientId; a reload since put one in force that declares only hook.
        var callsOwn = new DeclaringCatalog("patientId");
        var inForce = new DeclaringCatalog("hook");
        var adapter = new CdsServiceAdapter(inForce, new NoPrefetch());
        var context = Call(Snapshot(callsOwn));

        var translation = await adapter.TranslateAsync(context, Body());

        Assert.Null(translation.Error);
        var parameters = translation.Request!.TaskParameters!;
        Assert.Equal("pat-1", parameters["patientId"]);
        Assert.False(parameters.ContainsKey("hook"));
        Assert.Equal(0, inForce.Finds);
        Assert.Equal(1, callsOwn.Finds);
    }

    [Fact]
    public async Task TranslateAsync_SnapshotWithoutCatalog_UsesTheCatalogGiven()
    {
        var given = new DeclaringCatalog("hook");
        var adapter = new CdsServiceAdapter(given, new NoPrefetch());

        var translation = await adapter.TranslateAsync(Call(Snapshot(prompts: null)), Body());

        Assert.Null(translation.Error);
        Assert.Equal("patient-view", translation.Request!.TaskParameters!["hook"]);
    }

    private static GatewaySnapshot Snapshot(IPromptTemplateCatalog? prompts)
    {
        var basis = TestConfig.Snapshot(useCases: [Templated]);
        var cds = new CdsHooksOptions();
        cds.Services[ServiceId] = new CdsServiceOptions { UseCase = Templated.Id, Hook = "patient-view", Description = "Test." };
        return new GatewaySnapshot(basis.Version, basis.Gateway, basis.Resilience, basis.Keys, basis.UseCases, basis.Models)
        {
            CdsHooks = cds,
            Prompts = prompts,
        };
    }

    private static DefaultHttpContext Call(GatewaySnapshot snapshot)
    {
        var context = new DefaultHttpContext();
        context.Features.Set(snapshot);
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("gateway.test");
        context.Request.ContentType = "application/json";
        context.Request.RouteValues["id"] = ServiceId;
        return context;
    }

    private static ReadOnlyMemory<byte> Body() => Encoding.UTF8.GetBytes(
        """{"hook":"patient-view","hookInstance":"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea","context":{"patientId":"pat-1","userId":"Practitioner/p-1"}}""");

    /// <summary>A catalog whose one template declares one task parameter, counting lookups.</summary>
    private sealed class DeclaringCatalog(string parameter) : IPromptTemplateCatalog
    {
        public int Finds { get; private set; }

        public IReadOnlyList<PromptTemplateInfo> Templates => [Info];

        private PromptTemplateInfo Info => new("cds-template", "1", new string('a', 64), null, [new PromptParameterInfo(parameter, null, false, null)]);

        public PromptTemplateInfo? Find(string templateName, string version)
        {
            Finds++;
            return templateName == "cds-template" && version == "1" ? Info : null;
        }

        public Task<RenderedPrompt> RenderAsync(
            string templateName, string version, ClinicalContext context, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("Translation never renders.");
    }

    private sealed class NoPrefetch : ICdsPrefetchFetcher
    {
        public Task<CdsPrefetchResult> FetchAsync(CdsPrefetchRequest request, CancellationToken cancellationToken) =>
            throw new NotSupportedException("The service declares no prefetch.");
    }
}
