using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using XefAI.Gateway.Configuration;
using XefAI.Governance;
using XefAI.Testing;

namespace XefAI.Gateway.Benchmarks.Micro;

/// <summary>
/// The governance policy engine as the pipeline calls it, with the policies the gateway registers and its test
/// configuration's use cases: once for the call as a whole (the govern step) and once per candidate deployment (the
/// choose step). The context is built per call, as the steps build it.
/// </summary>
[MemoryDiagnoser]
public class PolicyEvaluationBenchmarks
{
    private GatewayHost _gateway = null!;
    private IPolicyEngine _engine = null!;
    private UseCase _tier1 = null!;
    private UseCase _tier2 = null!;
    private DeploymentFacts _vendor = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _gateway = await GatewayHost.StartAsync();
        _engine = _gateway.Services.GetRequiredService<IPolicyEngine>();
        var snapshot = _gateway.Services.GetRequiredService<GatewaySnapshots>().Current;
        _tier1 = snapshot.UseCases.TryGet("vendor-chat", out var tier1) ? tier1 : throw new InvalidOperationException("No use case vendor-chat.");
        _tier2 = snapshot.UseCases.TryGet("summary", out var tier2) ? tier2 : throw new InvalidOperationException("No use case summary.");
        _vendor = new DeploymentFacts("vendor", "active", HasBaa: false);

        // Each case must take the path it names: allowed, with the obligations of its tier.
        Require(CallStageTier1().IsAllowed && CallStageTier2().IsAllowed && DeploymentStageTier1().IsAllowed, "a benchmarked call is denied");
        Require(CallStageTier2().Obligations.AuditVerbatim, "tier 2 carries no verbatim-audit obligation");
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _gateway.DisposeAsync();

    /// <summary>Govern step, tier 1 (metadata audit): every policy, then the tier's obligations.</summary>
    [Benchmark(Baseline = true)]
    public PolicyDecision CallStageTier1() => _engine.Evaluate(new PolicyContext(_tier1, "test-app") { RequestedMaxTokens = 200 });

    /// <summary>Govern step, tier 2: obligations to audit verbatim and to de-identify.</summary>
    [Benchmark]
    public PolicyDecision CallStageTier2() => _engine.Evaluate(new PolicyContext(_tier2, "test-app") { RequestedMaxTokens = 200 });

    /// <summary>Choose step: the same use case judged against one candidate deployment without a BAA.</summary>
    [Benchmark]
    public PolicyDecision DeploymentStageTier1() => _engine.Evaluate(new PolicyContext(_tier1, "test-app", _vendor) { CanDeIdentify = true });

    private static void Require(bool condition, string failure)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Benchmark set-up: " + failure);
        }
    }
}
