using XefAI.Governance;
using XefAI.Integration;

namespace XefAI.Gateway.Pipeline.Steps;

/// <summary>
/// Check output: the Governance layer's output checks that apply to the call's use case read the whole answer before
/// it is released; the first that objects withholds it. A stream asked of such a use case reaches here whole too
/// (<see cref="BufferCheckedStreamStep"/>); one that still streams is one no check applies to.
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

        var useCase = call.UseCase!;
        OutputCheckContext? context = null;
        foreach (var check in _checks)
        {
            if (!check.AppliesTo(useCase))
            {
                continue;
            }

            context ??= new OutputCheckContext(useCase, call.App!.Id, answer.Content);
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
