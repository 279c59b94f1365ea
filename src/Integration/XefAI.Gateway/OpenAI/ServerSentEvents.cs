using XefAI.Integration;

namespace XefAI.Gateway.OpenAI;

/// <summary>OpenAI's stream framing: each chunk a server-sent event, errors an event of their own, <c>[DONE]</c> at the end.</summary>
internal sealed class ServerSentEvents : IStreamFraming
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    public static ServerSentEvents Instance { get; } = new();

    public string ContentType => "text/event-stream";

    public IReadOnlyDictionary<string, string> Headers { get; } = new Dictionary<string, string>
    {
        ["Cache-Control"] = "no-cache",

        // Proxies in front of the gateway must pass each event on as it comes.
        ["X-Accel-Buffering"] = "no",
    };

    public int FramingBytes => DataPrefix.Length + EventEnd.Length;

    public ReadOnlyMemory<byte> End => Done;

    public ReadOnlyMemory<byte> Frame(ReadOnlyMemory<byte> chunk)
    {
        var frame = new byte[DataPrefix.Length + chunk.Length + EventEnd.Length];
        DataPrefix.CopyTo(frame, 0);
        chunk.Span.CopyTo(frame.AsSpan(DataPrefix.Length));
        EventEnd.CopyTo(frame, DataPrefix.Length + chunk.Length);
        return frame;
    }

    public ReadOnlyMemory<byte> FrameError(CallError error) => Frame(error.ToUtf8Json());
}
