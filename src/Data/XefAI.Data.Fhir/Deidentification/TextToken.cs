using System.Runtime.CompilerServices;

namespace XefAI.Data.Deidentification;

internal enum TokenType : byte
{
    /// <summary>Letters only.</summary>
    Word,

    /// <summary>ASCII digits only.</summary>
    Number,

    /// <summary>Letters and digits mixed, e.g. <c>A0048291</c>, <c>14th</c>, <c>4B</c>.</summary>
    Alnum,

    /// <summary>One character that is neither a letter, a digit nor white space.</summary>
    Punct,
}

[Flags]
internal enum TokenShape : byte
{
    None = 0,

    /// <summary>White space precedes the token.</summary>
    SpaceBefore = 1,

    /// <summary>A line break precedes the token.</summary>
    LineBefore = 2,

    /// <summary>First letter upper case, some other lower case.</summary>
    Capitalized = 4,

    /// <summary>Every letter upper case.</summary>
    Upper = 8,

    /// <summary>Every letter lower case.</summary>
    Lower = 16,

    /// <summary>Letters outside the Latin script.</summary>
    OtherScript = 32,

    /// <summary>Letters of a script without case (Han, Arabic, Hebrew, Devanagari…), where a name cannot be told by its capital.</summary>
    Caseless = 64,

    /// <summary>Characters outside ASCII (accented Latin letters among them).</summary>
    NonAscii = 128,
}

/// <summary>A token of the text: a run of letters and digits or one other character, with the white space before it.</summary>
internal readonly record struct TextToken(int Start, int Length, TokenType Type, TokenShape Shape)
{
    public int End => Start + Length;

    public bool Is(TokenShape shape) => (Shape & shape) != 0;

    public bool Adjacent => (Shape & (TokenShape.SpaceBefore | TokenShape.LineBefore)) == 0;
}

/// <summary>Splits text into tokens in one pass, without allocating per token.</summary>
internal static class TextTokenizer
{
    /// <summary>Writes the tokens of <paramref name="text"/> into <paramref name="tokens"/>, growing it from the shared pool.</summary>
    /// <returns>How many tokens were written.</returns>
    public static int Tokenize(ReadOnlySpan<char> text, ref TextToken[] tokens)
    {
        var count = 0;
        var shape = TokenShape.None;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if ((c <= ' ' || c >= '\u0080') && char.IsWhiteSpace(c))
            {
                shape |= c is '\n' or '\r' or '\u2028' or '\u2029' ? TokenShape.SpaceBefore | TokenShape.LineBefore : TokenShape.SpaceBefore;
                i++;
                continue;
            }

            if (c < '\u0080' ? !char.IsAsciiLetterOrDigit(c) : !IsWordChar(c))
            {
                // "\nAge: 95" in a JSON string pasted into a prompt: the escape is the line break it stands for, not a letter
                // glued to the next word.
                if (c == '\\' && EscapedSpace(text, i) is var escaped and not TokenShape.None)
                {
                    shape |= escaped;
                    i += 2;
                    continue;
                }

                // A surrogate pair is one token, so a split never lands inside a character.
                var length = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
                Add(ref tokens, ref count, new TextToken(i, length, TokenType.Punct, shape));
                shape = TokenShape.None;
                i += length;
                continue;
            }

            // What the token's characters are, as flags in one local (ASCII by its range alone, the rest by category).
            var start = i;
            var firstUpper = c < '\u0080' ? char.IsAsciiLetterUpper(c) : char.IsUpper(c);
            i = WordEnd(text, i, out var seen);

            var letters = (seen & Letter) != 0;
            var type = (seen & Digit) != 0 ? (letters ? TokenType.Alnum : TokenType.Number) : TokenType.Word;
            if (letters)
            {
                bool upper = (seen & Upper) != 0, lower = (seen & Lower) != 0;
                if (firstUpper && lower)
                {
                    shape |= TokenShape.Capitalized;
                }
                else if (upper && !lower)
                {
                    shape |= TokenShape.Upper;
                }
                else if (lower && !upper)
                {
                    shape |= TokenShape.Lower;
                }

                if ((seen & OtherScript) != 0)
                {
                    shape |= TokenShape.OtherScript;
                }

                if ((seen & Caseless) != 0)
                {
                    shape |= TokenShape.Caseless;
                }
            }

            if ((seen & NonAscii) != 0)
            {
                shape |= TokenShape.NonAscii;
            }

            Add(ref tokens, ref count, new TextToken(start, i - start, type, shape));
            shape = TokenShape.None;
        }

