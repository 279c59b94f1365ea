using System.Text.Json.Nodes;
using XefAI.Data;
using XefAI.Gateway.Pipeline.Invocation;
using XefAI.Gateway.Tests.Pipeline.TestSupport;

namespace XefAI.Gateway.Tests.Pipeline;

/// <summary>Tokens restored in a stream whatever way the vendor cuts its deltas, and nothing else changed or lost.</summary>
public sealed class RestoringAnswerStreamTests
{
    private const string Name = "Alice Example";
    private const string Token = "[NAME_1]";

    public static TheoryData<int> TokenSplits() => [.. Enumerable.Range(0, Token.Length + 1)];

    [Theory]
    [MemberData(nameof(TokenSplits))]
    public async Task Read_TokenSplitAcrossTwoDeltasAtAnyPosition_TheCallerGetsTheValueWhole(int split)
    {
        var first = "Call " + Token[..split];
        var second = Token[split..] + " today.";

        var deltas = await ReadDeltasAsync([Chunk(first), Chunk(second), Finish()]);

        Assert.Equal($"Call {Name} today.", string.Concat(deltas[0]));
        Assert.All(deltas[0], d => Assert.DoesNotContain("NAME", d, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TokenSplits))]
    public async Task Read_TokenSplitAtAnyPositionAndTheStreamEndsWithoutAFinishReason_NothingIsLost(int split)
    {
        var deltas = await ReadDeltasAsync([Chunk("Call " + Token[..split]), Chunk(Token[split..])]);

        Assert.Equal($"Call {Name}", string.Concat(deltas[0]));
    }

