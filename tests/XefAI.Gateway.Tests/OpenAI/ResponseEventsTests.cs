using System.Text;
using System.Text.Json.Nodes;
using XefAI.Gateway.OpenAI.Responses;
using XefAI.Integration;

namespace XefAI.Gateway.Tests.OpenAI;

/// <summary>Chat completion chunks written as the Responses API's semantic events, in the order its clients accumulate them.</summary>
public sealed class ResponseEventsTests
{
    [Fact]
    public void Frame_TextThenAToolCallThenUsage_EventsOpenEachItemBeforeItsDeltasAndEndCompletesThem()
    {
        var events = new ResponseEvents(new ResponseObject(JsonNode.Parse("""{"model":"m","input":"x"}""")!.AsObject(), TimeProvider.System));
        string[] chunks =
        [
            """{"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}""",
            """{"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Let me check."}}]}""",
            """{"model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"lookup","arguments":""}}]}}]}""",
            """{"model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"a\":"}}]}}]}""",
            """{"model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"1}"}}]}}]}""",
            """{"model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}""",
            """{"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":4,"total_tokens":13}}""",
        ];

        var parsed = FrameAll(events, chunks);

        Assert.Equal(
            [
                "response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added", "response.output_text.delta",
                "response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.delta",
                "response.output_text.done", "response.content_part.done", "response.output_item.done",
                "response.function_call_arguments.done", "response.output_item.done",
                "response.completed",
            ],
            parsed.Select(e => e.Type));
        Assert.All(parsed, e => Assert.Equal(e.Type, (string?)e.Data["type"]));
        Assert.Equal(Enumerable.Range(0, parsed.Count), parsed.Select(e => (int)e.Data["sequence_number"]!));

        var text = parsed.Single(e => e.Type == "response.output_text.delta").Data;
        Assert.Equal("Let me check.", (string?)text["delta"]);
        Assert.Equal(0, (int?)text["output_index"]);
        var call = parsed.First(e => e.Type == "response.function_call_arguments.delta").Data;
        Assert.Equal(1, (int?)call["output_index"]);

        var completed = parsed[^1].Data["response"]!;
        Assert.Equal("completed", (string?)completed["status"]);
        Assert.Equal("gpt-4o", (string?)completed["model"]);
        Assert.Equal("Let me check.", (string?)completed["output"]![0]!["content"]![0]!["text"]);
        Assert.Equal("call_1", (string?)completed["output"]![1]!["call_id"]);
        Assert.Equal("""{"a":1}""", (string?)completed["output"]![1]!["arguments"]);
        Assert.Equal(13, (int?)completed["usage"]!["total_tokens"]);
    }

    [Fact]
    public void Frame_ARefusal_StreamsAsARefusalPartWithItsDeltasAndItsDoneEvents()
    {
        // Structured outputs: the model refuses in the chat chunks' 'refusal', with no content.
        var events = new ResponseEvents(new ResponseObject([], TimeProvider.System));
        string[] chunks =
        [
            """{"choices":[{"index":0,"delta":{"role":"assistant","content":null,"refusal":""}}]}""",
            """{"choices":[{"index":0,"delta":{"refusal":"I can't help "}}]}""",
            """{"choices":[{"index":0,"delta":{"refusal":"with that."}}]}""",
            """{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""",
        ];
        var parsed = FrameAll(events, chunks);

        Assert.Equal(
            [
                "response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added", "response.refusal.delta", "response.refusal.delta",
                "response.refusal.done", "response.content_part.done", "response.output_item.done",
                "response.completed",
            ],
            parsed.Select(e => e.Type));
        Assert.Equal("refusal", (string?)parsed[3].Data["part"]!["type"]);
        Assert.All(parsed.Where(e => e.Data["content_index"] is not null), e => Assert.Equal(0, (int?)e.Data["content_index"]));
        Assert.Equal("I can't help with that.", (string?)parsed.Single(e => e.Type == "response.refusal.done").Data["refusal"]);
        var content = parsed[^1].Data["response"]!["output"]![0]!["content"]!.AsArray();
        var part = Assert.Single(content);
        Assert.Equal("refusal", (string?)part!["type"]);
        Assert.Equal("I can't help with that.", (string?)part["refusal"]);
    }

    [Fact]
    public void End_CutByTheTokenLimit_IsAnIncompleteResponseWithItsReason()
    {
        var events = new ResponseEvents(new ResponseObject([], TimeProvider.System));
        events.Frame(Encoding.UTF8.GetBytes("""{"choices":[{"index":0,"delta":{"content":"Half"},"finish_reason":"length"}]}"""));

        var last = Parse(Encoding.UTF8.GetString(events.End.Span))[^1];

        Assert.Equal("response.incomplete", last.Type);
        Assert.Equal("incomplete", (string?)last.Data["response"]!["status"]);
        Assert.Equal("max_output_tokens", (string?)last.Data["response"]!["incomplete_details"]!["reason"]);
    }

    [Fact]
    public void FrameError_IsAnErrorEventThatCarriesTheErrorTheClientsRaise()
    {
        var events = new ResponseEvents(new ResponseObject([], TimeProvider.System));

        var error = Parse(Encoding.UTF8.GetString(events.FrameError(new CallError(502, "vendor_stream_broken", "The vendor hung up.")).Span)).Single();

        Assert.Equal("error", error.Type);
        Assert.Equal("vendor_stream_broken", (string?)error.Data["code"]);
        Assert.Equal("The vendor hung up.", (string?)error.Data["error"]!["message"]);
        Assert.Equal("server_error", (string?)error.Data["error"]!["type"]);
    }

    /// <summary>Every chunk framed in turn, then the end, parsed back into events.</summary>
    private static List<(string Type, JsonNode Data)> FrameAll(ResponseEvents events, string[] chunks)
    {
        var written = new StringBuilder();
        foreach (var chunk in chunks)
        {
            written.Append(Encoding.UTF8.GetString(events.Frame(Encoding.UTF8.GetBytes(chunk)).Span));
        }

        written.Append(Encoding.UTF8.GetString(events.End.Span));
        return Parse(written.ToString());
    }

    private static List<(string Type, JsonNode Data)> Parse(string stream)
    {
        var events = new List<(string Type, JsonNode Data)>();
        foreach (var block in stream.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = block.Split('\n');
            Assert.StartsWith("event: ", lines[0], StringComparison.Ordinal);
            Assert.StartsWith("data: ", lines[1], StringComparison.Ordinal);
            events.Add((lines[0]["event: ".Length..], JsonNode.Parse(lines[1]["data: ".Length..])!));
        }

        return events;
    }
}
