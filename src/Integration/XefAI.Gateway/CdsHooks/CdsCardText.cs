using System.Text;

namespace XefAI.Gateway.CdsHooks;

/// <summary>
/// A card's text as an EHR can show it: without control characters (a NUL ends a C string in more than one EHR's
/// renderer) and without the bidirectional controls that make text read otherwise than it is stored (a dose or a
/// laterality reversed on screen, "Trojan Source"). The chat answer is left as the model wrote it; a card is drawn by
/// the EHR, in front of a clinician, and this is the gateway's to clean.
/// </summary>
internal static class CdsCardText
{
    /// <param name="multiline">True for Markdown (<c>detail</c>): line feeds and tabs stay. Otherwise each is a space.</param>
    public static string Clean(string text, bool multiline)
    {
        var at = IndexOfUnwanted(text, multiline);
        if (at < 0)
        {
            return text;
        }

        var clean = new StringBuilder(text.Length);
        clean.Append(text, 0, at);
        for (var i = at; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '\n' or '\t' or '\r' or '\u2028' or '\u2029' && !multiline)
            {
                clean.Append(' ');
            }
            else if (c is '\u2028' or '\u2029')
            {
                // Unicode's line and paragraph separators: a line feed, which every renderer reads alike.
                clean.Append('\n');
            }
            else if (c == '\r')
            {
                // A CR LF is one line feed; a CR alone ends a line too, as it did before it was cleaned.
                if (i + 1 == text.Length || text[i + 1] != '\n')
                {
                    clean.Append('\n');
                }
            }
            else if (!IsUnwanted(c, multiline))
            {
                clean.Append(c);
            }
        }

        return clean.ToString();
    }

    private static int IndexOfUnwanted(string text, bool multiline)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (IsUnwanted(text[i], multiline))
            {
                return i;
            }
        }

        return -1;
    }

    // C0 (a carriage return becomes a line feed), DEL and C1 controls; LRM, RLM, ALM and the
    // embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069); the invisible zero-width space, word joiner
    // and byte-order mark, which hide text or split a word a reader or a search would see whole (the joiners U+200C and
    // U+200D stay: Persian, Indic scripts and emoji need them); the line and paragraph separators, made line feeds.
    private static bool IsUnwanted(char c, bool multiline) => c switch
    {
        '\n' or '\t' => !multiline,
        < ' ' or (>= '\u007f' and <= '\u009f') => true,
        '\u200e' or '\u200f' or '\u061c' => true,
        '\u200b' or '\u2060' or '\ufeff' or '\u2028' or '\u2029' => true,
        >= '\u202a' and <= '\u202e' => true,
        >= '\u2066' and <= '\u2069' => true,
        _ => false,
    };
}
