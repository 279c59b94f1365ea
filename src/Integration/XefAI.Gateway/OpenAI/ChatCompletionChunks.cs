using System.Text.Json.Nodes;
using XefAI.Models;

namespace XefAI.Gateway.OpenAI;

/// <summary>
/// Streams a finished answer (an in-process model's, or one the output checks read whole) as OpenAI
/// <c>chat.completion.chunk</c> events, so clients that asked for a stream get one whatever the provider: a role chunk,
/// the content line by line, each tool call the answer makes, the finish reason, and usage when asked for.
/// </summary>
internal static class ChatCompletionChunks
{
    public static IEnumerable<ReadOnlyMemory<byte>> From(ModelResponse answer, bool includeUsage)
    {
        var chunks = new OpenAIChatCompletionChunks(
            Text(answer.Completion["id"]) ?? "chatcmpl-xefai",
            Seconds(answer.Completion["created"]),
            answer.Model,
            includeUsage);
        yield return chunks.Start();
        var content = answer.Content;
        for (var start = 0; start < content.Length;)
        {
            var end = content.IndexOf('\n', start);
            end = end < 0 ? content.Length : end + 1;
            yield return chunks.Content(content[start..end]);
            start = end;
        }

        var index = 0;
        foreach (var toolCall in ToolCalls(answer.Completion))
        {
            if (toolCall["function"] is not JsonObject function)
            {
                continue;
            }

            yield return chunks.ToolCallStart(index, Text(toolCall["id"]) ?? $"call_{index}", Text(function["name"]) ?? string.Empty);
            if (Text(function["arguments"]) is { Length: > 0 } arguments)
            {
                yield return chunks.ToolCallArguments(index, arguments);
            }

            index++;
        }

        yield return chunks.Finish(answer.FinishReason ?? "stop");
        if (includeUsage && answer.Usage is { } usage)
        {
            yield return chunks.Usage(usage);
        }
    }

    /// <summary>The completion's <c>created</c> time; 0 when a vendor wrote none, or no whole number.</summary>
    private static long Seconds(JsonNode? node) =>
        node is not JsonValue value ? 0
        : value.TryGetValue<long>(out var seconds) ? seconds
        : value.TryGetValue<int>(out var small) ? small
        : 0;

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>The tool calls of an answer as a stream of it delivers them, for the audit; null when it made none.</summary>
    public static IReadOnlyList<StreamedToolCall>? StreamedToolCalls(ModelResponse answer)
    {
        List<StreamedToolCall>? calls = null;
        foreach (var toolCall in ToolCalls(answer.Completion))
        {
            if (toolCall["function"] is JsonObject function)
            {
                (calls ??= []).Add(new StreamedToolCall(
                    calls.Count, Text(toolCall["id"]) ?? $"call_{calls.Count}", Text(function["name"]) ?? string.Empty, Text(function["arguments"]) ?? string.Empty));
            }
        }

        return calls;
    }

    /// <summary>The tool calls of the first choice's message: the gateway asks for one choice.</summary>
    private static IEnumerable<JsonObject> ToolCalls(JsonObject completion) =>
        completion["choices"] is JsonArray { Count: > 0 } choices && choices[0]?["message"]?["tool_calls"] is JsonArray toolCalls
            ? toolCalls.OfType<JsonObject>()
            : [];
}
