using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using XefAI.Data;

namespace XefAI.Gateway.Pipeline.Invocation;

/// <summary>
/// The arguments of a model's tool calls are JSON text that the caller's own code parses and runs its tool with
/// (<c>{"mrn":"[MRN_1]"}</c>). On the way out they are de-identified like any text; on the way back each token gets its
/// value written as the JSON string it stands in needs it (a quote or a backslash escaped), so the arguments stay the
/// JSON the model wrote, with the values the caller knows.
/// </summary>
internal static class ToolCallArguments
{
    /// <summary>
    /// The tool calls of an assistant message (<c>tool_calls[].function</c> and the legacy <c>function_call</c>),
    /// each given to <paramref name="visit"/>; a message without any visits nothing.
    /// </summary>
    public static void ForEachFunction<TState>(JsonObject message, TState state, Action<JsonObject, TState> visit)
    {
        if (message["tool_calls"] is JsonArray calls)
        {
            for (var i = 0; i < calls.Count; i++)
            {
                if (calls[i] is JsonObject call && call["function"] is JsonObject function)
                {
                    visit(function, state);
                }
            }
        }

        if (message["function_call"] is JsonObject legacy)
        {
            visit(legacy, state);
        }
    }

    /// <summary>
    /// The ids of an answer's tool calls (<c>tool_calls[].id</c>) with this call's tokens restored, in place: a vendor
    /// may answer with an id the gateway protected (an app's id holding a name, sent back). An id is an opaque string,
    /// not JSON, so values are written as they are. A vendor's own id (<c>call_abc123</c>) holds no token and is kept.
    /// </summary>
    /// <returns>Whether any id changed; with <paramref name="write"/> false, nothing is written.</returns>
    public static bool RestoreIds(IDataProtection protection, JsonObject message, bool write = true)
    {
        var changed = false;
        if (message["tool_calls"] is JsonArray calls)
        {
            for (var i = 0; i < calls.Count; i++)
            {
                if (calls[i] is JsonObject call && call["id"] is JsonValue value && value.TryGetValue<string>(out var id)
                    && protection.Restore(id) is var restored && !ReferenceEquals(restored, id))
                {
                    changed = true;
                    if (write)
                    {
                        call["id"] = restored;
                    }
                }
            }
        }

        return changed;
    }

    /// <summary>The <c>arguments</c> string of a function object; null when it has none or it is not a string.</summary>
    public static string? Of(JsonObject function) =>
        function["arguments"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>
    /// The arguments as a vendor may see them. What the protection changed must still be JSON when the arguments were:
    /// a replacement that would break the caller's JSON refuses the call instead.
    /// </summary>
    /// <exception cref="DeIdentificationException">The protected arguments are no longer JSON.</exception>
    public static string Protect(IDataProtection protection, string arguments)
    {
        var result = protection.Protect(arguments);
        if (!ReferenceEquals(result, arguments) && IsJson(arguments) && !IsJson(result))
        {
            throw new DeIdentificationException("the arguments of a tool call could not be de-identified and kept as JSON.");
        }

        return result;
    }

    /// <summary>
    /// <paramref name="json"/> with this call's tokens replaced by their values, each escaped as the inside of a JSON
    /// string; the same instance when it holds none. A token this call never issued is left as it is, and so is a token
    /// inside a URL (<see cref="UrlSpans"/>): a tool that fetches a URL argument, or a caller that renders one, would send
    /// the value to the URL's host. <paramref name="urls"/> carries what a stream has read of this text before.
    /// </summary>
    public static string Restore(IDataProtection protection, string json, UrlSpans.State? urls = null)
    {
        var at = json.IndexOf('[');
        if (at < 0 && urls is null)
        {
            return json;
        }

        var spans = UrlSpans.Find(json, json: true, urls);
        StringBuilder? restored = null;
        var copied = 0;
        var span = 0;
        while (at >= 0)
        {
            var end = TokenEnd(json, at);
            while (spans is not null && span < spans.Count && spans[span].End <= at)
            {
                span++;
            }

            if (end > 0 && !(spans is not null && span < spans.Count && spans[span].Start <= at))
            {
                var token = json[at..end];
                var value = protection.Restore(token);
                if (!string.Equals(value, token, StringComparison.Ordinal))
                {
                    restored ??= new StringBuilder(json.Length + 32);
                    restored.Append(json, copied, at - copied);
                    restored.Append(JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value);
                    copied = end;
                }
            }

            at = json.IndexOf('[', end > 0 ? end : at + 1);
        }

        return restored is null ? json : restored.Append(json, copied, json.Length - copied).ToString();
    }

    /// <summary>The end of a token (<c>[</c>, then <c>A-Z</c>, <c>0-9</c> or <c>_</c>, then <c>]</c>) starting at <paramref name="open"/>; 0 when none does.</summary>
    private static int TokenEnd(string text, int open)
    {
        var limit = Math.Min(text.Length, open + RestoringAnswerStream.MaxTokenLength);
        for (var i = open + 1; i < limit; i++)
        {
            var c = text[i];
            if (c == ']')
            {
                return i > open + 1 ? i + 1 : 0;
            }

            if (c is not ((>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_'))
            {
                return 0;
            }
        }

        return 0;
    }

    private static bool IsJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
