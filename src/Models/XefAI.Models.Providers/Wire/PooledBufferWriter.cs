using System.Buffers;

namespace XefAI.Models.Providers.Wire;

/// <summary>
/// Scratch space for writing a vendor body, rented from the shared pool; the body leaves as one exact-size array.
/// </summary>
/// <remarks>
/// The body outlives the call that builds it (it is sent, retried and read by nobody knows whom), so it cannot stay
/// in a pooled array. Writing into a pooled one and copying out once costs one array of the body's size, where a
/// growing <see cref="ArrayBufferWriter{T}"/> leaves a doubled array behind and copies at every doubling.
/// </remarks>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private const int MinimumSize = 4096;

    private byte[] _buffer;
    private int _written;

    public PooledBufferWriter() => _buffer = ArrayPool<byte>.Shared.Rent(MinimumSize);

    /// <summary>Rents scratch space again after <see cref="Dispose"/>: the writer object is kept, not its array.</summary>
    public void Reopen()
    {
        if (_buffer.Length == 0)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(MinimumSize);
        }
    }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _written);
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>What was written, in an array of its own.</summary>
    public byte[] ToArray() => _buffer.AsSpan(0, _written).ToArray();

    public void Dispose()
    {
        if (_buffer.Length == 0)
        {
            return;
        }

        // The bytes are a prompt, possibly a patient's; the next renter of this array must not find them.
        _buffer.AsSpan(0, _written).Clear();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _written = 0;
    }

    private void Reserve(int sizeHint)
    {
        ObjectDisposedException.ThrowIf(_buffer.Length == 0, this);
        var needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(checked(Math.Max(_buffer.Length * 2, _written + needed)));
        _buffer.AsSpan(0, _written).CopyTo(larger);
        _buffer.AsSpan(0, _written).Clear();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
