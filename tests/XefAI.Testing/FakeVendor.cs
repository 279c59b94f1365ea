using System.Text.Json.Nodes;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

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

    /// <summary>The model <see cref="AnswersEmbeddings"/> names in its answers.</summary>
    public const string EmbeddingModel = "text-embedding-3-small";

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

    /// <summary>An OpenAI <c>chat.completion</c> answering <paramref name="content"/>, as a vendor writes it.</summary>
    public static string Completion(string content, string model = "gpt-4o-mini-2024-07-18") => new JsonObject
    {
        ["id"] = "chatcmpl-test",
        ["object"] = "chat.completion",
        ["created"] = 1,
        ["model"] = model,
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
            ["finish_reason"] = "stop",
        }),
        ["usage"] = new JsonObject { ["prompt_tokens"] = 10, ["completion_tokens"] = 5, ["total_tokens"] = 15 },
    }.ToJsonString();

    /// <summary>Fails <paramref name="failures"/> times with <paramref name="status"/>, then answers with the example.</summary>
    public FakeVendor FailsThenRecovers(int failures, int status, string? retryAfter = null)
    {
        for (var i = 0; i < failures; i++)
        {
            var failure = Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json")
                .WithBody("""{"error":{"message":"upstream trouble","type":"server_error","code":"overloaded"}}""");
            if (retryAfter is not null)
            {
                failure = failure.WithHeader("Retry-After", retryAfter);
            }

            var step = Server.Given(Request.Create().WithPath("/v1/chat/completions").UsingPost()).InScenario("recovery");
            step = i == 0 ? step : step.WhenStateIs($"failed-{i}");
            step.WillSetStateTo($"failed-{i + 1}").RespondWith(failure);
        }

        Server.Given(Request.Create().WithPath("/v1/chat/completions").UsingPost())
            .InScenario("recovery").WhenStateIs($"failed-{failures}")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(ExampleCompletion));
        return this;
    }

    /// <summary>Answers after <paramref name="delay"/>: slower than an attempt timeout makes it a timeout.</summary>
    public FakeVendor AnswersSlowly(TimeSpan delay)
    {
        Server.Given(Request.Create().WithPath("/v1/chat/completions").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody(ExampleCompletion).WithDelay(delay));
        return this;
    }

    /// <summary>Answers a stream: the given server-sent events, as one body.</summary>
    public FakeVendor StreamsEvents(string events, string path = "/v1/chat/completions")
    {
        Server.Given(Request.Create().WithPath(path).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "text/event-stream").WithBody(events));
        return this;
    }

    /// <summary>Answers with a WireMock fault: an empty body, or a chunk that breaks the connection mid-body.</summary>
    public FakeVendor Faults(FaultType fault)
    {
        Server.Given(Request.Create().WithPath("/v1/chat/completions").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithFault(fault));
        return this;
    }

    /// <summary>
    /// Answers <c>POST /v1/embeddings</c> in OpenAI's list shape with one vector per text input,
    /// <c>[index, length of the text, 0.25]</c>, exact in float32. The items come in reverse order: only each item's
    /// <c>index</c> says which input it belongs to, as OpenAI documents. The vectors are floats whatever
    /// <c>encoding_format</c> asked for, which OpenAI's clients accept too.
    /// </summary>
    public FakeVendor AnswersEmbeddings()
    {
        Server.Given(Request.Create().WithPath("/v1/embeddings").UsingPost())
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var input = JsonNode.Parse(request.Body!)!["input"]!;
                var texts = input is JsonArray batch ? batch.Select(i => (string)i!).ToList() : [(string)input!];
                var data = new JsonArray();
                for (var i = texts.Count - 1; i >= 0; i--)
                {
                    data.Add(new JsonObject
                    {
                        ["object"] = "embedding",
                        ["index"] = i,
                        ["embedding"] = new JsonArray(i, texts[i].Length, 0.25),
                    });
                }

                var body = new JsonObject
                {
                    ["object"] = "list",
                    ["data"] = data,
                    ["model"] = EmbeddingModel,
                    ["usage"] = new JsonObject { ["prompt_tokens"] = texts.Count * 2, ["total_tokens"] = texts.Count * 2 },
                };
                return new ResponseMessage
                {
                    StatusCode = 200,
                    Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
                    BodyData = new BodyData { DetectedBodyType = BodyType.String, BodyAsString = body.ToJsonString() },
                };
            }));
        return this;
    }

    public IReadOnlyList<DateTime> RequestTimes => Server.LogEntries.Select(e => e.RequestMessage!.DateTime).ToList();

    public int CallCount => Server.LogEntries.Count();

    public JsonObject LastRequestBody => JsonNode.Parse(Server.LogEntries.Last().RequestMessage!.Body!)!.AsObject();

    public IDictionary<string, WireMock.Types.WireMockList<string>> LastRequestHeaders =>
        Server.LogEntries.Last().RequestMessage!.Headers!;

    /// <summary>Points the test configuration's vendor cluster at this server.</summary>
    public void Configure(JsonObject configuration) => Configure(configuration, "vendor");

    /// <summary>Points a cluster of the test configuration at this server, creating it if needed.</summary>
    public void Configure(JsonObject configuration, string cluster)
    {
        var clusters = configuration["ReverseProxy"]!["Clusters"]!.AsObject();
        clusters[cluster] ??= new JsonObject
        {
            ["Metadata"] = new JsonObject { ["ApiKeyVariable"] = GatewayHost.VendorKeyVariable },
            ["Destinations"] = new JsonObject { ["primary"] = new JsonObject() },
        };
        clusters[cluster]!["Destinations"]!["primary"]!["Address"] = BaseAddress;
    }

    public void Dispose() => Server.Stop();
}
