using System.Buffers;

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

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _array, null) is { } array)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
