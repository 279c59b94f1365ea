using System.Text.Json.Nodes;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace XefAI.Testing;

/// <summary>An OpenAI-compatible vendor on loopback (WireMock), answering with OpenAI's documented example.</summary>
public sealed class FakeVendor : IDisposable
{
    /// <summary>The example response of OpenAI's Chat Completions reference.</summary>
    public const string ExampleCompletion = """
        {
          "id": "chatcmpl-123",
          "object": "chat.completion",
          "created": 1677652288,
          "model": "gpt-4o-mini",
          "system_fingerprint": "fp_44709d6fcb",
          "choices": [{
            "index": 0,
            "message": { "role": "assistant", "content": "\n\nHello there, how may I assist you today?" },
            "logprobs": null,
            "finish_reason": "stop"
          }],
          "usage": { "prompt_tokens": 9, "completion_tokens": 12, "total_tokens": 21 }
        }
        """;

    public FakeVendor()
    {
        Server = WireMockServer.Start();
    }

    public WireMockServer Server { get; }

    /// <summary>Base URL as a destination address: the vendor's <c>/v1</c>.</summary>
    public string BaseAddress => Server.Urls[0] + "/v1";

    public FakeVendor AnswersWith(int status, string body, string contentType = "application/json")
    {
        Server.Given(Request.Create().WithPath("/v1/chat/completions").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", contentType).WithBody(body));
        return this;
    }

    public FakeVendor AnswersWithExample() => AnswersWith(200, ExampleCompletion);

    public int CallCount => Server.LogEntries.Count();

    public JsonObject LastRequestBody => JsonNode.Parse(Server.LogEntries.Last().RequestMessage!.Body!)!.AsObject();

    public IDictionary<string, WireMock.Types.WireMockList<string>> LastRequestHeaders =>
        Server.LogEntries.Last().RequestMessage!.Headers!;

    /// <summary>Points the test configuration's vendor cluster at this server.</summary>
    public void Configure(JsonObject configuration) =>
        configuration["ReverseProxy"]!["Clusters"]!["vendor"]!["Destinations"]!["primary"]!["Address"] = BaseAddress;

    public void Dispose() => Server.Stop();
}
