using System.Text.Json.Nodes;
using XefAI.Data;
using XefAI.Gateway.Pipeline.Steps;
using XefAI.Gateway.Tests.Pipeline.TestSupport;

namespace XefAI.Gateway.Tests.Pipeline.Steps;

public sealed class RestoreDataStepTests
{
    private const string Name = "Alice Example";
    private const string Token = "[NAME_1]";

    [Fact]
    public async Task Execute_BufferedAnswerWithTokens_GetsTheValuesBack()
    {
        await using var call = CallContexts.Answered($"{Token} is stable; discharge {Token} home.");
        call.Protection = ProtectionThatReplacedTheName();

        await new RestoreDataStep().ExecuteAsync(call);

        var restored = $"{Name} is stable; discharge {Name} home.";
        Assert.Equal(restored, call.Answer!.Content);
        Assert.Equal(restored, (string?)call.Answer.Completion["choices"]![0]!["message"]!["content"]);
        Assert.Equal($"{Token} is stable; discharge {Token} home.", call.VendorAnswer!.Content);
    }

    [Fact]
    public async Task Execute_TierForbidsReIdentification_TheCallerGetsTheTokensOfTheBufferedAnswerAndTheStream()
    {
        var obligations = new Governance.PolicyObligations { ReIdentify = false };
        await using var call = CallContexts.Answered($"{Token} is stable.", obligations: obligations);
        var answer = call.Answer;
        var stream = new TestAnswerStream([TestAnswerStream.Chunk(Token)]);
        call.Stream = stream;
        call.Protection = ProtectionThatReplacedTheName();

        await new RestoreDataStep().ExecuteAsync(call);

        Assert.Same(answer, call.Answer);
        Assert.Equal($"{Token} is stable.", call.Answer!.Content);
        Assert.Null(call.VendorAnswer);
        Assert.Same(stream, call.Stream);
    }

    [Fact]
    public async Task Execute_Embeddings_TheVectorsAreNeverTouched()
    {
        await using var call = CallContexts.Governed();
        var vectors = new Models.EmbeddingResponse([[0.1f, 0.2f]], "test-model", null);
        call.Embeddings = vectors;
        call.Protection = ProtectionThatReplacedTheName();

        await new RestoreDataStep().ExecuteAsync(call);

        Assert.Same(vectors, call.Embeddings);
        Assert.Null(call.Answer);
        Assert.Null(call.Stream);
    }

    [Fact]
    public async Task Execute_StreamWithTokens_EachChunkAndTheResultGetTheValuesBack()
    {
        var inner = new TestAnswerStream([TestAnswerStream.Chunk($"{Token} is "), TestAnswerStream.Chunk("stable.")], content: $"{Token} is stable.");
        await using var call = CallContexts.Governed();
        call.Stream = inner;
        call.Protection = ProtectionThatReplacedTheName();

        await new RestoreDataStep().ExecuteAsync(call);

        var texts = new List<string?>();
        await foreach (var chunk in call.Stream.ReadAsync(CancellationToken.None))
        {
            texts.Add((string?)JsonNode.Parse(chunk.Span)!["choices"]![0]!["delta"]!["content"]);
        }

        Assert.Equal([$"{Name} is ", "stable."], texts);
        Assert.Equal($"{Name} is stable.", call.Stream.Result?.Content);
        await call.Stream.DisposeAsync();
        Assert.True(inner.Disposed);
    }

    [Fact]
    public async Task Execute_NothingWasReplaced_TheAnswerIsLeftAsItIs()
    {
        await using var call = CallContexts.Answered($"{Token} is stable.");
        var answer = call.Answer;
        var stream = new TestAnswerStream([TestAnswerStream.Chunk(Token)]);
        call.Stream = stream;
        call.Protection = new WordProtector(Name, Token).Begin(ClinicalContext.Empty);

        await new RestoreDataStep().ExecuteAsync(call);

        Assert.Same(answer, call.Answer);
        Assert.Same(stream, call.Stream);
    }