        return count;
    }

    /// <summary>What the escape at <paramref name="i"/> ("\n", "\r", "\t", not "\\n") stands for: a line break, a space, or none.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static TokenShape EscapedSpace(ReadOnlySpan<char> text, int i)
    {
        if (i + 1 >= text.Length || (i > 0 && text[i - 1] == '\\'))
        {
            return TokenShape.None;
        }

        return text[i + 1] switch
        {
            'n' => TokenShape.SpaceBefore | TokenShape.LineBefore,

            // A carriage return comes before a line feed or ends the text; before a letter it is a login's "sal\rjimerson".
            'r' when i + 2 >= text.Length || !char.IsAsciiLetterOrDigit(text[i + 2]) => TokenShape.SpaceBefore | TokenShape.LineBefore,
            't' => TokenShape.SpaceBefore,
            _ => TokenShape.None,
        };
    }

    /// <summary>Where the word that starts at <paramref name="i"/> ends, and the flags of its characters.</summary>
    /// <remarks>Its own method, so that its loop keeps its position and flags in registers.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int WordEnd(ReadOnlySpan<char> text, int i, out int seen)
    {
        var flags = 0;
        for (; i < text.Length; i++)
        {
            var ch = text[i];
            if (ch < '\u0080')
            {
                // A table, not a branch per class: letters and digits alternate unpredictably.
                var ascii = AsciiFlags[ch];
                if (ascii == 0)
                {
                    break;
                }

                flags |= ascii;
            }
            else if (IsWordChar(ch))
            {
                flags |= OtherLetterFlags(ch) | NonAscii;
            }
            else
            {
                break;
            }
        }

        seen = flags;
        return i;
    }

    // What the characters of a token are: the flags Tokenize collects.
    private const byte Digit = 1, Letter = 2, Upper = 4, Lower = 8, Caseless = 16, OtherScript = 32, NonAscii = 64;

    /// <summary>The flags of each ASCII character; 0 for what is not a word character.</summary>
    private static ReadOnlySpan<byte> AsciiFlags =>
    [
        0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0,
        Digit, Digit, Digit, Digit, Digit, Digit, Digit, Digit,
        Digit, Digit, 0, 0, 0, 0, 0, 0,
        0, Letter | Upper, Letter | Upper, Letter | Upper, Letter | Upper, Letter | Upper, Letter | Upper, Letter | Upper,
        Letter | Upper, Letter | Upper, Letter | Upper, Letter | Upper, Letter | Upper, Letter | Upper, Letter | Upper, Letter | Upper,
        Letter | Upper, Letter | Upper, Letter | Upper, Letter | Upper, Letter | Upper, Letter | Upper, Letter | Upper, Letter | Upper,
        Letter | Upper, Letter | Upper, Letter | Upper, 0, 0, 0, 0, 0,
        0, Letter | Lower, Letter | Lower, Letter | Lower, Letter | Lower, Letter | Lower, Letter | Lower, Letter | Lower,
        Letter | Lower, Letter | Lower, Letter | Lower, Letter | Lower, Letter | Lower, Letter | Lower, Letter | Lower, Letter | Lower,
        Letter | Lower, Letter | Lower, Letter | Lower, Letter | Lower, Letter | Lower, Letter | Lower, Letter | Lower, Letter | Lower,
        Letter | Lower, Letter | Lower, Letter | Lower, 0, 0, 0, 0, 0,
    ];

    /// <summary>The flags of a word character outside ASCII (a letter or a combining mark of any script).</summary>
    private static int OtherLetterFlags(char ch)
    {
        var flags = Letter;
        if (char.IsUpper(ch))
        {
            flags |= Upper;
        }
        else if (char.IsLower(ch))
        {
            flags |= Lower;
        }
        else if (char.IsLetter(ch))
        {
            flags |= Caseless;
        }

        if (ch > '\u024F' && ch is < '\u1E00' or > '\u1EFF')
        {
            flags |= OtherScript;
        }

        return flags;
    }

    private static void Add(ref TextToken[] tokens, ref int count, TextToken token)
    {
        if (count == tokens.Length)
        {
            var larger = System.Buffers.ArrayPool<TextToken>.Shared.Rent(Math.Max(256, tokens.Length * 2));
            tokens.AsSpan(0, count).CopyTo(larger);
            if (tokens.Length > 0)
            {
                System.Buffers.ArrayPool<TextToken>.Shared.Return(tokens);
            }

            tokens = larger;
        }

        tokens[count++] = token;
    }

    // Digits are ASCII only: other scripts' digits are rare in clinical text and are treated as letters of their script.
    internal static bool IsWordChar(char c) => c < '\u0080' ? char.IsAsciiLetterOrDigit(c) : char.IsAsciiDigit(c) || char.IsLetter(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.SpacingCombiningMark;
}
