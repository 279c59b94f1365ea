using System.Text.Json;

namespace XefAI.Models.Providers.Wire;

/// <summary>
/// A JSON writer over pooled scratch space, for writing one vendor body: the writer and its buffer object are kept per
/// thread and reused (a body is written in one synchronous pass), the scratch array is rented for the write and cleared
/// and returned after it, and the body leaves as one exact-size array.
/// </summary>
/// <example>
/// <code>
/// using var json = PooledJsonWriter.Rent();
/// json.Writer.WriteStartObject();
/// // ...
/// return json.ToArray();
/// </code>
/// </example>
internal sealed class PooledJsonWriter : IDisposable
{
    // One free writer per thread; a write nested in another (none today) takes a new one rather than sharing.
    [ThreadStatic]
    private static PooledJsonWriter? t_free;

    private readonly PooledBufferWriter _buffer = new();

    private PooledJsonWriter() => Writer = new Utf8JsonWriter(_buffer, VendorJson.WriterOptions);

    public Utf8JsonWriter Writer { get; }

    public static PooledJsonWriter Rent()
    {
        var json = t_free ?? new PooledJsonWriter();
        t_free = null;
        json._buffer.Reopen();

        // Whatever a failed write left (an open object, a pending property) is forgotten here.
        json.Writer.Reset(json._buffer);
        return json;
    }

    /// <summary>What was written, in an array of its own.</summary>
    public byte[] ToArray()
    {
        Writer.Flush();
        return _buffer.ToArray();
    }

    public void Dispose()
    {
        // Bytes still pending in the writer are committed first, as disposing a writer does, so that clearing the scratch
        // array (it held a prompt) covers them too; then the writer forgets its state.
        Writer.Flush();
        Writer.Reset(_buffer);
        _buffer.Dispose();
        t_free = this;
    }
}