    [Fact]
    public async Task Execute_ToolCallArgumentsWithTokens_GetTheValuesBackEscapedForTheirJson()
    {
        // A value with a quote and a backslash: written into the arguments' JSON string, it must be escaped there.
        const string value = "Alice \"Al\" Ex\\ample";
        var protection = new WordProtector(value, Token).Begin(ClinicalContext.Empty);
        Assert.Equal(Token, protection.Protect(value));
        await using var call = CallContexts.Governed();
        call.Answer = CallContexts.ToolCallAnswer("call_1", "lookup", $"{{\"patient\":\"{Token}\",\"other\":\"[NAME_9]\"}}");
        call.Protection = protection;

        await new RestoreDataStep().ExecuteAsync(call);

        var arguments = (string?)call.Answer.Completion["choices"]![0]!["message"]!["tool_calls"]![0]!["function"]!["arguments"];
        var parsed = JsonNode.Parse(arguments!)!;
        Assert.Equal(value, (string?)parsed["patient"]);
        Assert.Equal("[NAME_9]", (string?)parsed["other"]);

        // The vendor's answer keeps its tokens for the audit.
        Assert.Contains(Token, call.VendorAnswer!.Completion.ToJsonString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("json_object")]
    [InlineData("json_schema")]
    public async Task Execute_JsonAnswerWithTokens_StaysJsonWithTheValuesEscaped(string format)
    {
        // Structured outputs: the caller parses the content, so a value with a backslash or a quote restored into one of
        // its strings must be escaped there, buffered or streamed.
        const string value = "CORP\\jsmith \"Al\"";
        var protection = new WordProtector(value, Token).Begin(ClinicalContext.Empty);
        Assert.Equal(Token, protection.Protect(value));
        var vendorBody = new JsonObject { ["response_format"] = new JsonObject { ["type"] = format } };
        var content = $"{{\"user\":\"{Token}\"}}";

        await using var call = CallContexts.Answered(content);
        call.VendorBody = vendorBody;
        call.Protection = protection;
        await new RestoreDataStep().ExecuteAsync(call);

        Assert.Equal(value, (string?)JsonNode.Parse(call.Answer!.Content)!["user"]);
        Assert.Equal(value, (string?)JsonNode.Parse((string)call.Answer.Completion["choices"]![0]!["message"]!["content"]!)!["user"]);

        await using var streamed = CallContexts.Governed();
        streamed.VendorBody = vendorBody;
        streamed.Stream = new TestAnswerStream([TestAnswerStream.Chunk(content[..10]), TestAnswerStream.Chunk(content[10..])], content: content);
        streamed.Protection = protection;
        await new RestoreDataStep().ExecuteAsync(streamed);

        var text = new System.Text.StringBuilder();
        await foreach (var chunk in streamed.Stream.ReadAsync(CancellationToken.None))
        {
            text.Append((string?)JsonNode.Parse(chunk.Span)!["choices"]![0]!["delta"]!["content"]);
        }

        Assert.Equal(value, (string?)JsonNode.Parse(text.ToString())!["user"]);
        Assert.Equal(value, (string?)JsonNode.Parse(streamed.Stream.Result!.Content)!["user"]);
    }

    [Fact]
    public async Task Execute_TextAnswer_GetsTheValueAsItIs()
    {
        // Without a JSON response format the content is prose: the value is written as it is, not escaped.
        const string value = "CORP\\jsmith";
        await using var call = CallContexts.Answered($"User {Token} logged in.");
        call.VendorBody = new JsonObject { ["response_format"] = new JsonObject { ["type"] = "text" } };
        call.Protection = new WordProtector(value, Token).Begin(ClinicalContext.Empty);
        Assert.Equal(Token, call.Protection.Protect(value));

        await new RestoreDataStep().ExecuteAsync(call);

        Assert.Equal($"User {value} logged in.", call.Answer!.Content);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public async Task Execute_ToolCallWhoseFinishReasonSaysStop_IsRestoredWhenTheRequestOfferedTools(bool offeredTools, bool restored)
    {
        // OpenAI answers "stop", not "tool_calls", when tool_choice named the function.
        var answer = CallContexts.ToolCallAnswer("call_1", "lookup", $"{{\"patient\":\"{Token}\"}}") with { FinishReason = "stop" };
        await using var call = CallContexts.Governed();
        call.Answer = answer;
        call.VendorBody = offeredTools ? new JsonObject { ["tools"] = new JsonArray() } : [];
        call.Protection = ProtectionThatReplacedTheName();

        await new RestoreDataStep().ExecuteAsync(call);

        var arguments = (string?)call.Answer.Completion["choices"]![0]!["message"]!["tool_calls"]![0]!["function"]!["arguments"];
        Assert.Equal(restored ? Name : Token, (string?)JsonNode.Parse(arguments!)!["patient"]);
    }

    [Fact]
    public async Task Execute_BufferedRefusalWithTokens_GetsTheValuesBack()
    {
        // A model that refuses writes no content, only a refusal: the caller reads it as it reads content.
        var completion = new JsonObject
        {
            ["object"] = "chat.completion",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = null, ["refusal"] = $"I can't discuss {Token}'s records." },
                ["finish_reason"] = "stop",
            }),
        };
        await using var call = CallContexts.Governed();
        call.Answer = new Models.ModelResponse(completion, "test-model", string.Empty, "stop", null);
        call.VendorBody = new JsonObject { ["response_format"] = new JsonObject { ["type"] = "json_schema" } };
        call.Protection = ProtectionThatReplacedTheName();

