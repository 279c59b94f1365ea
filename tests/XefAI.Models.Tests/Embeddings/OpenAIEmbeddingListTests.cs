using System.Text.Json.Nodes;

namespace XefAI.Models.Tests.Embeddings;

public sealed class OpenAIEmbeddingListTests
{
    [Fact]
    public void ToUtf8Json_FloatEncoding_WritesOpenAIsListShape()
    {
        var response = new EmbeddingResponse([[0.0023064255f, -0.009327292f], [1f, -0.5f]], "text-embedding-ada-002", new TokenUsage(8, 0));

        var json = JsonNode.Parse(OpenAIEmbeddingList.ToUtf8Json(response, EmbeddingEncoding.Float))!;

        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""
                {
                  "object": "list",
                  "data": [
                    { "object": "embedding", "index": 0, "embedding": [0.0023064255, -0.009327292] },
                    { "object": "embedding", "index": 1, "embedding": [1, -0.5] }
                  ],
                  "model": "text-embedding-ada-002",
                  "usage": { "prompt_tokens": 8, "total_tokens": 8 }
                }
                """),
            json), json.ToJsonString());
    }

    [Fact]
    public void ToUtf8Json_FloatEncoding_RoundTripsEveryFloatExactly()
    {
        float[] vector = [0.1f, 1f / 3f, -2.5e-8f, float.Epsilon, 123456.79f];

        var json = JsonNode.Parse(OpenAIEmbeddingList.ToUtf8Json(new EmbeddingResponse([vector], "m", null), EmbeddingEncoding.Float))!;

        var written = json["data"]![0]!["embedding"]!.AsArray().Select(value => value!.GetValue<float>()).ToArray();
        Assert.Equal(vector, written);
    }

    [Fact]
    public void ToUtf8Json_Base64Encoding_WritesLittleEndianFloat32()
    {
        // 1.0f is 00 00 80 3F and -2.0f is 00 00 00 C0 in little-endian IEEE 754.
        var response = new EmbeddingResponse([[1f, -2f]], "m", new TokenUsage(2, 0));

        var json = JsonNode.Parse(OpenAIEmbeddingList.ToUtf8Json(response, EmbeddingEncoding.Base64))!;

        Assert.Equal(Convert.ToBase64String([0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0]), json["data"]![0]!["embedding"]!.GetValue<string>());
        Assert.Equal("AACAPwAAAMA=", json["data"]![0]!["embedding"]!.GetValue<string>());
    }

    [Fact]
    public void TryFromBase64_WhatToBase64Wrote_ReturnsTheSameVector()
    {
        float[] vector = [0.1f, -0.2f, 3.5f, float.MaxValue];

        Assert.True(OpenAIEmbeddingList.TryFromBase64(OpenAIEmbeddingList.ToBase64(vector), out var decoded));
        Assert.Equal(vector, decoded);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("AACAPwAA")]
    public void TryFromBase64_NotWholeFloats_ReturnsFalse(string text) =>
        Assert.False(OpenAIEmbeddingList.TryFromBase64(text, out _));

    [Fact]
    public void ToUtf8Json_NoUsageReported_WritesZeroUsageBecauseSdksRequireIt()
    {
        var json = JsonNode.Parse(OpenAIEmbeddingList.ToUtf8Json(new EmbeddingResponse([[1f]], "m", null), EmbeddingEncoding.Float))!;

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{ "prompt_tokens": 0, "total_tokens": 0 }"""), json["usage"]));
    }
}
