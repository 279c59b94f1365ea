using System.Text;
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
            // A model calls a tool only when the request offered one (OpenAI then says "stop", not "tool_calls", when
            // tool_choice named the function).
            var offeredTools = call.VendorBody is { } body && (body.ContainsKey("tools") || body.ContainsKey("functions"));
            call.Answer = Restore(protection, answer, offeredTools, AsksForJson(call.VendorBody));
        }
        else if (call.Stream is { } stream)
        {
            call.Stream = new RestoringAnswerStream(stream, protection, AsksForJson(call.VendorBody));
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Whether the request asked for a JSON answer (<c>response_format</c> <c>json_object</c> or <c>json_schema</c>, as the
    /// Responses API's <c>text.format</c> is written too): the caller parses that content, so a value restored into one of
    /// its strings must be escaped for it (<c>CORP\jsmith</c>, a quote in a name), as in a tool call's arguments.
    /// </summary>
    internal static bool AsksForJson(JsonObject? body) =>
        body?["response_format"] is JsonObject format && format["type"] is JsonValue type
        && type.TryGetValue<string>(out var kind) && kind is "json_object" or "json_schema";

    private static ModelResponse Restore(IDataProtection protection, ModelResponse answer, bool offeredTools, bool json)
    {
        // An answer whose text holds none of this call's tokens is released as it is: no copy of the completion, which
        // stays unmaterialized over the vendor's document. The gateway asks for one choice (n = 1), and Content is its text.
        var content = RestoreContent(protection, answer.Content, json);
        if (ReferenceEquals(content, answer.Content) && !ToolCallsHoldTokens(protection, answer, offeredTools) && !RefusalHoldsTokens(protection, answer))
        {
            return answer;
        }

        var completion = (JsonObject)answer.Completion.DeepClone();
        foreach (var message in Messages(completion))
        {
            if (message["content"] is JsonValue value && value.TryGetValue<string>(out var text))
            {
                message["content"] = RestoreContent(protection, text, json);
            }

            // A refusal is text for a person to read, never the JSON the request asked for.
            if (Refusal(message) is { } refusal)
            {
                message["refusal"] = RestoreText(protection, refusal);
            }

            ToolCallArguments.RestoreIds(protection, message);

            // The arguments are JSON the caller's code runs its tool with: each value is written escaped for it.
            ToolCallArguments.ForEachFunction(message, protection, static (function, protection) =>
            {
                if (ToolCallArguments.Of(function) is { } arguments)
                {
                    function["arguments"] = ToolCallArguments.Restore(protection, arguments);
                }
            });
        }

        return answer with { Completion = completion, Content = content };
    }

    /// <summary>
    /// The text of an answer with this call's values back, as JSON string content when the request asked for JSON; a
    /// token inside a URL stays the token (<see cref="UrlSpans"/>): a client that renders the answer would fetch an image
    /// at once, with the value, from a host the model chose. <paramref name="urls"/> carries what a stream has read before.
    /// </summary>
    internal static string RestoreContent(IDataProtection protection, string text, bool json, UrlSpans.State? urls = null) =>
        json ? ToolCallArguments.Restore(protection, text, urls) : RestoreText(protection, text, urls);

    /// <summary>
    /// Text for a person to read with this call's values back, except inside URLs; the protection restores the text
    /// between them (its tokens may be written otherwise than the gateway's). The same instance when nothing changed.
    /// </summary>
    internal static string RestoreText(IDataProtection protection, string text, UrlSpans.State? urls = null)
    {
        if (UrlSpans.Find(text, json: false, urls) is not { } spans)
        {
            return protection.Restore(text);
        }

        var restored = new StringBuilder(text.Length + 32);
        var changed = false;
        var copied = 0;
        foreach (var (start, end) in spans)
        {
            changed |= AppendRestored(protection, restored, text[copied..start]);
            restored.Append(text, start, end - start);
            copied = end;
        }

        changed |= AppendRestored(protection, restored, text[copied..]);
        return changed ? restored.ToString() : text;
    }

    private static bool AppendRestored(IDataProtection protection, StringBuilder restored, string text)
    {
        if (text.Length == 0)
        {
            return false;
        }

        var value = protection.Restore(text);
        restored.Append(value);
        return !string.Equals(value, text, StringComparison.Ordinal);
    }

    /// <summary>Whether the id or the arguments of any tool call in the answer hold one of this call's tokens.</summary>
    private static bool ToolCallsHoldTokens(IDataProtection protection, ModelResponse answer, bool offeredTools)
    {
        // An answer to a request that offered no tool, and that does not say it called one, is left unmaterialized over
        // the vendor's document: reading its message would build the object tree of every answer.
        if (!offeredTools && answer.FinishReason is not ("tool_calls" or "function_call"))
        {
            return false;
        }

        var completion = answer.Completion;
        var holds = false;
        foreach (var message in Messages(completion))
        {
            if (!message.ContainsKey("tool_calls") && !message.ContainsKey("function_call"))
            {
                continue;
            }

            holds |= ToolCallArguments.RestoreIds(protection, message, write: false);
            ToolCallArguments.ForEachFunction(message, protection, (function, protection) =>
                holds |= ToolCallArguments.Of(function) is { } arguments && !ReferenceEquals(ToolCallArguments.Restore(protection, arguments), arguments));
        }

        return holds;
    }

    /// <summary>
    /// Whether a refusal in the answer holds one of this call's tokens. The answer is read for one when its provider saw a
    /// refusal, or (a provider that does not say) when it has no text, as a model that refuses writes none (OpenAI sends
    /// <c>content: null</c> with a <c>refusal</c>); any other answer stays unmaterialized unless its text or tool calls
    /// are restored.
    /// </summary>
    private static bool RefusalHoldsTokens(IDataProtection protection, ModelResponse answer)
    {
        if (answer.Content.Length > 0 && !answer.HasRefusal)
        {
            return false;
        }

        foreach (var message in Messages(answer.Completion))
        {
            if (Refusal(message) is { } refusal && !ReferenceEquals(RestoreText(protection, refusal), refusal))
            {
                return true;
            }
        }

        return false;
    }

    private static string? Refusal(JsonObject message) =>
        message["refusal"] is JsonValue value && value.TryGetValue<string>(out var refusal) ? refusal : null;

    /// <summary>The <c>message</c> object of every choice.</summary>
    private static IEnumerable<JsonObject> Messages(JsonObject completion)
    {
        if (completion["choices"] is not JsonArray choices)
        {
            yield break;
        }

        foreach (var choice in choices)
        {
            if (choice is JsonObject { } c && c["message"] is JsonObject message)
            {
                yield return message;
            }
        }
    }
}
