using System.Buffers;
using System.Text;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline.Invocation;

/// <summary>
/// Parses a vendor's <c>text/event-stream</c> into events (the WHATWG framing: fields, blank-line dispatch).
/// A line, and an event's joined data, may be at most <paramref name="maxLineBytes"/> long: a vendor that sends
/// one endless line fails the stream instead of growing the gateway's memory without bound.
/// </summary>
/// <remarks>
/// Lines are parsed as bytes and an event's data is handed on as the bytes it was: one array per event, decoded only by
/// a translator that asks for text. The limit on an event's data counts its characters, as decoded. Splitting at line
/// ends never cuts a UTF-8 sequence, so decoding the joined lines once gives what decoding each line would.
/// </remarks>
internal sealed class ServerSentEventReader(Stream stream, int maxLineBytes) : IDisposable
{
    private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(8192);
    private readonly ArrayBufferWriter<byte> _line = new(256);
    private readonly ArrayBufferWriter<byte> _data = new(256);
    private int _start;
    private int _end;
    private bool _skipLineFeed;
    private bool _disposed;

    /// <returns>The next event, or null at the end of the stream (an unterminated last event is dropped, as the spec says).</returns>
    /// <exception cref="VendorResponseException">A line or an event is longer than the limit.</exception>
    public async ValueTask<ServerSentEvent?> ReadAsync(CancellationToken cancellationToken)
    {
        string? eventName = null;
        _data.ResetWrittenCount();
        var dataChars = 0;
        var hasData = false;
        while (await ReadLineAsync(cancellationToken))
        {
            var line = _line.WrittenSpan;
            if (line.Length == 0)
            {
                if (hasData)
                {
                    return new ServerSentEvent(eventName, _data.WrittenSpan.ToArray());
                }

                eventName = null;
                continue;
            }

            if (line[0] == (byte)':')
            {
                continue;
            }

            var colon = line.IndexOf((byte)':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? [] : line[(colon + 1)..];
            if (value.Length > 0 && value[0] == (byte)' ')
            {
                value = value[1..];
            }

            if (field.SequenceEqual("event"u8))
            {
                eventName = Encoding.UTF8.GetString(value);
            }
            else if (field.SequenceEqual("data"u8))
            {
                if (hasData)
                {
                    _data.Write("\n"u8);
                    dataChars++;
                }

                _data.Write(value);
                dataChars += Encoding.UTF8.GetCharCount(value);
                hasData = true;
                if (dataChars > maxLineBytes)
                {
                    throw new VendorResponseException($"an event of the stream is longer than this gateway's limit of {maxLineBytes} bytes");
                }
            }
        }

        return null;
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            ArrayPool<byte>.Shared.Return(_buffer);
        }
    }

    /// <summary>Reads one line, without its terminator (CRLF, LF or CR), into <see cref="_line"/>; false at the end of the stream.</summary>
    private async ValueTask<bool> ReadLineAsync(CancellationToken cancellationToken)
    {
        _line.ResetWrittenCount();
        while (true)
        {
            if (_start == _end)
            {
                _start = 0;
                _end = await stream.ReadAsync(_buffer, cancellationToken);
                if (_end == 0)
                {
                    // End of stream: a partial last line is not a complete line, and is dropped.
                    return false;
                }
            }

            if (_skipLineFeed)
            {
                _skipLineFeed = false;
                if (_buffer[_start] == (byte)'\n')
                {
                    _start++;
                    continue;
                }
            }

            var span = _buffer.AsSpan(_start, _end - _start);
            var terminator = span.IndexOfAny((byte)'\n', (byte)'\r');
            var take = terminator < 0 ? span.Length : terminator;
            if (_line.WrittenCount + take > maxLineBytes)
            {
                throw new VendorResponseException($"a line of the stream is longer than this gateway's limit of {maxLineBytes} bytes");
            }

            _line.Write(span[..take]);
            _start += take;
            if (terminator < 0)
            {
                continue;
            }

            _skipLineFeed = _buffer[_start] == (byte)'\r';
            _start++;
            return true;
        }
    }
}