    [Fact]
    public async Task Read_TokenSplitIntoOneCharacterPerDelta_TheValueIsRestored()
    {
        string[] chunks = [Chunk("Hello "), .. Token.Select(c => Chunk(c.ToString())), Chunk("!"), Finish()];

        var deltas = await ReadDeltasAsync(chunks);

        Assert.Equal($"Hello {Name}!", string.Concat(deltas[0]));
        Assert.All(deltas[0], d => Assert.DoesNotContain("[", d, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("x[0", "] is the first.")]
    [InlineData("See [NOTE", " below")]
    [InlineData("[", "]")]
    [InlineData("[A", "b]")]
    [InlineData("[NAME_2", "] is unknown")]
    [InlineData("Trailing [", "")]
    public async Task Read_BracketThatNeverBecomesAKnownToken_ComesOutUnchangedAndWhole(string first, string second)
    {
        var deltas = await ReadDeltasAsync([Chunk(first), Chunk(second), Finish()]);

        Assert.Equal(first + second, string.Concat(deltas[0]));
    }

    [Theory]
    [MemberData(nameof(TokenSplits))]
    public async Task Read_RefusalWithATokenSplitAtAnyPosition_TheCallerGetsTheValueWhole(int split)
    {
        string[] chunks = [RefusalChunk("I can't discuss " + Token[..split]), RefusalChunk(Token[split..] + "."), Finish()];

        var refusal = string.Concat((await ReadChunksAsync(Restoring(chunks))).Select(c => (string?)c["choices"]![0]!["delta"]?["refusal"]));

        Assert.Equal($"I can't discuss {Name}.", refusal);
    }

    [Fact]
    public async Task Read_RefusalHeldWhenTheStreamEndsWithoutAFinishReason_IsSentInAChunkOfItsOwn()
    {
        var chunks = await ReadChunksAsync(Restoring([RefusalChunk("Not about [NAME_")]));

        Assert.Equal(2, chunks.Count);
        Assert.Equal("[NAME_", (string?)chunks[1]["choices"]![0]!["delta"]!["refusal"]);
        Assert.Null(chunks[1]["choices"]![0]!["delta"]!["content"]);
    }

    [Fact]
    public async Task Read_HeldFragmentAndTheStreamEnds_ItIsSentInAChunkOfItsOwnWithTheStreamsIdentity()
    {
        var stream = Restoring([Chunk("The note says [NAM", id: "chatcmpl-1", model: "gpt-test")]);

        var chunks = await ReadChunksAsync(stream);

        Assert.Equal(2, chunks.Count);
        Assert.Equal("The note says ", (string?)chunks[0]["choices"]![0]!["delta"]!["content"]);
        Assert.Equal("[NAM", (string?)chunks[1]["choices"]![0]!["delta"]!["content"]);
        Assert.Equal("chatcmpl-1", (string?)chunks[1]["id"]);
        Assert.Equal("gpt-test", (string?)chunks[1]["model"]);
        Assert.Equal("chat.completion.chunk", (string?)chunks[1]["object"]);
    }

    [Fact]
    public async Task Read_FinishChunkWithoutADelta_GetsOneWithWhatWasHeld()
    {
        var chunks = await ReadChunksAsync(Restoring([Chunk("Ask [NAME_"), """{"choices":[{"index":0,"finish_reason":"stop"}]}"""]));

        Assert.Equal("Ask ", (string?)chunks[0]["choices"]![0]!["delta"]!["content"]);
        Assert.Equal("[NAME_", (string?)chunks[1]["choices"]![0]!["delta"]!["content"]);
        Assert.Equal("stop", (string?)chunks[1]["choices"]![0]!["finish_reason"]);
        Assert.Equal(2, chunks.Count);
    }

    [Fact]
    public async Task Read_TwoChoicesInterleaved_EachHoldsAndRestoresItsOwnText()
    {
        string[] chunks =
        [
            Chunk("A: [NA", index: 0),
            Chunk("B: [NAME", index: 1),
            Chunk("ME_1].", index: 0),
            Chunk("_1]!", index: 1),
            Finish(0),
            Finish(1),
        ];

        var deltas = await ReadDeltasAsync(chunks);

        Assert.Equal($"A: {Name}.", string.Concat(deltas[0]));
        Assert.Equal($"B: {Name}!", string.Concat(deltas[1]));
    }

    [Fact]
    public async Task Read_RoleOnlyDeltaBetweenTheHalves_DoesNotLetGoOfWhatIsHeld()
    {
        var deltas = await ReadDeltasAsync([Chunk("[NA"), """{"choices":[{"index":0,"delta":{"role":"assistant"}}]}""", Chunk("ME_1]"), Finish()]);

        Assert.Equal(Name, string.Concat(deltas[0]));
    }

    [Fact]
    public async Task Result_IsRestoredWhileTheVendorResultKeepsTheTokens()
    {
        var inner = new TestAnswerStream([Chunk(Token)], content: $"{Token} is stable.");
        var stream = new RestoringAnswerStream(inner, Protection());

        await ReadChunksAsync(stream);

        Assert.Equal($"{Name} is stable.", stream.Result?.Content);
        Assert.Equal($"{Token} is stable.", stream.VendorResult?.Content);
    }

    [Fact]
    public async Task Result_ToolCallArgumentsAreRestoredForTheAuditOfWhatWasReleased()
    {
        Models.StreamedToolCall[] calls = [new(0, "call_1", "lookup", $$"""{"patient":"{{Token}}"}""")];
        var inner = new TestAnswerStream([Chunk("ok")], content: string.Empty, toolCalls: calls);
        var stream = new RestoringAnswerStream(inner, Protection());

        await ReadChunksAsync(stream);

        Assert.Equal(Name, (string?)JsonNode.Parse(stream.Result!.ToolCalls![0].Arguments)!["patient"]);
        Assert.Equal($$"""{"patient":"{{Token}}"}""", stream.VendorResult!.ToolCalls![0].Arguments);
    }

    [Theory]
    [InlineData("[", 1)]
    [InlineData("ab [NAME_1", 7)]
    [InlineData("[NAME_1]", 0)]
    [InlineData("[name", 0)]
    [InlineData("[A B", 0)]
    [InlineData("no bracket", 0)]
    [InlineData("[ABCDEFGHIJKLMNOPQRSTUVWXYZ_1234", 0)]
    [InlineData("[ABCDEFGHIJKLMNOPQRSTUVWXYZ_123", 31)]
    public void PossibleTokenStart_CountsOnlyAnOpenBracketFollowedByTokenCharactersShorterThanAToken(string text, int expected) =>
        Assert.Equal(expected, RestoringAnswerStream.PossibleTokenStart(text));

    [Theory]
    [InlineData("""{"choices":[{"index":0,"delta":{"content":"plain text, no token"}}]}""", false)]
    [InlineData("""{"choices":[{"index":0,"delta":{"content":"line\nbreak and \"quotes\""}}]}""", false)]
    [InlineData("""{"[x]":"key only","choices":[]}""", false)]
    [InlineData("""{"choices":[{"index":0,"delta":{"content":"Call [NA"}}]}""", true)]
    [InlineData("""{"choices":[{"index":0,"delta":{"content":"\u005BNAME_1] is here"}}]}""", true)]
    [InlineData("""{"choices":[{"index":0,"delta":{"content":"\u005bNAME_1] is here"}}]}""", true)]
    [InlineData("""{"choices":[{"index":0,"delta":{"cont""", true)]
    public void MayHoldTokenStart_LooksAtEveryStringValueWrittenOrEscaped(string chunk, bool expected) =>
        Assert.Equal(expected, RestoringAnswerStream.MayHoldTokenStart(System.Text.Encoding.UTF8.GetBytes(chunk)));

    [Fact]
    public async Task Read_ChunkWithNoTokenAndNothingHeld_GoesOnAsTheVendorWroteIt()
    {
        const string AsWritten = """{ "id": "c1", "object": "chat.completion.chunk", "choices": [ { "index": 0, "delta": { "content": "Stable \u00e9" } } ] }""";
        var stream = Restoring([AsWritten, Finish()]);

        var chunks = new List<string>();
        await foreach (var chunk in stream.ReadAsync(CancellationToken.None))
        {
            chunks.Add(System.Text.Encoding.UTF8.GetString(chunk.Span));
        }

        Assert.Equal(AsWritten, chunks[0]);
    }

    [Fact]
    public async Task Read_TokenWhoseBracketTheVendorEscaped_IsRestored()
    {
        const string Escaped = """{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Call \u005BNAME_1\u005D today."},"finish_reason":null}]}""";

        var deltas = await ReadDeltasAsync([Escaped, Finish()]);

        Assert.Equal($"Call {Name} today.", string.Concat(deltas[0]));
    }

    public static TheoryData<int> ArgumentSplits() => [.. Enumerable.Range(0, Token.Length + 1)];

    [Theory]
    [MemberData(nameof(ArgumentSplits))]
    public async Task Read_ToolCallArgumentsWithATokenSplitAtAnyPosition_TheCallersJsonHasTheValue(int split)
    {
        // Two tool calls in one choice, streamed as OpenAI does: the first delta names the call, the next carry arguments.
        var arguments = $$"""{"patient":"{{Token}}"}""";
        var cut = arguments.IndexOf('[', StringComparison.Ordinal) + split;
        string[] chunks =
        [
            ToolCallChunk(0, id: "call_1", name: "lookup", arguments: ""),
            ToolCallChunk(0, arguments: arguments[..cut]),
            ToolCallChunk(1, id: "call_2", name: "notify", arguments: """{"who":"[NA"""),
            ToolCallChunk(0, arguments: arguments[cut..]),
            ToolCallChunk(1, arguments: """ME_1]"}"""),
            """{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}""",
        ];

        var calls = ArgumentsByCall(await ReadChunksAsync(Restoring(chunks)));

        Assert.Equal(Name, (string?)JsonNode.Parse(calls[0])!["patient"]);
        Assert.Equal(Name, (string?)JsonNode.Parse(calls[1])!["who"]);
    }

    [Fact]
    public async Task Read_ToolCallArgumentsHeldWhenTheStreamEndsWithoutAFinishReason_AreSentInAChunkOfTheirOwn()
    {
        var chunks = await ReadChunksAsync(Restoring([ToolCallChunk(0, id: "call_1", name: "lookup", arguments: """{"patient":"[NAME_""")]));

        Assert.Equal(2, chunks.Count);
        Assert.Equal("""{"patient":"[NAME_""", string.Concat(ArgumentsByCall(chunks).Values));
        Assert.Equal(0, (int?)chunks[1]["choices"]![0]!["delta"]!["tool_calls"]![0]!["index"]);
    }

    [Fact]
    public async Task Read_ToolCallIdHoldingAToken_TheCallerAndTheResultGetTheValue()
    {
        Models.StreamedToolCall[] calls = [new(0, Token, "lookup", "{}")];
        var inner = new TestAnswerStream([ToolCallChunk(0, id: Token, name: "lookup", arguments: "{}")], content: string.Empty, toolCalls: calls);
        var stream = new RestoringAnswerStream(inner, Protection());

        var chunks = await ReadChunksAsync(stream);

        Assert.Equal(Name, (string?)chunks[0]["choices"]![0]!["delta"]!["tool_calls"]![0]!["id"]);
        Assert.Equal(Name, stream.Result!.ToolCalls![0].Id);
        Assert.Equal(Token, stream.VendorResult!.ToolCalls![0].Id);
    }

    [Fact]
    public async Task Read_ToolCallArgumentsWithoutTokens_GoOnAsTheVendorWroteThem()
    {
        var chunk = ToolCallChunk(0, id: "call_1", name: "lookup", arguments: """{"ids":[1,2]}""");

        var read = new List<string>();
        await foreach (var bytes in Restoring([chunk]).ReadAsync(CancellationToken.None))
        {
            read.Add(System.Text.Encoding.UTF8.GetString(bytes.Span));
        }

        Assert.Equal([chunk], read);
    }

    /// <summary>Each tool call's arguments as the caller accumulates them (by the call's index), in choice 0.</summary>
    private static Dictionary<int, string> ArgumentsByCall(List<JsonNode> chunks)
    {
        var arguments = new Dictionary<int, string>();
        foreach (var chunk in chunks)
        {
            foreach (var call in chunk["choices"]![0]!["delta"]?["tool_calls"]?.AsArray() ?? [])
            {
                var index = (int)call!["index"]!;
                arguments[index] = arguments.GetValueOrDefault(index, string.Empty) + (string?)call["function"]?["arguments"];
            }
        }

        return arguments;
    }

    private static string ToolCallChunk(int call, string? id = null, string? name = null, string arguments = "")
    {
        var function = new JsonObject { ["arguments"] = arguments };
        var toolCall = new JsonObject { ["index"] = call };
        if (id is not null)
        {
            toolCall["id"] = id;
            toolCall["type"] = "function";
            function["name"] = name;
        }

        toolCall["function"] = function;
        return new JsonObject
        {
            ["object"] = "chat.completion.chunk",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["delta"] = new JsonObject { ["tool_calls"] = new JsonArray(toolCall) },
                ["finish_reason"] = null,
            }),
        }.ToJsonString();
    }

