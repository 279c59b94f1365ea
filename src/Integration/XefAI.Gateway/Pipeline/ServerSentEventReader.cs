using System.Text;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline;

/// <summary>Parses a vendor's <c>text/event-stream</c> into events (the WHATWG framing: fields, blank-line dispatch).</summary>
internal sealed class ServerSentEventReader(Stream stream) : IDisposable
{
    private readonly StreamReader _reader = new(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096);
    private readonly StringBuilder _data = new();

    /// <returns>The next event, or null at the end of the stream (an unterminated last event is dropped, as the spec says).</returns>
    public async ValueTask<ServerSentEvent?> ReadAsync(CancellationToken cancellationToken)
    {
        string? eventName = null;
        _data.Clear();
        var hasData = false;
        while (await _reader.ReadLineAsync(cancellationToken) is { } line)
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
            }
        }

        return null;
    }

    public void Dispose() => _reader.Dispose();
}
