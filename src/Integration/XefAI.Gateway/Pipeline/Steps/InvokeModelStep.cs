using System.Runtime.CompilerServices;
using XefAI.Data;
using XefAI.Gateway.Pipeline.Invocation;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline.Steps;

/// <summary>
/// Invoke the model: the invoker tries the chosen deployments with retry, breaker and fallback, and returns the
/// answer, the vectors, or a started stream; it never writes to the client.
/// </summary>
internal sealed class InvokeModelStep(ModelInvoker invoker, LoadShedder shedder, TimeProvider time) : ICallStep
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ExecuteAsync(CallContext call)
    {
        var useCase = call.UseCase!;
        // The call's place goes with its attempts, which give it back while they wait for a vendor.
        call.Attempts = new CallAttempts(call.HttpContext, call.Config.Resilience, useCase.Id, call.TraceId, time) { Place = call.Place };
        call.Place = null;
        var request = ModelCall.For(call.Request!, call.Messages, call.VendorBody ?? [], ToModelContext(call.Clinical));
        var started = time.GetTimestamp();
        call.InvokeStarted = started;
        try
        {
            var invocation = await invoker.InvokeAsync(call.Attempts, request, call.Candidates, useCase.Id, call.Config);
            call.Invocation = invocation;
            call.Deployment = invocation.Deployment;
            var final = invocation.Final;
            call.Error = final.Error;
            call.Answer = final.Answer;
            call.Embeddings = final.Embeddings;
            call.Stream = final.Stream;
        }
        finally
        {
            // Back from the vendor, the call takes a place again for the work that follows (restoring, checking, auditing
            // and writing the answer); one that left none, answered in process, has kept its own.
            call.Place = call.Attempts.LeftPlace ? shedder.Readmit() : call.Attempts.Place;
            call.Attempts.Place = null;

            // Only a call that asked a model is a GenAI operation (gen_ai.client.operation.duration, the gateway's
            // overhead): one refused before any request left, by the provider or for want of a destination, is not.
            call.VendorDuration = call.Attempts.ModelAsked ? time.GetElapsedTime(started) : null;

            // A call cut short by an exception still names the deployment it was trying, so its failure is counted
            // against that vendor rather than against none.
            call.Deployment ??= LastTried(call);
        }
    }

    private static ModelDeployment? LastTried(CallContext call)
    {
        var attempts = call.Attempts!.Attempts;
        if (attempts.Count == 0)
        {
            return null;
        }

        var id = attempts[^1].Deployment;
        foreach (var candidate in call.Candidates)
        {
            if (string.Equals(candidate.Id, id, StringComparison.Ordinal))
            {
                return candidate;
            }
        }

        return null;
    }

    private static ModelContext ToModelContext(ClinicalContext context) =>
        context.Facts.Count == 0 && context.FreeText.Count == 0
            ? ModelContext.Empty
            : new ModelContext(
                context.Facts.Count == 0 ? [] : context.Facts.Select(f => new ContextFact(f.Category, f.Text, f.Date, f.Status)).ToList(), context.FreeText);
}
