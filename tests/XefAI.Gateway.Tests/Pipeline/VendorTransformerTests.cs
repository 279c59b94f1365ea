using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using XefAI.Gateway.Pipeline.Invocation;
using XefAI.Models;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.Pipeline;

/// <summary>
/// The vendor's buffered answer: read whole within the response limit, at the cost of the answer itself, whether the
/// vendor declares its length or not.
/// </summary>
public sealed class VendorTransformerTests
{
    private static readonly byte[] Answer = Encoding.UTF8.GetBytes(FakeVendor.ExampleCompletion);

    // What an answer may cost beyond its own bytes: the response record, a stream over the content, a task.
    private const long Overhead = 2048;

    [Fact]
    public void TransformResponseAsync_AnswerOfDeclaredLength_AllocatesLittleBeyondTheAnswer()
    {
        Read(Declared(Answer), limit: 1 << 20);

        var (transformer, allocated) = Read(Declared(Answer), limit: 1 << 20);

        Assert.Equal(Answer, transformer.Response!.Body.ToArray());
        Assert.True(allocated < Answer.Length + Overhead, $"{allocated} bytes allocated to read a {Answer.Length}-byte answer");
    }

    [Fact]
    public void TransformResponseAsync_AnswerOfUnknownLength_AllocatesLittleBeyondTheAnswer()
    {
        Read(Undeclared(Answer), limit: 1 << 20);

        var (transformer, allocated) = Read(Undeclared(Answer), limit: 1 << 20);

        Assert.Equal(Answer, transformer.Response!.Body.ToArray());
        Assert.True(allocated < Answer.Length + Overhead, $"{allocated} bytes allocated to read a {Answer.Length}-byte answer");
    }

    [Fact]
    public void TransformResponseAsync_UnknownLengthAnswerLargerThanTheFirstBuffer_ReadWhole()
    {
        var large = new byte[100_000];
        Random.Shared.NextBytes(large);

        var (transformer, _) = Read(Undeclared(large, bytesPerRead: 1000), limit: large.Length);

        Assert.Null(transformer.ReadFailure);
        Assert.Equal(large, transformer.Response!.Body.ToArray());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TransformResponseAsync_AnswerOneByteOverTheLimit_RefusedWithoutAnAnswer(bool declared)
    {
        var body = new byte[1001];

        var (transformer, _) = Read(declared ? Declared(body) : Undeclared(body, bytesPerRead: 300), limit: 1000);

        Assert.Null(transformer.Response);
        Assert.Contains("over the 1000-byte limit", transformer.ReadFailure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TransformResponseAsync_AnswerExactlyAtTheLimit_ReadWhole(bool declared)
    {
        var body = new byte[1000];
        Random.Shared.NextBytes(body);

        var (transformer, _) = Read(declared ? Declared(body) : Undeclared(body, bytesPerRead: 300), limit: 1000);

        Assert.Null(transformer.ReadFailure);
        Assert.Equal(body, transformer.Response!.Body.ToArray());
    }

    /// <summary>Reads the answer on this thread (in-memory content completes synchronously) and counts what that allocated.</summary>
    private static (VendorTransformer Transformer, long Allocated) Read(HttpContent content, long limit)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        var transformer = new VendorTransformer(
            new VendorHttpRequest("chat/completions", Array.Empty<byte>(), "application/json", []), null, limit, null, static () => { }, TimeProvider.System);
        var httpContext = new DefaultHttpContext();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var reading = transformer.TransformResponseAsync(httpContext, response, CancellationToken.None);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(reading.IsCompletedSuccessfully, "an in-memory answer is read without waiting");
        Assert.False(reading.Result);
        return (transformer, allocated);
    }

    private static ByteArrayContent Declared(byte[] body) => new(body);

    private static StreamContent Undeclared(byte[] body, int bytesPerRead = int.MaxValue)
    {
        var content = new StreamContent(new UnknownLengthStream(body, bytesPerRead));
        Assert.Null(content.Headers.ContentLength);
        return content;
    }

    /// <summary>A body whose length is not known up front, as a chunked answer's, delivered a few bytes per read.</summary>
    private sealed class UnknownLengthStream(byte[] body, int bytesPerRead) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var take = Math.Min(Math.Min(buffer.Length, bytesPerRead), body.Length - _position);
            body.AsSpan(_position, take).CopyTo(buffer);
            _position += take;
            return take;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
