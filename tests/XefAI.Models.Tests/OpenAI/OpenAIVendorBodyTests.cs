using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using XefAI.Models.Providers.OpenAI;
using XefAI.Models.Tests.Support;

namespace XefAI.Models.Tests.OpenAI;

/// <summary>
/// The vendor body is written from the client's body without cloning it: the bytes are those the clone-and-edit
/// path wrote (kept below as the reference), and the client's body is the same after every attempt.
/// </summary>
public sealed class OpenAIVendorBodyTests
{
    private static readonly VendorEndpoint Endpoint = new("openai/primary", "sk-test-123", new Dictionary<string, string>());

    private static readonly ModelDeployment EmbeddingDeployment =
        new("ada", "openai", "openai", "text-embedding-3-small", null, HasBaa: true);

    private static readonly string[] ChatBodies =
    [
        // An SDK's request: model first, sampling options, known and unknown objects.
        """{"model":"discharge-summary","messages":[{"role":"system","content":"You draft discharge summaries."},{"role":"user","content":"Summarize: Ödem beider Beine, 2+ pitting edema."}],"temperature":0.2,"max_tokens":256,"user":"clinician-7","seed":42,"response_format":{"type":"text"},"metadata":{"workflow":"discharge"}}""",

        // No model; streaming fields in the middle, the client's other stream options to keep.
        """{"messages":[{"role":"user","content":"Hi"}],"stream":true,"stream_options":{"include_usage":false,"include_obfuscation":false},"n":1}""",

        // Model last, stream options null, stream false.
        """{"messages":[],"stream":false,"stream_options":null,"top_p":1,"model":"m"}""",

        // Streaming fields of the wrong kinds, which the options override.
        """{"model":"m","stream":"yes","stream_options":"all","messages":[]}""",
        """{"model":"m","stream":null,"stream_options":[{"include_usage":true}],"messages":[]}""",
        """{"model":"m","messages":[],"stream_options":{}}""",
        """{"model":"m","messages":[],"stream_options":{"include_obfuscation":true}}""",

        // A model that is not a string.
        """{"model":null,"messages":[]}""",
        """{"model":5,"messages":[]}""",
        "{}",

        // Unicode, escaped and raw, in values and names; characters HTML escaping would touch.
        """{"model":"m","messages":[{"role":"user","content":"\u00d6dem \ud83d\ude00 😀 \u0001 \t </script> & ' \" \\ \u200d مرحبا 你好 \u2028"}],"notiz_ä":"ü","\u00e9t\u00e9":"x"}""",

        // Numbers as clients write them: the text must survive.
        """{"model":"m","messages":[],"temperature":1.0,"top_p":0.10,"seed":-0,"logit_bias":{"50256":-100,"1":1e2,"2":1E-7},"big":12345678901234567890123,"frac":3.14159265358979323846264338327950288}""",

        // Nested arrays and objects the gateway knows nothing of.
        """{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{"url":"https://example.test/x.png","detail":"low"}}]}],"x_custom":[[1,[2,[3,[]]]],{"a":[{"b":[null,true,false]}]}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"n":{"type":"integer","minimum":1.50}}}}}]}""",
    ];

    private readonly OpenAIProvider _provider = new();

    public static TheoryData<int, bool, bool> ChatCases()
    {
        var cases = new TheoryData<int, bool, bool>();
        for (var i = 0; i < ChatBodies.Length; i++)
        {
            foreach (var stream in (bool[])[false, true])
            {
                foreach (var materialized in (bool[])[false, true])
                {
                    cases.Add(i, stream, materialized);
                }
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(ChatCases))]
    public void CreateRequest_AnyBody_WritesTheBytesTheClonePathWrote(int bodyIndex, bool stream, bool materialized)
    {
        var request = TestRequests.ForBody(ChatBodies[bodyIndex], options: new ChatOptions(Stream: stream));
        if (materialized)
        {
            Materialize(request.Body);
        }

        var expected = DeepClonePath.ChatCompletion(request);

        var actual = _provider.CreateRequest(request, Endpoint).Body;

        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(actual.Span));
    }

    [Theory]
    [MemberData(nameof(ChatCases))]
    public void CreateRequest_AnyBody_LeavesTheClientsBodyAsItWas(int bodyIndex, bool stream, bool materialized)
    {
        var request = TestRequests.ForBody(ChatBodies[bodyIndex], options: new ChatOptions(Stream: stream));
        if (materialized)
        {
            Materialize(request.Body);
        }

        var before = request.Body.ToJsonString();

        _provider.CreateRequest(request, Endpoint);
        _provider.CreateRequest(request with { Deployment = request.Deployment with { VendorModel = "fallback-model" } }, Endpoint);

        Assert.Equal(before, request.Body.ToJsonString());
    }

