using XefAI.Models;

namespace XefAI.Gateway.OpenAI;

/// <summary>
/// Streams a finished in-process answer as OpenAI <c>chat.completion.chunk</c> events, so clients that asked
/// for a stream get one whatever the provider: a role chunk, the content line by line, the finish reason,
/// and usage when asked for.
/// </summary>
internal static class ChatCompletionChunks
{
    public static IEnumerable<ReadOnlyMemory<byte>> From(ModelResponse answer, bool includeUsage)
    {
        var chunks = new OpenAIChatCompletionChunks(
            (string?)answer.Completion["id"] ?? "chatcmpl-xefai",
            answer.Completion["created"]?.GetValue<long>() ?? 0,
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

        yield return chunks.Finish(answer.FinishReason ?? "stop");
        if (includeUsage && answer.Usage is { } usage)
        {
            yield return chunks.Usage(usage);
        }
    }
}
