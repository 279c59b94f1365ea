using System.Buffers;

namespace XefAI.Models.Providers.Wire;

/// <summary>
/// A vendor body in an array rented from the shared pool, owned by the call that sends it: disposed when the call
/// ends, it clears the bytes (a prompt, possibly a patient's) and returns the array.
/// </summary>
internal sealed class PooledBytes : IDisposable
{
    private byte[]? _array;
    private readonly int _length;

    private PooledBytes(byte[] array, int length)
    {
        _array = array;
        _length = length;
    }

    /// <summary>The body; valid until <see cref="Dispose"/>.</summary>
    public ReadOnlyMemory<byte> Memory => _array is { } array ? array.AsMemory(0, _length) : throw new ObjectDisposedException(nameof(PooledBytes));

    public static PooledBytes CopyOf(ReadOnlySpan<byte> bytes)
    {
        var array = ArrayPool<byte>.Shared.Rent(bytes.Length);
        bytes.CopyTo(array);
        return new PooledBytes(array, bytes.Length);
    }

    public void Dispose()
    {
        var array = Interlocked.Exchange(ref _array, null);
        if (array is null)
        {
            return;
        }

        array.AsSpan(0, _length).Clear();
        ArrayPool<byte>.Shared.Return(array);
    }
}
