using System.Text;
using Microsoft.AspNetCore.Http;
using XefAI.Integration;

namespace XefAI.Gateway.Tests.Pipeline.TestSupport;

/// <summary>
/// A protocol of the tests' own, so a step's output is told apart from any real protocol's: answers, holds and errors
/// render as short plain texts, and a stream frames each chunk as <c>&lt;chunk&gt;</c> lines.
/// </summary>
internal sealed class TestAdapter : IProtocolAdapter
{
    public const string ReceiptHeader = "X-Test-Receipt";

    /// <summary>The request the adapter translates to, or the error it refuses with.</summary>
    public Func<ReadOnlyMemory<byte>, Translation> Translator { get; init; } =
        _ => Translation.Of(new GatewayRequest(TestConfig.Summary.Id, CallOperation.Chat));

    public IStreamFraming? Streaming { get; init; }

    public string Route => "test";

    /// <summary>The bodies <see cref="Translate"/> was given.</summary>
    public List<byte[]> Translated { get; } = [];

    public List<CallAnswer> Answers { get; } = [];

    public List<CallReceipt> Receipts { get; } = [];

    public Translation Translate(HttpContext httpContext, ReadOnlyMemory<byte> body)
    {
        Translated.Add(body.ToArray());
        return Translator(body);
    }

    public RenderedResponse RenderAnswer(CallAnswer answer)
    {
        Answers.Add(answer);
        var text = answer.Chat?.Content ?? $"{answer.Embeddings?.Vectors.Count} vectors";
        return Text(StatusCodes.Status200OK, "answer:" + text);
    }

    public RenderedResponse Release(RenderedResponse rendered, CallReceipt receipt)
    {
        Receipts.Add(receipt);
        return rendered with { Headers = new Dictionary<string, string> { [ReceiptHeader] = receipt.AuditId } };
    }

    public RenderedResponse RenderHeld(HeldCall held) =>
        Text(StatusCodes.Status202Accepted, "held:" + held.ReviewId) with { Headers = new Dictionary<string, string> { ["Location"] = "/reviews/" + held.ReviewId } };

    public RenderedResponse RenderError(CallError error) => Text(error.StatusCode, $"error:{error.Code}");

    public static RenderedResponse Text(int status, string text) => new(status, "text/plain", Encoding.UTF8.GetBytes(text));

    /// <summary>Frames chunks as <c>&lt;chunk&gt;\n</c>, an error as <c>!code\n</c>, and ends with <c>&lt;end&gt;\n</c>.</summary>
    internal sealed class Framing : IStreamFraming
    {
        public static Framing Instance { get; } = new();

        public string ContentType => "text/x-test-stream";

        public IReadOnlyDictionary<string, string> Headers { get; } = new Dictionary<string, string> { ["Cache-Control"] = "no-cache" };

        public int FramingBytes => 3;

        public ReadOnlyMemory<byte> End { get; } = "<end>\n"u8.ToArray();

        public ReadOnlyMemory<byte> Frame(ReadOnlyMemory<byte> chunk) => Encoding.UTF8.GetBytes($"<{Encoding.UTF8.GetString(chunk.Span)}>\n");

        public ReadOnlyMemory<byte> FrameError(CallError error) => Encoding.UTF8.GetBytes($"!{error.Code}\n");
    }
}
