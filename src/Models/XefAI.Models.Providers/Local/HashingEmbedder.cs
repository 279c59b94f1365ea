using System.Text;

namespace XefAI.Models.Providers.Local;

/// <summary>
/// A deterministic text embedding by the hashing trick: not a neural model, no learned weights, no vocabulary.
/// Texts that share words and word pairs get close vectors; texts that mean the same in other words do not.
/// </summary>
/// <remarks>
/// Features are the lowercased words (runs of letters and digits) and each pair of adjacent words. Each feature's
/// UTF-8 bytes are hashed with 64-bit FNV-1a and then mixed (MurmurHash3's finalizer, so every output bit depends on
/// every input bit); the low bits pick one of <c>dimensions</c> buckets and the top bit the sign added there, so
/// colliding features cancel rather than pile up. The vector is then scaled to unit length, so cosine similarity is
/// a dot product. Nothing depends on the process (unlike <see cref="string.GetHashCode()"/>), so a vector stored
/// today matches one computed tomorrow by another gateway.
/// </remarks>
internal static class HashingEmbedder
{
    public const int DefaultDimensions = 256;

    private const ulong FnvOffsetBasis = 14695981039346656037;
    private const ulong FnvPrime = 1099511628211;

    public static float[] Embed(string text, int dimensions)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);

        var sums = new double[dimensions];
        var words = Words(text);
        for (var i = 0; i < words.Count; i++)
        {
            Add(sums, "w:" + words[i]);
            if (i > 0)
            {
                Add(sums, "b:" + words[i - 1] + " " + words[i]);
            }
        }

        // Text with no letters or digits ("???", "—") still deserves a vector of unit length, and one that differs
        // from other such text.
        if (words.Count == 0)
        {
            Add(sums, "t:" + text);
        }

        var norm = Math.Sqrt(sums.Sum(value => value * value));
        var vector = new float[dimensions];
        if (norm > 0)
        {
            for (var i = 0; i < dimensions; i++)
            {
                vector[i] = (float)(sums[i] / norm);
            }
        }

        return vector;
    }

    internal static List<string> Words(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        // Runes, not chars, so letters outside the Basic Multilingual Plane stay inside their word.
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsLetterOrDigit(rune))
            {
                word.Append(Rune.ToLowerInvariant(rune).ToString());
            }
            else if (word.Length > 0)
            {
                words.Add(word.ToString());
                word.Clear();
            }
        }

        if (word.Length > 0)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    internal static ulong Hash(string feature)
    {
        var hash = FnvOffsetBasis;
        foreach (var b in Encoding.UTF8.GetBytes(feature))
        {
            hash ^= b;
            hash *= FnvPrime;
        }

        // FNV-1a's low bits depend weakly on the last bytes; the finalizer spreads every byte over every bit.
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccd;
        hash ^= hash >> 33;
        hash *= 0xc4ceb9fe1a85ec53;
        hash ^= hash >> 33;
        return hash;
    }

    private static void Add(double[] sums, string feature)
    {
        var hash = Hash(feature);
        var bucket = (int)(hash % (ulong)sums.Length);
        sums[bucket] += (hash >> 63) == 0 ? 1 : -1;
    }
}
