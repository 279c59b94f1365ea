using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;

namespace XefAI.Models;

/// <summary>
/// Writes an <see cref="EmbeddingResponse"/> as OpenAI's embeddings answer
/// (<c>{"object":"list","data":[{"object":"embedding","index":0,"embedding":[…]}],"model":…,"usage":{…}}</c>), so the
/// official SDKs read it whichever provider answered.
/// </summary>
public static class OpenAIEmbeddingList
{
    public static byte[] ToUtf8Json(EmbeddingResponse response, EmbeddingEncoding encoding)
    {
        ArgumentNullException.ThrowIfNull(response);

        var buffer = new ArrayBufferWriter<byte>(256 + (response.Vectors.Sum(vector => vector.Length) * 12));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("object", "list");
            writer.WriteStartArray("data");
            for (var index = 0; index < response.Vectors.Count; index++)
            {
                writer.WriteStartObject();
                writer.WriteString("object", "embedding");
                writer.WriteNumber("index", index);
                WriteVector(writer, response.Vectors[index], encoding);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteString("model", response.Model);

            // The SDKs require usage on every answer; a vendor that reported none is shown as zero, not omitted.
            var promptTokens = response.Usage?.InputTokens ?? 0;
            writer.WriteStartObject("usage");
            writer.WriteNumber("prompt_tokens", promptTokens);
            writer.WriteNumber("total_tokens", promptTokens);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The vector as OpenAI's <c>base64</c> encoding: little-endian float32 bytes.</summary>
    public static string ToBase64(ReadOnlySpan<float> vector)
    {
        var bytes = new byte[vector.Length * sizeof(float)];
        for (var i = 0; i < vector.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), vector[i]);
        }

        return Convert.ToBase64String(bytes);
    }

    /// <summary>Reads OpenAI's <c>base64</c> encoding back into a vector.</summary>
    /// <returns>False when the text is not base64 of whole float32 values.</returns>
    public static bool TryFromBase64(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out float[]? vector)
    {
        ArgumentNullException.ThrowIfNull(text);
        vector = null;
        var bytes = new byte[(text.Length / 4 * 3) + 3];
        if (!Convert.TryFromBase64String(text, bytes, out var written) || written % sizeof(float) != 0)
        {
            return false;
        }

        var values = new float[written / sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
        }

        vector = values;
        return true;
    }

    private static void WriteVector(Utf8JsonWriter writer, float[] vector, EmbeddingEncoding encoding)
    {
        if (encoding == EmbeddingEncoding.Base64)
        {
            writer.WriteString("embedding", ToBase64(vector));
            return;
        }

        // float's shortest round-trip form: the client parses back exactly the float32 the model produced.
        writer.WriteStartArray("embedding");
        foreach (var value in vector)
        {
            writer.WriteNumberValue(value);
        }

        writer.WriteEndArray();
    }
}
