using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.Pipeline;
using XefAI.Gateway.Pipeline.Steps;
using XefAI.Gateway.Tests.Pipeline.TestSupport;
using XefAI.Integration;

namespace XefAI.Gateway.Tests.Pipeline.Steps;

public sealed class ReadRequestStepTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"task":"summary","text":"Stable."}""");

    private readonly ReadRequestStep _step = new(Shedder(new OverloadOptions()), NullLogger<ReadRequestStep>.Instance);

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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Execute_ReadingSlotsFull_ShedWithoutReadingUntilASlotIsFree(bool chunked)
    {
        using var shedder = Shedder(new OverloadOptions { MaxReadingCalls = 1 });
        var step = new ReadRequestStep(shedder, NullLogger<ReadRequestStep>.Instance);
        Assert.True(shedder.TryStartReading());
        var adapter = new TestAdapter { Translator = _ => Translation.Of(new GatewayRequest("summary", CallOperation.Chat)) };
        await using var shed = CallContexts.Create(adapter, body: Body, chunked: chunked);

        await step.ExecuteAsync(shed);

        Assert.Equal(LoadShedder.ReadingBound, shed.ShedBy);
        Assert.Null(shed.Error);
        Assert.Empty(adapter.Translated);
        Assert.Equal(0, shed.HttpContext.Request.Body.Position);
        Assert.Equal(0, shedder.BodyBytesInFlight);

        shedder.EndReading();
        await using var read = CallContexts.Create(adapter, body: Body, chunked: chunked);
        await step.ExecuteAsync(read);

        Assert.Null(read.ShedBy);
        Assert.NotNull(read.Request);
        Assert.Equal(0, shedder.ReadingCalls);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Execute_BodyOverTheBudgetOthersHold_ShedAndNothingKeptOfTheBudget(bool chunked)
    {
        using var shedder = Shedder(new OverloadOptions { MaxBodyBytesInFlight = OverloadOptions.MinBodyBytesInFlight });
        var step = new ReadRequestStep(shedder, NullLogger<ReadRequestStep>.Instance);
        await using var other = CallContexts.Create();
        Assert.True(shedder.TryTakeBodyBytes(other, OverloadOptions.MinBodyBytesInFlight - Body.Length + 1));
        var adapter = new TestAdapter();
        await using var call = CallContexts.Create(adapter, body: Body, chunked: chunked);

        await step.ExecuteAsync(call);

        Assert.Equal(LoadShedder.BodyBytesBound, call.ShedBy);
        Assert.Null(call.Error);
        Assert.Empty(adapter.Translated);
        shedder.ReturnBodyBytes(call);
        Assert.Equal(OverloadOptions.MinBodyBytesInFlight - Body.Length + 1, shedder.BodyBytesInFlight);
        Assert.Equal(0, shedder.ReadingCalls);

        // Once the other call ends, the body fits, and weighs its length until the call ends.
        shedder.ReturnBodyBytes(other);
        await using var again = CallContexts.Create(adapter, body: Body, chunked: chunked);
        await step.ExecuteAsync(again);

        Assert.Null(again.ShedBy);
        Assert.Equal(Body.Length, again.BodyBytes);
        Assert.Equal(Body.Length, shedder.BodyBytesInFlight);
        shedder.ReturnBodyBytes(again);
        Assert.Equal(0, shedder.BodyBytesInFlight);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Execute_BodyLargerThanTheBudgetAlone_IsAdmitted(bool chunked)
    {
        using var shedder = Shedder(new OverloadOptions { MaxBodyBytesInFlight = OverloadOptions.MinBodyBytesInFlight });
        var step = new ReadRequestStep(shedder, NullLogger<ReadRequestStep>.Instance);
        var large = Encoding.UTF8.GetBytes($$"""{"task":"summary","text":"{{new string('x', 3 * (int)OverloadOptions.MinBodyBytesInFlight)}}"}""");
        var adapter = new TestAdapter { Translator = _ => Translation.Of(new GatewayRequest("summary", CallOperation.Chat)) };
        await using var call = CallContexts.Create(adapter, body: large, chunked: chunked);

        await step.ExecuteAsync(call);

        Assert.Null(call.ShedBy);
        Assert.Null(call.Error);
        Assert.Equal(large.Length, call.BodyBytes);
    }

    [Fact]
    public async Task Execute_NoProcessingPlaceFree_ShedOnceReadWithoutTranslating()
    {
        using var shedder = Shedder(new OverloadOptions { MaxConcurrentCalls = 1, QueueLimit = 0 });
        var step = new ReadRequestStep(shedder, NullLogger<ReadRequestStep>.Instance);
        using var held = await shedder.EnterAsync(CancellationToken.None);
        var adapter = new TestAdapter { Translator = _ => Translation.Of(new GatewayRequest("summary", CallOperation.Chat)) };
        await using var call = CallContexts.Create(adapter, body: Body);

        await step.ExecuteAsync(call);

        Assert.Equal(LoadShedder.PlacesBound, call.ShedBy);
        Assert.Null(call.Place);
        Assert.Empty(adapter.Translated);
        Assert.Equal(0, shedder.ReadingCalls);
        Assert.Equal(Body.Length, call.BodyBytes);
    }

    private static LoadShedder Shedder(OverloadOptions options) => new(options, 1, new FakeMetrics(), availableMemoryBytes: 1L << 34);

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
