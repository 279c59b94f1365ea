using System.Text.Json;
using XefAI.Models.Providers.Wire;

namespace XefAI.Models.Providers.OpenAI;

/// <summary>
/// Reads OpenAI's embeddings answer, with vectors as float arrays or base64 (whichever the client asked for and the
/// vendor sent), into one vector per input in input order.
/// </summary>
internal static class OpenAIEmbeddingReader
{
    public static EmbeddingResponse Read(EmbeddingRequest request, ReadOnlyMemory<byte> body)
    {
        body = VendorJson.TrimBody(body);
        if (body.IsEmpty)
        {
            throw NotAList("empty body");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            // The parser's message quotes bytes of the body, so it is not passed on.
            throw NotAList("not JSON");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw NotAList("not a JSON object");
            }

            if (root.TryGetProperty("object", out var objectType)
                && !(objectType.ValueKind == JsonValueKind.String && objectType.ValueEquals("list")))
            {
                var actual = VendorJson.SafeIdentifier(objectType);
                throw NotAList(actual is null ? "object is not \"list\"" : $"object is \"{actual}\", not \"list\"");
            }

            if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            {
                throw NotAList("data is missing or not an array");
            }

            var expected = request.InputCount;
            if (data.GetArrayLength() != expected)
            {
                throw NotAList($"{data.GetArrayLength()} embeddings for {expected} inputs");
            }

            // OpenAI documents index as the input's position; order by it rather than trust the array's order.
            var vectors = new float[expected][];
            var position = 0;
            foreach (var item in data.EnumerateArray())
            {
                var path = $"data[{position}]";
                if (item.ValueKind != JsonValueKind.Object)
                {
                    throw NotAList($"{path} is not an object");
                }

                var index = position;
                if (item.TryGetProperty("index", out var indexElement)
                    && (indexElement.ValueKind != JsonValueKind.Number || !indexElement.TryGetInt32(out index)))
                {
                    throw NotAList($"{path}.index is not an integer");
                }

                if (index < 0 || index >= expected || vectors[index] is not null)
                {
                    throw NotAList($"{path}.index is out of range or repeated");
                }

                vectors[index] = ReadVector(item, path);
                position++;
            }

            var model = VendorJson.GetString(root, "model") ?? request.Deployment.VendorModel;
            var usage = root.TryGetProperty("usage", out var usageElement) && VendorJson.GetCount(usageElement, "prompt_tokens") is { } prompt
                ? new TokenUsage(prompt, 0)
                : null;
            return new EmbeddingResponse(vectors, model, usage);
        }
    }

    private static float[] ReadVector(JsonElement item, string path)
    {
        if (!item.TryGetProperty("embedding", out var embedding))
        {
            throw NotAList($"{path}.embedding is missing");
        }

        float[] vector;
        if (embedding.ValueKind == JsonValueKind.String)
        {
            if (!OpenAIEmbeddingList.TryFromBase64(VendorJson.ReadString(embedding), out var decoded))
            {
                throw NotAList($"{path}.embedding is not base64 of float32 values");
            }

            vector = decoded;
        }
        else if (embedding.ValueKind == JsonValueKind.Array)
        {
            vector = new float[embedding.GetArrayLength()];
            var i = 0;
            foreach (var value in embedding.EnumerateArray())
            {
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetSingle(out vector[i]))
                {
                    throw NotAList($"{path}.embedding[{i}] is not a number");
                }

                i++;
            }
        }
        else
        {
            throw NotAList($"{path}.embedding is neither an array nor a base64 string");
        }

        if (vector.Length == 0)
        {
            throw NotAList($"{path}.embedding is empty");
        }

        // A NaN or infinity would make the answer unwritable as JSON and every similarity undefined.
        if (!Array.TrueForAll(vector, float.IsFinite))
        {
            throw NotAList($"{path}.embedding holds a value that is not a finite number");
        }

        return vector;
    }

    private static VendorResponseException NotAList(string reason) =>
        new($"The model vendor's answer is not an embedding list: {reason}.");
}
