using System.Buffers;
using System.Text;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline.Invocation;

/// <summary>
/// Parses a vendor's <c>text/event-stream</c> into events (the WHATWG framing: fields, blank-line dispatch).
/// A line, and an event's joined data, may be at most <paramref name="maxLineBytes"/> long: a vendor that sends
/// one endless line fails the stream instead of growing the gateway's memory without bound.
/// </summary>
internal sealed class ServerSentEventReader(Stream stream, int maxLineBytes) : IDisposable
{
    private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(8192);
    private readonly ArrayBufferWriter<byte> _line = new(256);
    private readonly StringBuilder _data = new();
    private int _start;
    private int _end;
    private bool _skipLineFeed;
    private bool _disposed;

    /// <returns>The next event, or null at the end of the stream (an unterminated last event is dropped, as the spec says).</returns>
    /// <exception cref="VendorResponseException">A line or an event is longer than the limit.</exception>
    public async ValueTask<ServerSentEvent?> ReadAsync(CancellationToken cancellationToken)
    {
        string? eventName = null;
        _data.Clear();
        var hasData = false;
        while (await ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (hasData)
                {
                    return new ServerSentEvent(eventName, _data.ToString());
                }

                eventName = null;
                continue;
            }

            if (line[0] == ':')
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? string.Empty : line[(colon + 1)..];
            if (value.StartsWith(' '))
            {
                value = value[1..];
            }

            if (field == "event")
            {
                eventName = value;
            }
            else if (field == "data")
            {
                if (hasData)
                {
                    _data.Append('\n');
                }

                _data.Append(value);
                hasData = true;
                if (_data.Length > maxLineBytes)
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

    /// <summary>One line without its terminator (CRLF, LF or CR); null at the end of the stream.</summary>
    private async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
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
                    return null;
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
            return Encoding.UTF8.GetString(_line.WrittenSpan);
        }
    }
}
