using System.Text.Json.Nodes;
using XefAI.Governance.Reviews;

namespace XefAI.Governance.Tests.Reviews;

/// <summary>A reviewer's edit replaces the answer's text in whichever shape the protocol that held it rendered.</summary>
public sealed class ReviewEditTests
{
    [Fact]
    public void WithContent_ChatCompletion_ReplacesTheFirstMessageAndKeepsTheRest()
    {
        const string held = """{"id":"c1","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"model text"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}""";

        var edited = JsonNode.Parse(ReviewRows.WithContent(held, "clinician's text – édité"))!;

        Assert.Equal("clinician's text – édité", (string?)edited["choices"]![0]!["message"]!["content"]);
        Assert.Equal("c1", (string?)edited["id"]);
        Assert.Equal(3, (int)edited["usage"]!["total_tokens"]!);
    }

    [Fact]
    public void WithContent_ClinicalTaskResult_ReplacesTheAnswer()
    {
        const string held = """{"object":"clinical_task.result","use_case":"triage","answer":"model text","template":{"name":"t","version":"1"}}""";

        var edited = JsonNode.Parse(ReviewRows.WithContent(held, "clinician's text"))!;

        Assert.Equal("clinician's text", (string?)edited["answer"]);
        Assert.Equal("triage", (string?)edited["use_case"]);
        Assert.Equal("1", (string?)edited["template"]!["version"]);
    }

    [Fact]
    public void WithContent_CdsCardSet_ReplacesTheFirstCardsDetailAndKeepsItsSource()
    {
        const string held = """{"cards":[{"summary":"Model summary.","indicator":"info","detail":"Model text.","source":{"label":"model 1"}}]}""";

        var edited = JsonNode.Parse(ReviewRows.WithContent(held, "Clinician's text."))!;

        var card = edited["cards"]![0]!;
        Assert.Equal("Clinician's text.", (string?)card["detail"]);
        Assert.Equal("model 1", (string?)card["source"]!["label"]);
        Assert.Equal("info", (string?)card["indicator"]);
    }
}
