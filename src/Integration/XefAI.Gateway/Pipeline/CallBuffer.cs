using System.Buffers;
using System.Text.Json;

namespace XefAI.Gateway.Pipeline;

/// <summary>
/// An array for one of a call's bodies (the request as received, the vendor's answer), rented from the shared pool and
/// given back when the call's response is disposed of: after the pipeline, the parsed documents that read over the
/// body and the audit record that hashed or copied it have all finished with it. A body over
/// <see cref="MaxPooledBytes"/> gets an array of its own, so the pool never keeps large arrays alive.
/// </summary>
internal sealed class CallBuffer : IDisposable
{
    /// <summary>The largest body read into a pooled array.</summary>
    public const int MaxPooledBytes = 64 * 1024;

    private byte[]? _array;

    private CallBuffer(byte[] array) => _array = array;

    /// <summary>
    /// An array of at least <paramref name="length"/> bytes that stays this call's until its response is disposed of;
    /// the caller uses its first <paramref name="length"/> bytes.
    /// </summary>
    public static byte[] Rent(HttpContext call, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length == 0)
        {
            return [];
        }

        if (length > MaxPooledBytes)
        {
            return new byte[length];
        }

        var array = ArrayPool<byte>.Shared.Rent(length);
        call.Response.RegisterForDispose(new CallBuffer(array));
        return array;
    }

    /// <summary>
    /// <paramref name="value"/> serialized as <see cref="JsonSerializer.SerializeToUtf8Bytes{TValue}(TValue, JsonSerializerOptions?)"/>
    /// writes it, into an array that stays the call's until <paramref name="disposeWithCall"/> disposes of it: a
    /// rendered answer, written to the client and hashed, and read by nobody after the call.
    /// </summary>
    public static ReadOnlyMemory<byte> SerializeJson<TValue>(TValue value, Action<IDisposable> disposeWithCall)
    {
        var scratch = t_scratch ?? new ArrayBufferWriter<byte>(1024);
        t_scratch = null;
        var writer = t_writer ??= new Utf8JsonWriter(scratch, WriterOptions);
        try
        {
            writer.Reset(scratch);
            JsonSerializer.Serialize(writer, value);
            writer.Flush();
            var length = scratch.WrittenCount;
            if (length > MaxPooledBytes)
            {
                return scratch.WrittenSpan.ToArray();
            }

            var array = ArrayPool<byte>.Shared.Rent(length);
            disposeWithCall(new CallBuffer(array));
            scratch.WrittenSpan.CopyTo(array);
            return array.AsMemory(0, length);
        }
        finally
        {
            // The scratch held an answer: cleared, and kept for the thread's next one unless it grew past a pooled body.
            scratch.Clear();
            t_scratch = scratch.Capacity <= MaxPooledBytes ? scratch : null;
        }
    }

    // As JsonSerializer's own writer with its default options: the default encoder, not indented, 64 levels deep.
    private static readonly JsonWriterOptions WriterOptions = new() { MaxDepth = 64, SkipValidation = true };

    // One scratch writer per thread: a rendering is written in one synchronous pass.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_scratch;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _array, null) is { } array)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
