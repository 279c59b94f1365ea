using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using XefAI.Models.Providers.Local;
using XefAI.Models.Tests.Support;

namespace XefAI.Models.Tests.Embeddings;

public sealed class LocalHashingEmbeddingTests
{
    private const string ChestPain = "Patient reports chest pain radiating to the left arm.";

    private readonly LocalExtractiveProvider _provider = new(new FixedTimeProvider(DateTimeOffset.UnixEpoch));

    [Fact]
    public void Provider_IsAnEmbeddingProviderOfTheLocalKind()
    {
        IModelProvider provider = _provider;

        Assert.IsAssignableFrom<IInProcessEmbeddingProvider>(provider);
        Assert.Equal("local", provider.Kind);
    }

    // The expected digests come from an independent reimplementation of the documented algorithm (FNV-1a 64 over
    // UTF-8, MurmurHash3 finalizer, low bits for the bucket, top bit for the sign, L2 norm, float32), so a vector
    // stored by one gateway process matches one computed by another, on any machine and in any later release.
    [Theory]
    [InlineData(ChestPain, 256, "c26c3bb64ee823e575a32b05eb80d38824d9bf19d74ada0ddb22155e74f53f66")]
    [InlineData(ChestPain, 64, "886b085e22fab8af2bb8db29dd2341f1c4d9d7af980c4865e3431d74f4f2f8fb")]
    [InlineData("fever", 8, "2e95ca52b653af4a516ae0b368ae89f2b05ae4088842e24a9d58887d7a885e1c")]
    public async Task EmbedAsync_KnownText_ProducesTheKnownVector(string text, int dimensions, string sha256)
    {
        var response = await _provider.EmbedAsync(Request([text], dimensions), CancellationToken.None);

        Assert.Equal(sha256, Digest(Assert.Single(response.Vectors)));
    }

    [Fact]
    public async Task EmbedAsync_OneWord_PutsUnitWeightInOneBucket()
    {
        var response = await _provider.EmbedAsync(Request(["fever"], 8), CancellationToken.None);

        Assert.Equal([0f, 0f, 1f, 0f, 0f, 0f, 0f, 0f], Assert.Single(response.Vectors));
    }

    [Fact]
    public async Task EmbedAsync_SameTextTwice_ReturnsEqualVectors()
    {
        var response = await _provider.EmbedAsync(Request([ChestPain, ChestPain]), CancellationToken.None);

        Assert.Equal(response.Vectors[0], response.Vectors[1]);
    }

    [Fact]
    public async Task EmbedAsync_CaseAndPunctuationDiffer_ReturnsEqualVectors()
    {
        var response = await _provider.EmbedAsync(
            Request(["Chest pain, radiating!", "chest   PAIN radiating"]), CancellationToken.None);

        Assert.Equal(response.Vectors[0], response.Vectors[1]);
    }

    [Fact]
    public async Task EmbedAsync_RelatedTexts_AreCloserThanUnrelatedOnes()
    {
        var response = await _provider.EmbedAsync(
            Request([
                ChestPain,
                "Chest pain radiating to the left arm since this morning.",
                "Prescription refill for metformin 500 mg twice daily.",
            ]),
            CancellationToken.None);

        var related = Cosine(response.Vectors[0], response.Vectors[1]);
        var unrelated = Cosine(response.Vectors[0], response.Vectors[2]);
        Assert.True(related > 0.5, $"related {related}");
        Assert.True(unrelated < 0.2, $"unrelated {unrelated}");
        Assert.True(related > unrelated + 0.4, $"related {related}, unrelated {unrelated}");
    }

    [Fact]
    public async Task EmbedAsync_WordOrderDiffers_BigramsKeepTheVectorsApart()
    {
        var response = await _provider.EmbedAsync(
            Request(["dog bites man", "man bites dog"]), CancellationToken.None);

        var similarity = Cosine(response.Vectors[0], response.Vectors[1]);
        Assert.InRange(similarity, 0.3, 0.99);
    }

