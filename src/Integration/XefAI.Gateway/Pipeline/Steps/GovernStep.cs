using XefAI.Governance;
using XefAI.Integration;

namespace XefAI.Gateway.Pipeline.Steps;

/// <summary>
/// Govern: every policy of the Governance layer decides on the call as a whole (status, approvals, quotas, token
/// caps), and the use case's risk tier sets the obligations the rest of the way must meet: review, verbatim audit,
/// de-identification, a token cap.
/// </summary>
internal sealed class GovernStep(IPolicyEngine policies, IGatewayMetrics metrics) : ICallStep
{
    public ValueTask ExecuteAsync(CallContext call)
    {
        var useCase = call.UseCase!;
        var request = call.Request!;
        var decision = policies.Evaluate(new PolicyContext(useCase, call.App!.Id) { RequestedMaxTokens = request.Options.MaxTokens });
        if (!decision.IsAllowed)
        {
            call.Error = Refusal(decision.Denials);
            return ValueTask.CompletedTask;
        }

        var obligations = decision.Obligations;
        call.Obligations = obligations;
        if (obligations.Review == ReviewRequirement.Hold && request.Stream)
        {
            call.Error = CallError.InvalidRequest(
                "stream_not_allowed",
                $"Answers of use case '{useCase.Id}' (tier {(int)useCase.Tier}) are held for clinician review, so they cannot be streamed; send 'stream': false.",
                "stream");
        }
        else if (obligations.MaxTokens is { } cap && request.Operation == CallOperation.Chat && request.Options.MaxTokens is null)
        {
            // The tier caps what the vendor may be asked for, even when the app set no limit.
            call.Request = request with { Options = request.Options with { MaxTokens = cap } };
            if (request.Body is { } body)
            {
                body["max_tokens"] = cap;
            }
        }

        return ValueTask.CompletedTask;
    }

    private CallError Refusal(IReadOnlyList<PolicyDenial> denials)
    {
        foreach (var denial in denials)
        {
            metrics.RecordPolicyDenial(denial.ReasonCode);
        }

        var code = string.Join(',', denials.Select(d => d.ReasonCode));
        var message = string.Join(' ', denials.Select(d => d.Message));
        var retryAfter = denials.Max(d => d.RetryAfter);
        if (retryAfter is not null)
        {
            return new CallError(StatusCodes.Status429TooManyRequests, code, message) { RetryAfter = retryAfter };
        }

        return denials.Any(d => d.ReasonCode == "max_tokens_exceeded")
            ? CallError.InvalidRequest(code, message, "max_tokens")
            : CallError.Forbidden(code, message);
    }
}