        await new RestoreDataStep().ExecuteAsync(call);

        Assert.Equal($"I can't discuss {Name}'s records.", (string?)call.Answer.Completion["choices"]![0]!["message"]!["refusal"]);
        Assert.Contains(Token, call.VendorAnswer!.Completion.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_RefusalWithTokensBesideContentWithout_GetsTheValuesBack()
    {
        // Content without a token made the step skip the answer, and the refusal went out with the token in it.
        var completion = new JsonObject
        {
            ["object"] = "chat.completion",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = "General advice only.", ["refusal"] = $"Not about {Token}." },
                ["finish_reason"] = "stop",
            }),
        };
        await using var call = CallContexts.Governed();
        call.Answer = new Models.ModelResponse(completion, "test-model", "General advice only.", "stop", null) { HasRefusal = true };
        call.Protection = ProtectionThatReplacedTheName();

        await new RestoreDataStep().ExecuteAsync(call);

        var message = call.Answer.Completion["choices"]![0]!["message"]!;
        Assert.Equal($"Not about {Name}.", (string?)message["refusal"]);
        Assert.Equal("General advice only.", (string?)message["content"]);
    }

    [Theory]
    [InlineData(Token, Name)]
    [InlineData("call_abc123", "call_abc123")]
    public async Task Execute_ToolCallIdHoldingAToken_GetsTheValueBackAndAVendorsIdIsKept(string id, string expected)
    {
        // The vendor may answer with an id the gateway protected (an app's id holding a name, sent back in the history).
        await using var call = CallContexts.Governed();
        call.Answer = CallContexts.ToolCallAnswer(id, "lookup", "{}");
        call.Protection = ProtectionThatReplacedTheName();

        await new RestoreDataStep().ExecuteAsync(call);

        Assert.Equal(expected, (string?)call.Answer.Completion["choices"]![0]!["message"]!["tool_calls"]![0]!["id"]);
    }

    private static IDataProtection ProtectionThatReplacedTheName()
    {
        var protection = new WordProtector(Name, Token).Begin(ClinicalContext.Empty);
        Assert.Equal($"{Token} is stable.", protection.Protect($"{Name} is stable."));
        return protection;
    }
}
