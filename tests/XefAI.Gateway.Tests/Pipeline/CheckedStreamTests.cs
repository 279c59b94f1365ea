using System.Text;
using System.Text.Json.Nodes;
using XefAI.Gateway.OpenAI;
using XefAI.Gateway.Pipeline;
using XefAI.Gateway.Tests.Pipeline.TestSupport;

namespace XefAI.Gateway.Tests.Pipeline;

public sealed class CheckedStreamTests
{
    [Fact]
    public void Render_AnswerWithToolCalls_StreamsEachToolCallThenTheFinishReasonAndDone()
    {
        var answer = CallContexts.ToolCallAnswer("call_abc", "lookup_code", "{\"term\":\"asthma\"}");

        var rendered = new CheckedStream(IncludeUsage: false).Render(answer, ServerSentEvents.Instance);

        Assert.Equal(200, rendered.StatusCode);
        Assert.Equal("text/event-stream", rendered.ContentType);
        var text = Encoding.UTF8.GetString(rendered.Body.Span);
        Assert.EndsWith("data: [DONE]\n\n", text, StringComparison.Ordinal);
        var chunks = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)[..^1]
            .Select(e => JsonNode.Parse(e["data: ".Length..])!["choices"]![0]!)
            .ToList();
        var toolCalls = chunks.Select(c => c["delta"]?["tool_calls"]?[0]).Where(t => t is not null).ToList();
        Assert.Equal("call_abc", (string?)toolCalls[0]!["id"]);
        Assert.Equal("lookup_code", (string?)toolCalls[0]!["function"]!["name"]);
        Assert.Equal("{\"term\":\"asthma\"}", string.Concat(toolCalls.Select(t => (string?)t!["function"]!["arguments"])));
        Assert.Equal("tool_calls", (string?)chunks[^1]["finish_reason"]);
        Assert.DoesNotContain("\"usage\"", text, StringComparison.Ordinal);
    }
}