    [Fact]
    public void CreateRequest_BodyEditedBySteps_WritesTheEditsAsTheClonePathDid()
    {
        // The host caps max_tokens and de-identification replaces content: values that are .NET values, not JSON text.
        var request = TestRequests.ForBody(ChatBodies[0], options: new ChatOptions(Stream: true));
        request.Body["max_tokens"] = 128;
        request.Body["messages"]![1]!["content"] = "Summarize: [NAME] has edema.";
        request.Body["temperature"] = 0.5;

        var expected = DeepClonePath.ChatCompletion(request);

        var actual = _provider.CreateRequest(request, Endpoint).Body;

        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(actual.Span));
    }

    [Fact]
    public void CreateRequest_ContentReplacedBetweenAttempts_EachAttemptSendsTheBodyAsItIsThen()
    {
        var request = TestRequests.ForBody(ChatBodies[0]);
        var first = _provider.CreateRequest(request, Endpoint).Body;
        var firstAsSent = first.ToArray();

        request.Body["messages"]![1]!["content"] = "Summarize: [REDACTED]";
        var second = _provider.CreateRequest(request, Endpoint).Body;

        Assert.Equal("Summarize: [REDACTED]", (string?)JsonNode.Parse(second.Span)!["messages"]![1]!["content"]);
        Assert.Equal(firstAsSent, first.ToArray());
        Assert.Contains("Ödem", Encoding.UTF8.GetString(first.Span), StringComparison.Ordinal);
    }

    [Fact]
    public void CreateRequest_CaseInsensitiveBody_MatchesMembersAsTheClonePathDid()
    {
        var body = JsonNode.Parse(
            """{"Model":"x","STREAM":false,"messages":[],"Stream_Options":{"Include_Usage":false,"other":1}}""",
            new JsonNodeOptions { PropertyNameCaseInsensitive = true })!.AsObject();
        foreach (var stream in (bool[])[false, true])
        {
            var request = new ModelRequest(TestRequests.OpenAIDeployment, [], new ChatOptions(Stream: stream), body, ModelContext.Empty);

            var actual = _provider.CreateRequest(request, Endpoint).Body;

            Assert.Equal(Encoding.UTF8.GetString(DeepClonePath.ChatCompletion(request)), Encoding.UTF8.GetString(actual.Span));
        }
    }

    [Fact]
    public void CreateRequest_LargeMaterializedBody_AllocatesAboutTheVendorBodyNotACopyOfTheTree()
    {
        // As the host leaves it: the reader has walked every message. A copy of the tree costs hundreds of bytes per
        // node; writing from it costs the bytes written plus a constant. The bound is generous: it allows for the
        // pool handing out fresh arrays at every doubling, and for everything else the provider allocates.
        var messages = string.Join(',', Enumerable.Range(0, 200).Select(i => $$"""{"role":"user","content":"m{{i}}","name":"n"}"""));
        var request = TestRequests.ForBody($$"""{"model":"m","messages":[{{messages}}],"stream":true}""", options: new ChatOptions(Stream: true));
        Materialize(request.Body);
        var length = _provider.CreateRequest(request, Endpoint).Body.Length;

        var before = GC.GetAllocatedBytesForCurrentThread();
        _provider.CreateRequest(request, Endpoint);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < (4 * length) + 16_384, $"CreateRequest allocated {allocated} bytes for a {length}-byte body.");
    }

    public static TheoryData<string, int?> EmbeddingCases() => new()
    {
        { """{"input":"The food was delicious","model":"menu-search","encoding_format":"float"}""", null },
        { """{"input":"x","model":"menu-search"}""", 512 },
        { """{"input":"x","dimensions":null,"model":"menu-search"}""", 512 },
        { """{"input":"x","dimensions":64}""", 512 },
        { """{"input":"x","dimensions":64}""", null },
        { """{"input":[[1820,25],[9906]],"encoding_format":"base64","user":"u-7","model":null}""", 256 },
        { """{"input":["\u00d6dem 😀","</b>"],"x_custom":{"n":1.50,"e":1e2}}""", null },
    };

    [Theory]
    [MemberData(nameof(EmbeddingCases))]
    public void CreateEmbeddingRequest_AnyBody_WritesTheBytesTheClonePathWroteAndLeavesTheBodyAsItWas(string json, int? deploymentDimensions)
    {
        var body = JsonNode.Parse(json)!.AsObject();
        var request = new EmbeddingRequest(
            EmbeddingDeployment with { EmbeddingDimensions = deploymentDimensions },
            ["x"],
            body["dimensions"] is JsonValue value && value.TryGetValue<int>(out var dimensions) ? dimensions : null,
            User: null,
            body);
        var before = body.ToJsonString();
        var expected = DeepClonePath.Embeddings(request);

        var actual = _provider.CreateEmbeddingRequest(request, Endpoint).Body;

        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(actual.Span));
        Assert.Equal(before, body.ToJsonString());
    }

    /// <summary>Reads every node, as the request reader and the policies do, so no part is still raw JSON text.</summary>
    private static void Materialize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject members:
                foreach (var (_, value) in members)
                {
                    Materialize(value);
                }

                break;
            case JsonArray items:
                foreach (var item in items)
                {
                    Materialize(item);
                }

                break;
            case JsonValue value:
                _ = value.GetValueKind();
                break;
        }
    }

    /// <summary>How the provider wrote vendor bodies before: clone the client's body, edit the clone, write it.</summary>
    private static class DeepClonePath
    {
        private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

        public static byte[] ChatCompletion(ModelRequest request)
        {
            var body = request.Body.DeepClone().AsObject();
            body["model"] = request.Deployment.VendorModel;
            if (request.Options.Stream)
            {
                body["stream"] = true;
                var streamOptions = body["stream_options"] as JsonObject ?? [];
                streamOptions["include_usage"] = true;
                body["stream_options"] = streamOptions;
            }
            else
            {
                body.Remove("stream");
                body.Remove("stream_options");
            }

            return Serialize(body);
        }

        public static byte[] Embeddings(EmbeddingRequest request)
        {
            var body = request.Body.DeepClone().AsObject();
            body["model"] = request.Deployment.VendorModel;
            if (request.Dimensions is null && request.Deployment.EmbeddingDimensions is { } dimensions)
            {
                body["dimensions"] = dimensions;
            }

            return Serialize(body);
        }

        private static byte[] Serialize(JsonObject body)
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream, WriterOptions))
            {
                body.WriteTo(writer);
            }

            return stream.ToArray();
        }
    }
}
