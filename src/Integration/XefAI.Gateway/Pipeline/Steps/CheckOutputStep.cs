using XefAI.Governance;
using XefAI.Integration;

namespace XefAI.Gateway.Pipeline.Steps;

/// <summary>
/// Check output: the Governance layer's output checks read a buffered answer before it is released; the first that
/// objects withholds it. A stream is sent as it comes, so output checks that must see a whole answer need the use case
/// to answer unstreamed.
/// </summary>
internal sealed class CheckOutputStep(IEnumerable<IOutputCheck> checks, IGatewayMetrics metrics) : ICallStep
{
    private readonly IOutputCheck[] _checks = [.. checks];

    public ValueTask ExecuteAsync(CallContext call)
    {
        if (_checks.Length == 0 || call.Answer is not { } answer)
        {
            return ValueTask.CompletedTask;
        }

        var context = new OutputCheckContext(call.UseCase!, call.App!.Id, answer.Content);
        foreach (var check in _checks)
        {
            if (check.Check(context) is { } denial)
            {
                metrics.RecordPolicyDenial(denial.ReasonCode);
                call.Error = new CallError(StatusCodes.Status422UnprocessableEntity, denial.ReasonCode, denial.Message);
                call.Answer = null;
                break;
            }
        }

        return ValueTask.CompletedTask;
    }
}
