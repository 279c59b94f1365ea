using System.Text.Json.Nodes;
using XefAI.Gateway.OpenAI;

namespace XefAI.Gateway.Tests.OpenAI;

/// <summary>The chat fields refused whatever the vendor: web search and audio answers, which governance could not follow.</summary>
public sealed class ChatFieldRulesTests
{
    [Theory]
    [InlineData("""{"web_search_options":{}}""", "web_search_options")]
    [InlineData("""{"web_search_options":{"search_context_size":"low"}}""", "web_search_options")]
    [InlineData("""{"audio":{"voice":"alloy","format":"wav"},"modalities":["text","audio"]}""", "audio")]
    [InlineData("""{"modalities":["audio","text"]}""", "modalities")]
    public void Check_WebSearchOrAnAudioAnswer_IsUnsupportedAndNamesTheField(string body, string param)
    {
        var error = ChatFieldRules.Check(JsonNode.Parse(body)!.AsObject());

        Assert.NotNull(error);
        Assert.Equal(400, error.StatusCode);
        Assert.Equal("unsupported_parameter", error.Code);
        Assert.Equal(param, error.Param);
    }

    [Theory]
    [InlineData("""{"modalities":["text"]}""")]
    [InlineData("""{"prediction":{"type":"content","content":"draft"},"service_tier":"flex","verbosity":"low"}""")]
    public void Check_TextAnswersAndPassThroughFields_Pass(string body) =>
        Assert.Null(ChatFieldRules.Check(JsonNode.Parse(body)!.AsObject()));
}
