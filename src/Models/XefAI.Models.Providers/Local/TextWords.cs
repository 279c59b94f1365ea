using System.Diagnostics.CodeAnalysis;

namespace XefAI.Models.Providers.Local;

/// <summary>Whitespace-separated words: the local provider's stand-in for tokens.</summary>
internal static class TextWords
{
    public static int Count(string text)
    {
        var count = 0;
        var inWord = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                inWord = false;
            }
            else if (!inWord)
            {
                inWord = true;
                count++;
            }
        }

        return count;
    }

    /// <summary>Cuts <paramref name="text"/> after <paramref name="maxWords"/> words, keeping its line breaks.</summary>
    public static bool TryTruncate(string text, int maxWords, [NotNullWhen(true)] out string? truncated)
    {
        var count = 0;
        var inWord = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                inWord = false;
            }
            else if (!inWord)
            {
                if (count == maxWords)
                {
                    truncated = text[..i].TrimEnd();
                    return true;
                }

                inWord = true;
                count++;
            }
        }

        truncated = null;
        return false;
    }
}
