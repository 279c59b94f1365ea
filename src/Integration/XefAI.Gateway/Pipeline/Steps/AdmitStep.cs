using System.Runtime.CompilerServices;

namespace XefAI.Gateway.Pipeline.Steps;

/// <summary>
/// Admit: the call takes one of <c>Gateway:Overload:MaxConcurrentCalls</c> processing places, waiting in the short queue
/// if there is room, once its body has arrived; a call that finds neither is shed (<see cref="LoadShedder"/>). Coming
/// after authentication and the body, a place is never held by a wrong key or by a body still on its way.
/// </summary>
internal sealed class AdmitStep(LoadShedder shedder) : ICallStep
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ExecuteAsync(CallContext call)
    {
        try
        {
            var lease = await shedder.EnterAsync(call.Aborted);
            if (lease.IsAcquired)
            {
                call.Place = lease;
                return;
            }

            lease.Dispose();
            call.ShedBy = LoadShedder.PlacesBound;
        }
        catch (OperationCanceledException) when (call.Aborted.IsCancellationRequested)
        {
            call.LeftWaiting = true;
        }
    }
}
