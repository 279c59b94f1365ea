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
    public void WithContent_ResponsesApiResponse_ReplacesTheMessagesTextAndKeepsTheRest()
    {
        // As a Responses API caller's held answer is stored: the response object its adapter rendered.
        const string held = """{"id":"resp_1","object":"response","status":"completed","model":"m","output":[{"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"model text","annotations":[],"logprobs":[]},{"type":"refusal","refusal":"partly refused"}]}],"usage":{"input_tokens":1,"output_tokens":2,"total_tokens":3}}""";

        var edited = JsonNode.Parse(ReviewRows.WithContent(held, "clinician's text"))!;

        var message = edited["output"]![0]!;
        var part = Assert.Single(message["content"]!.AsArray())!;
        Assert.Equal("output_text", (string?)part["type"]);
        Assert.Equal("clinician's text", (string?)part["text"]);
        Assert.Equal("msg_1", (string?)message["id"]);
        Assert.Equal("resp_1", (string?)edited["id"]);
        Assert.Equal("response", (string?)edited["object"]);
        Assert.Equal(3, (int)edited["usage"]!["total_tokens"]!);
        Assert.DoesNotContain("model text", edited.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void WithContent_ResponsesApiResponseOfFunctionCallsOnly_GetsAMessageFirst()
    {
        const string held = """{"id":"resp_1","object":"response","output":[{"id":"fc_1","type":"function_call","status":"completed","arguments":"{}","call_id":"c1","name":"f"}]}""";

        var edited = JsonNode.Parse(ReviewRows.WithContent(held, "clinician's text"))!;

        var output = edited["output"]!.AsArray();
        Assert.Equal(2, output.Count);
        Assert.Equal("message", (string?)output[0]!["type"]);
        Assert.Equal("clinician's text", (string?)output[0]!["content"]![0]!["text"]);
        Assert.Equal("function_call", (string?)output[1]!["type"]);
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