    private static IDataProtection Protection()
    {
        var protection = new WordProtector(Name, Token).Begin(ClinicalContext.Empty);
        Assert.Equal(Token, protection.Protect(Name));
        return protection;
    }

    private static RestoringAnswerStream Restoring(IReadOnlyList<string> chunks) => new(new TestAnswerStream(chunks), Protection());

    /// <summary>Every delta's text, by choice index, in the order the caller gets them.</summary>
    private static async Task<Dictionary<int, List<string>>> ReadDeltasAsync(IReadOnlyList<string> chunks)
    {
        var deltas = new Dictionary<int, List<string>>();
        foreach (var chunk in await ReadChunksAsync(Restoring(chunks)))
        {
            foreach (var choice in chunk["choices"]!.AsArray().OfType<JsonObject>())
            {
                if (choice["delta"]?["content"] is JsonValue content)
                {
                    var index = (int)choice["index"]!;
                    (deltas.TryGetValue(index, out var list) ? list : deltas[index] = []).Add((string)content!);
                }
            }
        }

        return deltas;
    }

    private static async Task<List<JsonNode>> ReadChunksAsync(AnswerStream stream)
    {
        var chunks = new List<JsonNode>();
        await foreach (var chunk in stream.ReadAsync(CancellationToken.None))
        {
            chunks.Add(JsonNode.Parse(chunk.Span)!);
        }

        return chunks;
    }

    private static string Chunk(string text, int index = 0, string? id = null, string? model = null) => new JsonObject
    {
        ["id"] = id,
        ["object"] = "chat.completion.chunk",
        ["model"] = model,
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = index,
            ["delta"] = new JsonObject { ["content"] = text },
            ["finish_reason"] = null,
        }),
    }.ToJsonString();

    private static string RefusalChunk(string text) => new JsonObject
    {
        ["object"] = "chat.completion.chunk",
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["delta"] = new JsonObject { ["refusal"] = text },
            ["finish_reason"] = null,
        }),
    }.ToJsonString();

    private static string Finish(int index = 0) =>
        $$"""{"object":"chat.completion.chunk","choices":[{"index":{{index}},"delta":{},"finish_reason":"stop"}]}""";
}
