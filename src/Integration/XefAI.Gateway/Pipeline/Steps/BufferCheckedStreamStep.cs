using XefAI.Governance;

namespace XefAI.Gateway.Pipeline.Steps;

/// <summary>
/// Buffer a checked stream: output checks read a whole answer before it is released, so a stream asked of a use case
/// that any check applies to is asked of the model as one body (<c>stream</c> false, no <c>stream_options</c>), and
/// released as the stream the client asked for once the checks have passed it. Streaming cannot bypass the checks;
/// a use case no check applies to streams as the model answers.
/// </summary>
internal sealed class BufferCheckedStreamStep(IEnumerable<IOutputCheck> checks) : ICallStep
{
    private readonly IOutputCheck[] _checks = [.. checks];

    public ValueTask ExecuteAsync(CallContext call)
    {
        var request = call.Request!;
        if (!request.Stream || !AnyAppliesTo(call.UseCase!))
        {
            return ValueTask.CompletedTask;
        }

        call.CheckedStream = new CheckedStream(request.Options.IncludeUsage);
        call.Request = request with { Options = request.Options with { Stream = false, IncludeUsage = false } };
        if (request.Body is { } body)
        {
            // Providers read the options, but one that passes the client's body through must not ask for a stream either.
            body["stream"] = false;
            body.Remove("stream_options");
        }

        return ValueTask.CompletedTask;
    }

    private bool AnyAppliesTo(UseCase useCase)
    {
        foreach (var check in _checks)
        {
            if (check.AppliesTo(useCase))
            {
                return true;
            }
        }

        return false;
    }
}
