using System.Text.Json.Nodes;

namespace XefAI.Models.Tests.Embeddings;

public sealed class OpenAIEmbeddingRequestReaderTests
{
    private static readonly ModelDeployment Deployment =
        new("embed-small", "openai", "openai", "text-embedding-3-small", null, HasBaa: true);

    [Fact]
    public void TryRead_DocumentedExample_ReadsOneTextAndFloatEncoding()
    {
        // The example request of OpenAI's embeddings API reference.
        var request = Read("""
            { "input": "The food was delicious and the waiter...", "model": "text-embedding-ada-002", "encoding_format": "float" }
            """);

        Assert.Equal("text-embedding-ada-002", request.Model);
        Assert.Equal(["The food was delicious and the waiter..."], request.Inputs);
        Assert.Null(request.TokenInputs);
        Assert.Equal(EmbeddingEncoding.Float, request.Encoding);
        Assert.Null(request.Dimensions);
        Assert.Null(request.User);
        Assert.Equal(1, request.InputCount);
    }

    [Fact]
    public void TryRead_BatchWithEveryOption_ReadsAllFieldsInOrder()
    {
        var request = Read("""
            { "model": "triage-search", "input": ["chest pain", "shortness of breath"], "encoding_format": "base64", "dimensions": 512, "user": "clinician-7" }
            """);

        Assert.Equal(["chest pain", "shortness of breath"], request.Inputs);
        Assert.Equal(EmbeddingEncoding.Base64, request.Encoding);
        Assert.Equal(512, request.Dimensions);
        Assert.Equal("clinician-7", request.User);
        Assert.Equal(2, request.InputCount);
    }

    [Fact]
    public void TryRead_NoModel_LeavesModelToTheHost()
    {
        var request = Read("""{ "input": "x" }""");

        Assert.Null(request.Model);
    }

    [Fact]
    public void TryRead_TokenIdArray_ReadsOneTokenizedInput()
    {
        var request = Read("""{ "input": [1820, 25, 9906], "model": "m" }""");

        Assert.Empty(request.Inputs);
        var tokens = Assert.Single(request.TokenInputs!);
        Assert.Equal([1820, 25, 9906], tokens);
        Assert.Equal(1, request.InputCount);
    }

    [Fact]
    public void TryRead_TokenIdArrays_ReadsOneTokenizedInputEach()
    {
        var request = Read("""{ "input": [[1, 2], [3]], "model": "m" }""");

        Assert.Equal(2, request.InputCount);
        Assert.Equal([1, 2], request.TokenInputs![0]);
        Assert.Equal([3], request.TokenInputs[1]);
    }

    [Fact]
    public void TryRead_TokenIdArrayLongerThanInputLimit_IsOneInputNotTooMany()
    {
        var request = Read("""{ "input": [1, 2, 3, 4] }""", new EmbeddingRequestLimits(MaxInputs: 2));

        Assert.Equal(1, request.InputCount);
    }

    [Fact]
    public void ForDeployment_TokenIds_CarriesEverythingToTheNeutralRequest()
    {
        var parsed = Read("""{ "input": [[5, 6]], "dimensions": 64, "user": "u-1" }""");

        var request = parsed.ForDeployment(Deployment);

        Assert.Same(Deployment, request.Deployment);
        Assert.Same(parsed.Body, request.Body);
        Assert.Equal(64, request.Dimensions);
        Assert.Equal("u-1", request.User);
        Assert.Equal([5, 6], Assert.Single(request.TokenInputs!));
        Assert.Equal(1, request.InputCount);
    }

