using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using XefAI.Gateway.Pipeline.Steps;
using XefAI.Gateway.Tests.Pipeline.TestSupport;
using XefAI.Integration;

namespace XefAI.Gateway.Tests.Pipeline.Steps;

public sealed class ReadRequestStepTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"task":"summary","text":"Stable."}""");

    private readonly ReadRequestStep _step = new(NullLogger<ReadRequestStep>.Instance);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Execute_Body_IsReadOnceHashedAndTranslatedByTheAdapter(bool chunked)
    {
        var request = new GatewayRequest("summary", CallOperation.Chat);
        var adapter = new TestAdapter { Translator = _ => Translation.Of(request) };
        await using var call = CallContexts.Create(adapter, body: Body, chunked: chunked);

        await _step.ExecuteAsync(call);

        Assert.Null(call.Error);
        Assert.Equal(Body, Assert.Single(adapter.Translated));
        Assert.Equal(Body, call.Body.ToArray());
        Assert.Equal(CallContexts.Sha256(Body), call.InputSha256);
        Assert.Same(request, call.Request);
    }

    [Fact]
    public async Task Execute_BodyOfExactlyTheLimit_IsAccepted()
    {
        await using var call = CallContexts.Create(config: Limit(Body.Length), body: Body, chunked: true);

        await _step.ExecuteAsync(call);

        Assert.Null(call.Error);
        Assert.NotNull(call.Request);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Execute_BodyOverTheLimit_Refuses413WithoutTranslating(bool chunked)
    {
        var adapter = new TestAdapter();
        await using var call = CallContexts.Create(adapter, Limit(Body.Length - 1), body: Body, chunked: chunked);

        await _step.ExecuteAsync(call);

        Assert.Equal(413, call.Error?.StatusCode);
        Assert.Equal("request_too_large", call.Error!.Code);
        Assert.Empty(adapter.Translated);
        Assert.Null(call.Request);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    [InlineData("identity, gzip")]
    public async Task Execute_CompressedBody_Refuses415WithoutReadingOrTranslating(string encoding)
    {
        var adapter = new TestAdapter();
        await using var call = CallContexts.Create(adapter, body: Body);
        call.HttpContext.Request.Headers.ContentEncoding = encoding;

        await _step.ExecuteAsync(call);

        Assert.Equal(415, call.Error?.StatusCode);
        Assert.Equal("unsupported_content_encoding", call.Error!.Code);
        Assert.Contains("uncompressed", call.Error.Message, StringComparison.Ordinal);
        Assert.Empty(adapter.Translated);
        Assert.Equal(0, call.HttpContext.Request.Body.Position);
    }

    [Theory]
    [InlineData("identity")]
    [InlineData("Identity")]
    [InlineData("")]
    public async Task Execute_IdentityEncoding_IsReadAsAnyBody(string encoding)
    {
        var request = new GatewayRequest("summary", CallOperation.Chat);
        var adapter = new TestAdapter { Translator = _ => Translation.Of(request) };
        await using var call = CallContexts.Create(adapter, body: Body);
        call.HttpContext.Request.Headers.ContentEncoding = encoding;

        await _step.ExecuteAsync(call);

        Assert.Null(call.Error);
        Assert.Equal(Body, Assert.Single(adapter.Translated));
    }

    [Fact]
    public async Task Execute_AdapterRefuses_TheCallCarriesTheAdaptersErrorAndTheInputHash()
    {
        var refusal = CallError.InvalidRequest("invalid_json", "Not JSON.");
        var adapter = new TestAdapter { Translator = _ => Translation.Refuse(refusal) };
        await using var call = CallContexts.Create(adapter, body: Body);

        await _step.ExecuteAsync(call);

        Assert.Same(refusal, call.Error);
        Assert.Null(call.Request);
        Assert.Equal(CallContexts.Sha256(Body), call.InputSha256);
    }

    [Theory]
    [InlineData(400, 400, "malformed_body")]
    [InlineData(408, 408, "request_body_timeout")]
    public async Task Execute_KestrelRejectsTheBody_RefusedWithItsStatus(int kestrelStatus, int status, string code)
    {
        var adapter = new TestAdapter();
        var unreadable = new FailingStream(new BadHttpRequestException("Bad chunk size.", kestrelStatus));
        await using var call = CallContexts.Create(adapter, bodyStream: unreadable);

        await _step.ExecuteAsync(call);

        Assert.Equal(status, call.Error?.StatusCode);
        Assert.Equal(code, call.Error!.Code);
        Assert.Empty(adapter.Translated);
    }

    [Fact]
    public async Task Execute_BodyBreaksWithIOException_RefusedAsMalformed()
    {
        await using var call = CallContexts.Create(bodyStream: new FailingStream(new IOException("Chunk size overflow.")));

        await _step.ExecuteAsync(call);

        Assert.Equal(400, call.Error?.StatusCode);
        Assert.Equal("malformed_body", call.Error!.Code);
    }

    private static XefAI.Gateway.Configuration.GatewaySnapshot Limit(long bytes) => TestConfig.Snapshot(o => o.MaxRequestBodyBytes = bytes);

    /// <summary>A request body that cannot be read, as Kestrel reports a malformed or too slow one.</summary>
    private sealed class FailingStream(Exception failure) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromException<int>(failure);

        public override int Read(byte[] buffer, int offset, int count) => throw failure;

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
