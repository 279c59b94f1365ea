using System.Runtime.CompilerServices;
using System.Text;
using XefAI.Gateway.Pipeline.Invocation;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.Tests.Pipeline.TestSupport;

/// <summary>A started stream of the given chunks that ends as the test says: complete, or failed after its chunks.</summary>
internal sealed class TestAnswerStream(
    IReadOnlyList<string> chunks, CallError? failure = null, string? content = null, IReadOnlyList<StreamedToolCall>? toolCalls = null) : AnswerStream
{
    public bool Disposed { get; private set; }

    public override async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var chunk in chunks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return Encoding.UTF8.GetBytes(chunk);
        }

        await Task.CompletedTask;
        Failure = failure;
        Result = new StreamedAnswer(
            content ?? string.Concat(chunks), failure is null ? (toolCalls is null ? "stop" : "tool_calls") : null, new TokenUsage(3, chunks.Count), "test-model", toolCalls);
    }

    public override ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }

    /// <summary>An OpenAI <c>chat.completion.chunk</c> whose delta says <paramref name="text"/>, as the Models layer streams them.</summary>
    public static string Chunk(string text) =>
        new System.Text.Json.Nodes.JsonObject
        {
            ["object"] = "chat.completion.chunk",
            ["choices"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject
            {
                ["index"] = 0,
                ["delta"] = new System.Text.Json.Nodes.JsonObject { ["content"] = text },
            }),
        }.ToJsonString();
}
