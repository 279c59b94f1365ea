using System.Text;
using System.Text.Json.Nodes;
using XefAI.Models.Providers.OpenAI;

namespace XefAI.Models.Tests.Embeddings;

public sealed class OpenAIEmbeddingProviderTests
{
    // The example request and (shortened) response of OpenAI's embeddings API reference.
    private const string DocumentedRequest = """
        { "input": "The food was delicious and the waiter...", "model": "text-embedding-ada-002", "encoding_format": "float" }
        """;

    private const string DocumentedResponse = """
        {
          "object": "list",
          "data": [
            {
              "object": "embedding",
              "embedding": [
                0.0023064255,
                -0.009327292,
                -0.0028842222
              ],
              "index": 0
            }
          ],
          "model": "text-embedding-ada-002",
          "usage": {
            "prompt_tokens": 8,
            "total_tokens": 8
          }
        }
        """;

    private static readonly ModelDeployment Deployment =
        new("ada", "openai", "openai", "text-embedding-ada-002", null, HasBaa: true);

    private static readonly VendorEndpoint Endpoint = new("openai/primary", "sk-test-123", new Dictionary<string, string>());

    private readonly OpenAIProvider _provider = new();

    [Fact]
    public void Provider_IsAnEmbeddingProviderOfTheSameKind()
    {
        IModelProvider provider = _provider;

        Assert.IsAssignableFrom<IHttpEmbeddingProvider>(provider);
        Assert.Equal("openai", provider.Kind);
    }