    [Theory]
    [InlineData("fever")]
    [InlineData(ChestPain)]
    [InlineData("???")]
    [InlineData("Ödem beider Beine 𝔸𝔹")]
    public async Task EmbedAsync_AnyText_ReturnsAUnitVector(string text)
    {
        var response = await _provider.EmbedAsync(Request([text]), CancellationToken.None);

        var vector = Assert.Single(response.Vectors);
        Assert.Equal(1.0, Math.Sqrt(vector.Sum(value => (double)value * value)), 5);
    }

    [Fact]
    public async Task EmbedAsync_NoDimensionsAnywhere_Returns256()
    {
        var response = await _provider.EmbedAsync(Request(["fever"]), CancellationToken.None);

        Assert.Equal(256, Assert.Single(response.Vectors).Length);
    }

    [Fact]
    public async Task EmbedAsync_DeploymentDimensions_AreUsedWhenTheClientSetsNone()
    {
        var request = Request(["fever"]) with { Deployment = TestRequests.LocalDeployment with { EmbeddingDimensions = 32 } };

        var response = await _provider.EmbedAsync(request, CancellationToken.None);

        Assert.Equal(32, Assert.Single(response.Vectors).Length);
    }

    [Fact]
    public async Task EmbedAsync_ClientDimensions_WinOverTheDeployments()
    {
        var request = Request(["fever"], dimensions: 16) with { Deployment = TestRequests.LocalDeployment with { EmbeddingDimensions = 32 } };

        var response = await _provider.EmbedAsync(request, CancellationToken.None);

        Assert.Equal(16, Assert.Single(response.Vectors).Length);
    }

    [Fact]
    public async Task EmbedAsync_Batch_ReturnsOneVectorPerInputWordsAsTokensAndTheLabelledModel()
    {
        var response = await _provider.EmbedAsync(Request([ChestPain, "fever", "no acute distress"]), CancellationToken.None);

        Assert.Equal(3, response.Vectors.Count);
        Assert.Equal("xefai-local-hashing", response.Model);
        Assert.Equal(new TokenUsage(9 + 1 + 3, 0), response.Usage);
    }

    [Fact]
    public async Task EmbedAsync_WrittenAsOpenAIJson_NamesTheHashingModel()
    {
        var response = await _provider.EmbedAsync(Request(["fever"], dimensions: 4), CancellationToken.None);

        var json = JsonNode.Parse(OpenAIEmbeddingList.ToUtf8Json(response, EmbeddingEncoding.Float))!;

        Assert.Equal("xefai-local-hashing", json["model"]!.GetValue<string>());
        Assert.Equal(4, json["data"]![0]!["embedding"]!.AsArray().Count);
        Assert.Equal(1, json["usage"]!["prompt_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task EmbedAsync_TokenIds_ThrowsUnsupportedNamingInput()
    {
        var request = Request([]) with { TokenInputs = [[1820, 25]] };

        var exception = await Assert.ThrowsAsync<UnsupportedRequestException>(() => _provider.EmbedAsync(request, CancellationToken.None).AsTask());

        Assert.Equal("input", exception.Param);
    }

    [Fact]
    public async Task EmbedAsync_TooManyDimensions_ThrowsUnsupportedNamingDimensions()
    {
        var exception = await Assert.ThrowsAsync<UnsupportedRequestException>(
            () => _provider.EmbedAsync(Request(["fever"], dimensions: 8193), CancellationToken.None).AsTask());

        Assert.Equal("dimensions", exception.Param);
    }

    [Fact]
    public async Task EmbedAsync_Cancelled_Throws()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _provider.EmbedAsync(Request(["fever"]), cancelled.Token).AsTask());
    }

    private static EmbeddingRequest Request(IReadOnlyList<string> inputs, int? dimensions = null) =>
        new(TestRequests.LocalDeployment, inputs, dimensions, User: null, new JsonObject { ["model"] = "triage-search" });

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, normA = 0, normB = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            normA += (double)a[i] * a[i];
            normB += (double)b[i] * b[i];
        }

        return dot / Math.Sqrt(normA * normB);
    }

    private static string Digest(float[] vector)
    {
        var bytes = new byte[vector.Length * sizeof(float)];
        for (var i = 0; i < vector.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), vector[i]);
        }

        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }
}
