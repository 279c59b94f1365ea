namespace XefAI.Gateway.Pipeline.Steps;

/// <summary>One step of a call's way through the gateway: one job, reading and writing the call's context.</summary>
internal interface ICallStep
{
    /// <summary>Does the step's job; refuses or fails the call by setting <see cref="CallContext.Error"/>.</summary>
    ValueTask ExecuteAsync(CallContext call);
}