    [Fact]
    public void CreateEmbeddingRequest_DocumentedRequest_PostsItToEmbeddingsWithTheDeploymentsModel()
    {
        var request = Request("""{ "input": "The food was delicious and the waiter...", "model": "menu-search", "encoding_format": "float" }""");

        var vendor = _provider.CreateEmbeddingRequest(request, Endpoint);

        Assert.Equal("embeddings", vendor.RelativePath);
        Assert.Equal("application/json", vendor.ContentType);
        Assert.Equal([new KeyValuePair<string, string>("Authorization", "Bearer sk-test-123")], vendor.Headers);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(DocumentedRequest), JsonNode.Parse(vendor.Body.Span)), Encoding.UTF8.GetString(vendor.Body.Span));
    }

    [Fact]
    public void CreateEmbeddingRequest_AzureEndpoint_UsesApiKeyHeader()
    {
        var azure = new VendorEndpoint("azure/eastus", "azure-key", new Dictionary<string, string> { ["AuthHeader"] = "api-key" });

        var vendor = _provider.CreateEmbeddingRequest(Request("""{ "input": "x" }"""), azure);

        Assert.Equal([new KeyValuePair<string, string>("api-key", "azure-key")], vendor.Headers);
    }

    [Fact]
    public void CreateEmbeddingRequest_TokenIdsAndOptions_PassesThemThroughUnchanged()
    {
        var request = Request("""{ "input": [[1820, 25], [9906]], "model": "m", "encoding_format": "base64", "dimensions": 256, "user": "u-7" }""");

        var vendor = _provider.CreateEmbeddingRequest(request, Endpoint);

        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{ "input": [[1820, 25], [9906]], "model": "text-embedding-ada-002", "encoding_format": "base64", "dimensions": 256, "user": "u-7" }"""),
            JsonNode.Parse(vendor.Body.Span)));
    }

    [Fact]
    public void CreateEmbeddingRequest_DeploymentDimensionsAndClientNone_SendsTheDeploymentsDimensions()
    {
        var request = Request("""{ "input": "x" }""", Deployment with { EmbeddingDimensions = 512 });

        var body = JsonNode.Parse(_provider.CreateEmbeddingRequest(request, Endpoint).Body.Span)!;

        Assert.Equal(512, body["dimensions"]!.GetValue<int>());
    }

    [Fact]
    public void CreateEmbeddingRequest_ClientDimensions_WinOverTheDeployments()
    {
        var request = Request("""{ "input": "x", "dimensions": 64 }""", Deployment with { EmbeddingDimensions = 512 });

        var body = JsonNode.Parse(_provider.CreateEmbeddingRequest(request, Endpoint).Body.Span)!;

        Assert.Equal(64, body["dimensions"]!.GetValue<int>());
    }

    [Fact]
    public void CreateEmbeddingRequest_Always_LeavesTheClientsBodyUntouched()
    {
        var request = Request("""{ "input": "x", "model": "menu-search" }""", Deployment with { EmbeddingDimensions = 512 });

        _provider.CreateEmbeddingRequest(request, Endpoint);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{ "input": "x", "model": "menu-search" }"""), request.Body));
    }

    [Fact]
    public void ReadEmbeddingResponse_DocumentedResponse_ReadsVectorModelAndUsage()
    {
        var response = _provider.ReadEmbeddingResponse(Request(DocumentedRequest), Ok(DocumentedResponse));

        Assert.Equal([0.0023064255f, -0.009327292f, -0.0028842222f], Assert.Single(response.Vectors));
        Assert.Equal("text-embedding-ada-002", response.Model);
        Assert.Equal(new TokenUsage(8, 0), response.Usage);
    }

    [Fact]
    public void ReadEmbeddingResponse_DocumentedResponse_WritesBackAsTheSameJson()
    {
        var response = _provider.ReadEmbeddingResponse(Request(DocumentedRequest), Ok(DocumentedResponse));

        var written = JsonNode.Parse(OpenAIEmbeddingList.ToUtf8Json(response, EmbeddingEncoding.Float));

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(DocumentedResponse), written), written!.ToJsonString());
    }

    [Fact]
    public void ReadEmbeddingResponse_Base64Vectors_DecodesThem()
    {
        var body = $$"""
            {
              "object": "list",
              "data": [ { "object": "embedding", "index": 0, "embedding": "{{OpenAIEmbeddingList.ToBase64([0.25f, -1.5f])}}" } ],
              "model": "text-embedding-3-small",
              "usage": { "prompt_tokens": 2, "total_tokens": 2 }
            }
            """;

        var response = _provider.ReadEmbeddingResponse(Request("""{ "input": "x", "encoding_format": "base64" }"""), Ok(body));

        Assert.Equal([0.25f, -1.5f], Assert.Single(response.Vectors));
    }

    [Fact]
    public void ReadEmbeddingResponse_BatchOutOfOrder_OrdersVectorsByIndex()
    {
        const string Body = """
            {
              "object": "list",
              "data": [
                { "object": "embedding", "index": 1, "embedding": [2.0] },
                { "object": "embedding", "index": 0, "embedding": [1.0] }
              ],
              "model": "text-embedding-3-small",
              "usage": { "prompt_tokens": 4, "total_tokens": 4 }
            }
            """;

        var response = _provider.ReadEmbeddingResponse(Request("""{ "input": ["first", "second"] }"""), Ok(Body));

        Assert.Equal([1f], response.Vectors[0]);
        Assert.Equal([2f], response.Vectors[1]);
    }

    [Fact]
    public void ReadEmbeddingResponse_NoModelNoUsage_FallsBackToTheDeployment()
    {
        var response = _provider.ReadEmbeddingResponse(Request("""{ "input": "x" }"""), Ok("""{ "data": [ { "embedding": [1.0] } ] }"""));

        Assert.Equal("text-embedding-ada-002", response.Model);
        Assert.Null(response.Usage);
    }

    [Theory]
    [InlineData("", "empty body")]
    [InlineData("<html>bad gateway</html>", "not JSON")]
    [InlineData("[]", "not a JSON object")]
    [InlineData("""{ "object": "chat.completion", "data": [] }""", "object is \"chat.completion\", not \"list\"")]
    [InlineData("""{ "object": "list" }""", "data is missing or not an array")]
    [InlineData("""{ "data": [] }""", "0 embeddings for 1 inputs")]
    [InlineData("""{ "data": [ 3 ] }""", "data[0] is not an object")]
    [InlineData("""{ "data": [ { "index": 1, "embedding": [1.0] } ] }""", "data[0].index is out of range or repeated")]
    [InlineData("""{ "data": [ { "index": "0", "embedding": [1.0] } ] }""", "data[0].index is not an integer")]
    [InlineData("""{ "data": [ { "index": 0 } ] }""", "data[0].embedding is missing")]
    [InlineData("""{ "data": [ { "embedding": [] } ] }""", "data[0].embedding is empty")]
    [InlineData("""{ "data": [ { "embedding": [1.0, "Jane Doe"] } ] }""", "data[0].embedding[1] is not a number")]
    [InlineData("""{ "data": [ { "embedding": [1e40] } ] }""", "data[0].embedding holds a value that is not a finite number")]
    [InlineData("""{ "data": [ { "embedding": "AACA" } ] }""", "data[0].embedding is not base64 of float32 values")]
    [InlineData("""{ "data": [ { "embedding": "AADAfw==" } ] }""", "data[0].embedding holds a value that is not a finite number")]
    [InlineData("""{ "data": [ { "embedding": { "values": [1.0] } } ] }""", "data[0].embedding is neither an array nor a base64 string")]
    public void ReadEmbeddingResponse_MalformedBody_ThrowsNamingWhatIsWrong(string body, string reason)
    {
        var exception = Assert.Throws<VendorResponseException>(
            () => _provider.ReadEmbeddingResponse(Request("""{ "input": "x" }"""), Ok(body)));

        Assert.Equal($"The model vendor's answer is not an embedding list: {reason}.", exception.Message);
        Assert.DoesNotContain("Jane", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadEmbeddingResponse_TwoVectorsForOneInput_Throws()
    {
        var exception = Assert.Throws<VendorResponseException>(() => _provider.ReadEmbeddingResponse(
            Request("""{ "input": "x" }"""),
            Ok("""{ "data": [ { "index": 0, "embedding": [1.0] }, { "index": 0, "embedding": [1.0] } ] }""")));

        Assert.Contains("2 embeddings for 1 inputs", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadEmbeddingResponse_VendorError_ThrowsWithStatusAndCodeButNotTheMessage()
    {
        const string Body = """
            { "error": { "message": "This model's maximum context length is 8192 tokens, however you requested 9000 tokens (Jane Doe ...)", "type": "invalid_request_error", "param": null, "code": "context_length_exceeded" } }
            """;

        var exception = Assert.Throws<VendorResponseException>(
            () => _provider.ReadEmbeddingResponse(Request("""{ "input": "x" }"""), new VendorHttpResponse(400, Encoding.UTF8.GetBytes(Body), "application/json")));

        Assert.Equal(400, exception.VendorStatusCode);
        Assert.Equal("The model vendor answered HTTP 400 (type: invalid_request_error, code: context_length_exceeded).", exception.Message);
    }

    private static EmbeddingRequest Request(string body, ModelDeployment? deployment = null)
    {
        Assert.True(OpenAIEmbeddingRequestReader.TryRead(
            JsonNode.Parse(body)!.AsObject(), EmbeddingRequestLimits.Default, out var parsed, out var error), error?.Message);
        return parsed.ForDeployment(deployment ?? Deployment);
    }

    private static VendorHttpResponse Ok(string body) => new(200, Encoding.UTF8.GetBytes(body), "application/json");
}