    [Theory]
    [InlineData("""{ "model": "m" }""", "missing_required_parameter", "input")]
    [InlineData("""{ "input": null }""", "missing_required_parameter", "input")]
    [InlineData("""{ "input": "" }""", "empty_string", "input")]
    [InlineData("""{ "input": [] }""", "empty_array", "input")]
    [InlineData("""{ "input": ["ok", ""] }""", "empty_string", "input[1]")]
    [InlineData("""{ "input": ["ok", 3] }""", "invalid_type", "input[1]")]
    [InlineData("""{ "input": ["ok", null] }""", "invalid_type", "input[1]")]
    [InlineData("""{ "input": ["ok", ["a"]] }""", "invalid_type", "input[1]")]
    [InlineData("""{ "input": [{ "text": "ok" }] }""", "invalid_type", "input[0]")]
    [InlineData("""{ "input": [1, "two"] }""", "invalid_type", "input[1]")]
    [InlineData("""{ "input": [1, 2.5] }""", "invalid_type", "input[1]")]
    [InlineData("""{ "input": [1, -2] }""", "invalid_value", "input[1]")]
    [InlineData("""{ "input": [[1], 2] }""", "invalid_type", "input[1]")]
    [InlineData("""{ "input": [[1], []] }""", "empty_array", "input[1]")]
    [InlineData("""{ "input": [[1], ["a"]] }""", "invalid_type", "input[1][0]")]
    [InlineData("""{ "input": 42 }""", "invalid_type", "input")]
    [InlineData("""{ "input": { "text": "ok" } }""", "invalid_type", "input")]
    [InlineData("""{ "input": true }""", "invalid_type", "input")]
    [InlineData("""{ "input": "ok", "model": 4 }""", "invalid_type", "model")]
    [InlineData("""{ "input": "ok", "encoding_format": "int8" }""", "invalid_value", "encoding_format")]
    [InlineData("""{ "input": "ok", "encoding_format": 1 }""", "invalid_type", "encoding_format")]
    [InlineData("""{ "input": "ok", "dimensions": 0 }""", "invalid_value", "dimensions")]
    [InlineData("""{ "input": "ok", "dimensions": -5 }""", "invalid_value", "dimensions")]
    [InlineData("""{ "input": "ok", "dimensions": 1.5 }""", "invalid_type", "dimensions")]
    [InlineData("""{ "input": "ok", "dimensions": "256" }""", "invalid_type", "dimensions")]
    [InlineData("""{ "input": "ok", "user": 7 }""", "invalid_type", "user")]
    public void TryRead_BadField_FailsNamingTheField(string body, string code, string param)
    {
        var error = Fail(body);

        Assert.Equal(code, error.Code);
        Assert.Equal(param, error.Param);
        Assert.Contains(param, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_MoreInputsThanTheLimit_FailsWithTooManyInputs()
    {
        var inputs = new JsonArray([.. Enumerable.Range(0, 2049).Select(i => JsonValue.Create($"text {i}"))]);

        var ok = OpenAIEmbeddingRequestReader.TryRead(
            new JsonObject { ["input"] = inputs }, EmbeddingRequestLimits.Default, out _, out var error);

        Assert.False(ok);
        Assert.Equal(new EmbeddingRequestError(
            "too_many_inputs",
            "'input' holds 2049 items; this gateway accepts at most 2048 per request. Split the batch.",
            "input"), error);
    }

    [Fact]
    public void TryRead_ExactlyTheLimit_Succeeds()
    {
        var request = Read("""{ "input": ["a", "b", "c"] }""", new EmbeddingRequestLimits(MaxInputs: 3));

        Assert.Equal(3, request.InputCount);
    }

    [Theory]
    [InlineData("""{ "input": [1, 2] }""")]
    [InlineData("""{ "input": [[1], [2]] }""")]
    public void TryRead_TokenIdsWhenRefused_FailsWithUnsupportedValue(string body)
    {
        var error = Fail(body, new EmbeddingRequestLimits(AllowTokenIds: false));

        Assert.Equal("unsupported_value", error.Code);
        Assert.Equal("input", error.Param);
    }

    [Fact]
    public void TryRead_EmptyStringItem_MessageNeverQuotesTheOtherInputs()
    {
        var error = Fail("""{ "input": ["Jane Doe, MRN 12345", ""] }""");

        Assert.DoesNotContain("Jane", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("12345", error.Message, StringComparison.Ordinal);
    }

    private static OpenAIEmbeddingRequest Read(string body, EmbeddingRequestLimits? limits = null)
    {
        var ok = OpenAIEmbeddingRequestReader.TryRead(
            JsonNode.Parse(body)!.AsObject(), limits ?? EmbeddingRequestLimits.Default, out var request, out var error);

        Assert.True(ok, error?.Message);
        return request!;
    }

    private static EmbeddingRequestError Fail(string body, EmbeddingRequestLimits? limits = null)
    {
        var ok = OpenAIEmbeddingRequestReader.TryRead(
            JsonNode.Parse(body)!.AsObject(), limits ?? EmbeddingRequestLimits.Default, out var request, out var error);

        Assert.False(ok);
        Assert.Null(request);
        return error!;
    }
}
