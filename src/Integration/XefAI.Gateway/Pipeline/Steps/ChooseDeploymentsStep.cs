using XefAI.Data;
using XefAI.Governance;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline.Steps;

/// <summary>
/// Choose deployments: of the use case's deployments for this operation, in its order, those governance lets serve this call. The host
/// states the facts of each (lifecycle, BAA, in process, whether the Data layer can de-identify); what they allow, and
/// whether what reaches each must be de-identified, is the Governance layer's policies to decide.
/// </summary>
internal sealed class ChooseDeploymentsStep(
    IPolicyEngine policies, IModelProviderCatalog providers, IDataProtector protector, IGatewayMetrics metrics) : ICallStep
{
    public ValueTask ExecuteAsync(CallContext call)
    {
        var useCase = call.UseCase!;
        var operation = call.Request!.Operation == CallOperation.Embeddings ? ModelOperations.Embeddings : ModelOperations.Chat;
        List<PolicyDenial>? refusals = null;
        var serving = 0;
        // By index: a foreach over the interface takes an enumerator per call.
        var ids = useCase.Providers;
        for (var i = 0; i < ids.Count; i++)
        {
            var id = ids[i];
            // A chat model is not asked for vectors, nor an embedding model for a completion.
            if (!call.Config.Models.TryGet(id, out var deployment) || !deployment.Serves(operation))
            {
                continue;
            }

            serving++;

            var inProcess = providers.TryGet(deployment.Kind, out var provider) && provider is IInProcessModelProvider or IInProcessEmbeddingProvider;
            var facts = new DeploymentFacts(
                deployment.Id, LifecycleName(deployment.Lifecycle), deployment.HasBaa, deployment.SunsetDate, inProcess);
            var decision = policies.Evaluate(new PolicyContext(useCase, call.App!.Id, facts) { CanDeIdentify = protector.DeIdentifies });
            if (decision.IsAllowed)
            {
                call.Candidates.Add(deployment);

                // Governance decides per deployment whether what reaches it must be de-identified; the protect step
                // then protects what leaves for every candidate if any of them needs it.
                call.DeIdentificationObliged |= decision.Obligations.DeIdentify;
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

        if (serving == 0 && useCase.Providers.Any(id => call.Config.Models.TryGet(id, out _)))
        {
            var what = operation == ModelOperations.Embeddings ? "embeddings" : "chat completions";
            call.Error = CallError.InvalidRequest(
                "operation_not_supported", $"Use case '{useCase.Id}' does not serve {what}: none of its deployments is a model for that.", call.Request.UseCaseParam);
        }
        else if (refusals is { Count: > 0 })
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

    /// <summary>The lifecycle as policies name it ("active"), without formatting the enum on every call.</summary>
    private static string LifecycleName(ModelLifecycle lifecycle) => lifecycle switch
    {
        ModelLifecycle.Candidate => "candidate",
        ModelLifecycle.Validated => "validated",
        ModelLifecycle.Active => "active",
        ModelLifecycle.Deprecated => "deprecated",
        ModelLifecycle.Retired => "retired",
        _ => lifecycle.ToString().ToLowerInvariant(),
    };
}
