using System.Collections.Frozen;

namespace XefAI.Data.Deidentification;

/// <summary>A rule's small fixed word list, looked up by span in any letter case, with no chain of comparisons and no string made.</summary>
internal sealed class WordSet
{
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    // Bit n set when some word has n letters (n < 64): a word of any other length is refused before it is hashed.
    private readonly ulong _lengths;

    public WordSet(params string[] words)
    {
        _lookup = words.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var word in words)
        {
            _lengths |= word.Length < 64 ? 1UL << word.Length : 1UL << 63;
        }
    }

    /// <summary>Whether <paramref name="word"/> is one of the words, ignoring case.</summary>
    public bool Contains(ReadOnlySpan<char> word) =>
        ((_lengths >> Math.Min(word.Length, 63)) & 1) != 0 && _lookup.Contains(word);
}
