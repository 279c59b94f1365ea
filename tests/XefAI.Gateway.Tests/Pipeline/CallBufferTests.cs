using System.Text.Json;
using System.Text.Json.Nodes;
using XefAI.Gateway.Pipeline;

namespace XefAI.Gateway.Tests.Pipeline;

public sealed class CallBufferTests
{
    [Fact]
    public void SerializeJson_EscapesNumbersAndNonAsciiText_SameBytesAsTheSerializerInAnArrayLeftToTheCall()
    {
        // A completion as a vendor may write it: escapes, non-ASCII text, numbers as written, fields the gateway does not read.
        const string Answer = """
            { "id": "chatcmpl-1", "object": "chat.completion", "n\u00e9": "\u0041",
              "choices": [ { "index": 0, "extra": [ 1.0e5, -0.0, 12345678901234567890, true, {} ],
                "message": { "role": "assistant", "content": "caf\u00e9 é <b>&'\"\/ \ud83d\ude00 😀\n" } } ] }
            """;
        using var document = JsonDocument.Parse(Answer);
        var completion = JsonObject.Create(document.RootElement)!;
        var owned = new List<IDisposable>();

        var rendered = CallBuffer.SerializeJson(completion, owned.Add);

        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(completion), rendered.ToArray());
        Assert.Single(owned);

        // The thread's scratch is reused: a second, shorter rendering is not the first one's tail.
        var second = CallBuffer.SerializeJson(new JsonObject { ["id"] = "x" }, owned.Add);
        Assert.Equal("""{"id":"x"}"""u8.ToArray(), second.ToArray());
        owned.ForEach(o => o.Dispose());
    }
}
