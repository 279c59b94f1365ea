using XefAI.Gateway.Pipeline.Invocation;
using XefAI.Gateway.Pipeline.Steps;
using XefAI.Integration;

namespace XefAI.Gateway.Pipeline;

internal static class PipelineServiceCollectionExtensions
{
    /// <summary>The governed pipeline, its steps and the model invoker; every way in gets the same pipeline.</summary>
    public static IServiceCollection AddGovernedPipeline(this IServiceCollection services)
    {
        services.AddSingleton<AuthenticateStep>();
        services.AddSingleton<ReadRequestStep>();
        services.AddSingleton<ResolveUseCaseStep>();
        services.AddSingleton<GovernStep>();
        services.AddSingleton<BufferCheckedStreamStep>();
        services.AddSingleton<BuildContextStep>();
        services.AddSingleton(sp => new ComposePromptStep(() => sp.GetRequiredService<XefAI.Data.IPromptTemplateCatalog>()));
        services.AddSingleton<ChooseDeploymentsStep>();
        services.AddSingleton<ProtectDataStep>();
        services.AddSingleton<InvokeModelStep>();
        services.AddSingleton<RestoreDataStep>();
        services.AddSingleton<CheckOutputStep>();
        services.AddSingleton<ReviewStep>();
        services.AddSingleton<CommitAuditStep>();
        services.AddSingleton<QueueReviewStep>();
        services.AddSingleton<ReleaseStep>();

        services.AddSingleton<CircuitTransitions>();
        services.AddSingleton<VendorDestinations>();
        services.AddSingleton<VendorCallBounds>();
        services.AddSingleton<VendorForwarder>();
        services.AddSingleton<ModelInvoker>();
        services.AddSingleton<AuditRecorder>();
        services.AddSingleton<CallStatistics>();
        services.AddSingleton<DriftMonitor>();
        services.AddSingleton<CallMeasurements>();
        services.AddSingleton<LoadShedder>();
        services.AddSingleton<CallPipeline>();
        services.AddSingleton<IGovernedPipeline>(sp => sp.GetRequiredService<CallPipeline>());
        return services;
    }
}
