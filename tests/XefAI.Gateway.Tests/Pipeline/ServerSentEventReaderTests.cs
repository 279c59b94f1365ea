using System.Text;
using XefAI.Gateway.Pipeline.Invocation;
using XefAI.Models;

namespace XefAI.Gateway.Tests.Pipeline;

/// <summary>
/// A vendor's event stream, framed as the WHATWG spec says (fields, blank-line dispatch, any line ending), within the
/// line and event limits, at the cost of one string per event.
/// </summary>
public sealed class ServerSentEventReaderTests
{
    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public async Task ReadAsync_AnyLineEnding_SameEvents(string end)
    {
        var events = await ReadAllAsync($"event: first{end}data: one{end}{end}data: two{end}{end}");

        Assert.Equal([new ServerSentEvent("first", "one"), new ServerSentEvent(null, "two")], events);
    }

    [Fact]
    public async Task ReadAsync_SeveralDataLines_JoinedWithLineFeeds()
    {
        var events = await ReadAllAsync("data: {\ndata:  \"a\": 1\ndata\ndata: }\n\n");

        Assert.Equal([new ServerSentEvent(null, "{\n \"a\": 1\n\n}")], events);
    }

    [Fact]
    public async Task ReadAsync_CommentsUnknownFieldsAndEventsWithoutData_Skipped()
    {
        var events = await ReadAllAsync(": keep-alive\nid: 7\nretry: 10\n\nevent: ping\n\ndata: x\n\n");

        // The name of an event that had no data does not carry over to the next one.
        Assert.Equal([new ServerSentEvent(null, "x")], events);
    }

    [Fact]
    public async Task ReadAsync_UnterminatedLastEvent_Dropped()
    {
        var events = await ReadAllAsync("data: whole\n\ndata: cut off\n");

        Assert.Equal([new ServerSentEvent(null, "whole")], events);
    }

    [Fact]
    public async Task ReadAsync_MultiByteCharactersSplitAcrossReads_DecodedWhole()
    {
        var events = await ReadAllAsync("event: délai\ndata: {\"content\":\"Patiënt – 体温 🙂\"}\ndata: é\n\n", bytesPerRead: 1);

        Assert.Equal([new ServerSentEvent("délai", "{\"content\":\"Patiënt – 体温 🙂\"}\né")], events);
    }

    [Fact]
    public async Task ReadAsync_LineOverTheLimit_Fails()
    {
        var failure = await Assert.ThrowsAsync<VendorResponseException>(() => ReadAllAsync("data: 0123456789\n\n", maxLineBytes: 15));

        Assert.Contains("a line of the stream", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_EventDataOverTheLimitInLinesWithinIt_Fails()
    {
        // Each line is 16 bytes; the event's data is 10 + 1 + 10 characters.
        var failure = await Assert.ThrowsAsync<VendorResponseException>(
            () => ReadAllAsync("data: 0123456789\ndata: 0123456789\n\n", maxLineBytes: 16));

        Assert.Contains("an event of the stream", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_EventDataWithinTheLimitInCharactersOverItInBytes_Read()
    {
        // 8 characters, 15 bytes of UTF-8: the event limit counts characters, as it always did.
        var events = await ReadAllAsync("data:éééé\ndata:ééé\n\n", maxLineBytes: 13);

        Assert.Equal([new ServerSentEvent(null, "éééé\nééé")], events);
    }

    [Fact]
    public async Task ReadAsync_SingleLineEvents_AllocatesOneStringPerEvent()
    {
        var data = "{\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,\"model\":\"gpt-4o-mini\"," +
            "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"},\"logprobs\":null,\"finish_reason\":null}]}";
        const int Events = 20;
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat($"data: {data}\n\n", Events + 1))));
        using var reader = new ServerSentEventReader(stream, 65536);

        // The first event sizes the reader's own buffers.
        Assert.Equal(data, Read(reader)?.Data);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Events; i++)
        {
            Read(reader);
        }

        var perEvent = (GC.GetAllocatedBytesForCurrentThread() - before) / Events;

        // A string of the data is 2 bytes a character; the rest is room for the async state machines a Debug build
        // allocates (classes there). Decoding each line, then cutting and joining it, cost four strings an event.
        Assert.True(perEvent < (2 * data.Length) + 400, $"{perEvent} bytes allocated per event of {data.Length} characters");
    }

    /// <summary>Reads one event of an in-memory stream, which completes without waiting.</summary>
    private static ServerSentEvent? Read(ServerSentEventReader reader)
    {
        var reading = reader.ReadAsync(CancellationToken.None);
        Assert.True(reading.IsCompletedSuccessfully);
        return reading.Result;
    }

    private static async Task<List<ServerSentEvent>> ReadAllAsync(string text, int maxLineBytes = 65536, int bytesPerRead = int.MaxValue)
    {
        using var stream = new TrickleStream(Encoding.UTF8.GetBytes(text), bytesPerRead);
        using var reader = new ServerSentEventReader(stream, maxLineBytes);
        var events = new List<ServerSentEvent>();
        while (await reader.ReadAsync(CancellationToken.None) is { } next)
        {
            events.Add(next);
        }

        return events;
    }

    /// <summary>A stream that hands out at most a few bytes per read, as a network does.</summary>
    private sealed class TrickleStream(byte[] body, int bytesPerRead) : MemoryStream(body, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, bytesPerRead));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, bytesPerRead)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer, offset, count));
    }
}
