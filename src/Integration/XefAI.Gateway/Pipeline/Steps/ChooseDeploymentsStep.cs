using XefAI.Data;
using XefAI.Governance;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline.Steps;

/// <summary>
/// Choose deployments: of the use case's deployments, in its order, those governance lets serve this call. The host
/// states the facts of each (lifecycle, BAA, in process, whether the Data layer can de-identify); what they allow is
/// the Governance layer's policies to decide.
/// </summary>
internal sealed class ChooseDeploymentsStep(
    IPolicyEngine policies, IModelProviderCatalog providers, IDataProtector protector, IGatewayMetrics metrics) : ICallStep
{
    public ValueTask ExecuteAsync(CallContext call)
    {
        var useCase = call.UseCase!;
        List<PolicyDenial>? refusals = null;
        foreach (var id in useCase.Providers)
        {
            if (!call.Config.Models.TryGet(id, out var deployment))
            {
                continue;
            }

            var inProcess = providers.TryGet(deployment.Kind, out var provider) && provider is IInProcessModelProvider or IInProcessEmbeddingProvider;
            var facts = new DeploymentFacts(
                deployment.Id, deployment.Lifecycle.ToString().ToLowerInvariant(), deployment.HasBaa, deployment.SunsetDate, inProcess);
            var decision = policies.Evaluate(new PolicyContext(useCase, call.App!.Id, facts) { CanDeIdentify = protector.DeIdentifies });
            if (decision.IsAllowed)
            {
                call.Candidates.Add(deployment);
            }
            else
            {
                (refusals ??= []).AddRange(decision.Denials);
            }
        }

        if (call.Candidates.Count > 0)
        {
            return ValueTask.CompletedTask;
        }

        if (refusals is { Count: > 0 })
        {
            foreach (var refusal in refusals)
            {
                metrics.RecordPolicyDenial(refusal.ReasonCode);
            }

            call.Error = CallError.Forbidden(
                string.Join(',', refusals.Select(d => d.ReasonCode).Distinct()),
                $"No model may serve use case '{useCase.Id}' now: " + string.Join(' ', refusals.Select(d => d.Message)));
        }
        else
        {
            call.Error = CallError.Unavailable("no_provider", $"Use case '{useCase.Id}' lists no deployment that is registered in Models:Deployments.");
        }

        return ValueTask.CompletedTask;
    }
}
