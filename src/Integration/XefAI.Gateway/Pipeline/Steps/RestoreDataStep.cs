using System.Text.Json.Nodes;
using XefAI.Data;
using XefAI.Gateway.Pipeline.Invocation;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline.Steps;

/// <summary>
/// Restore data: where the protect step replaced identifiers with tokens, and the tier lets the answer be re-identified
/// (<see cref="Governance.PolicyObligations.ReIdentify"/>; not tier 4 by default), the answer gets the values back
/// before the caller sees it, the answer as the vendor gave it being kept for the audit. A call whose protection
/// replaced nothing, or whose tier forbids it, is left as it is: the caller then gets the tokens. Vectors are never
/// restored: they hold no text.
/// </summary>
internal sealed class RestoreDataStep : ICallStep
{
    public ValueTask ExecuteAsync(CallContext call)
    {
        if (call.Protection is not { Replacements: > 0 } protection || !call.Obligations.ReIdentify)
        {
            return ValueTask.CompletedTask;
        }

        if (call.Answer is { } answer)
        {
            call.VendorAnswer = answer;
            call.Answer = Restore(protection, answer);
        }
        else if (call.Stream is { } stream)
        {
            call.Stream = new RestoringAnswerStream(stream, protection);
        }

        return ValueTask.CompletedTask;
    }

    private static ModelResponse Restore(IDataProtection protection, ModelResponse answer)
    {
        var completion = (JsonObject)answer.Completion.DeepClone();
        if (completion["choices"] is JsonArray choices)
        {
            foreach (var message in choices.OfType<JsonObject>().Select(c => c["message"]).OfType<JsonObject>())
            {
                if (message["content"] is JsonValue content && content.TryGetValue<string>(out var text))
                {
                    message["content"] = protection.Restore(text);
                }
            }
        }

        return answer with { Completion = completion, Content = protection.Restore(answer.Content) };
    }
}
