using System.Text.Json.Nodes;
using XefAI.Gateway.OpenAI;

namespace XefAI.Gateway.Tests.OpenAI;

/// <summary>One chat message read as OpenAI accepts it, or refused naming the field.</summary>
public sealed class ChatMessageReaderTests
{
    [Fact]
    public void Read_AssistantRefusalWithNullContent_IsAcceptedWithTheRefusalAsItsText()
    {
        // As OpenAI answers a refusal, and the official SDKs append it to the history.
        var node = JsonNode.Parse("""{"role":"assistant","content":null,"refusal":"I can't help with that."}""");

        var error = ChatMessageReader.Read(node, 1, out var message);

        Assert.Null(error);
        Assert.Equal("assistant", message!.Role);
        Assert.Equal("I can't help with that.", message.Content);
    }

    [Fact]
    public void Read_AssistantRefusalWithoutContent_IsAccepted()
    {
        var node = JsonNode.Parse("""{"role":"assistant","refusal":"No."}""");

        var error = ChatMessageReader.Read(node, 1, out var message);

        Assert.Null(error);
        Assert.Equal("No.", message!.Content);
    }

    [Fact]
    public void Read_AssistantLegacyFunctionCallWithNullContent_IsAccepted()
    {
        // As OpenAI answers a call of one of the legacy 'functions', and the SDKs append it to the history.
        var node = JsonNode.Parse("""{"role":"assistant","content":null,"function_call":{"name":"lookup","arguments":"{}"}}""");

        var error = ChatMessageReader.Read(node, 1, out var message);

        Assert.Null(error);
        Assert.Equal(string.Empty, message!.Content);
    }

    [Fact]
    public void Read_AssistantCustomToolCall_IsAcceptedAsOpenAIAcceptsIt()
    {
        // As OpenAI answers a call of a custom (free-form) tool, and the SDKs append it to the history.
        var node = JsonNode.Parse("""
            {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"custom","custom":{"name":"run_sql","input":"SELECT 1"}}]}
            """);

        var error = ChatMessageReader.Read(node, 1, out var message);

        Assert.Null(error);
        Assert.Equal("assistant", message!.Role);
    }

    [Theory]
    [InlineData("""{"id":"c","type":"custom"}""", "messages[1].tool_calls[0].custom")]
    [InlineData("""{"id":"c","type":"custom","custom":{"input":"x"}}""", "messages[1].tool_calls[0].custom.name")]
    [InlineData("""{"id":"c","type":"custom","custom":{"name":"g","input":{}}}""", "messages[1].tool_calls[0].custom.input")]
    [InlineData("""{"id":"c","type":"function","custom":{"name":"g","input":"x"}}""", "messages[1].tool_calls[0].function")]
    public void Read_CustomToolCallOfTheWrongShape_400NamingTheField(string call, string param)
    {
        var node = JsonNode.Parse($$"""{"role":"assistant","content":null,"tool_calls":[{{call}}]}""");

        var error = ChatMessageReader.Read(node, 1, out _);

        Assert.Equal("invalid_type", error?.Code);
        Assert.Equal(param, error!.Param);
    }

    [Fact]
    public void Read_AssistantWithNeitherContentNorRefusal_MissingContent()
    {
        var node = JsonNode.Parse("""{"role":"assistant","content":null,"refusal":null}""");

        var error = ChatMessageReader.Read(node, 1, out _);

        Assert.Equal("missing_required_parameter", error?.Code);
        Assert.Equal("messages[1].content", error!.Param);
    }

    [Theory]
    [InlineData("42")]
    [InlineData("{}")]
    [InlineData("[\"no\"]")]
    public void Read_RefusalNotAString_400NamingIt(string refusal)
    {
        var node = JsonNode.Parse($$"""{"role":"assistant","content":null,"refusal":{{refusal}}}""");

        var error = ChatMessageReader.Read(node, 1, out var message);

        Assert.Null(message);
        Assert.Equal(400, error?.StatusCode);
        Assert.Equal("messages[1].refusal", error!.Param);
    }

    [Fact]
    public void Read_RefusalPart_IsReadAsTextBesideTheTextParts()
    {
        var node = JsonNode.Parse("""
            {"role":"assistant","content":[{"type":"text","text":"Partly:"},{"type":"refusal","refusal":"I can't say more."}]}
            """);

        var error = ChatMessageReader.Read(node, 0, out var message);

        Assert.Null(error);
        Assert.Equal("Partly:\nI can't say more.", message!.Content);
    }
}
