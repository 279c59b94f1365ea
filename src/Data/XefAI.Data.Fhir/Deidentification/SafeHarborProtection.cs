using System.Buffers;
using System.Globalization;
using System.Text;

namespace XefAI.Data.Deidentification;

/// <summary>
/// The de-identification of one call. Each distinct value gets one token for the whole call (<c>[NAME_1]</c>,
/// <c>[DATE_3]</c>), numbered per kind; the map from tokens back to values lives only in this object, in memory, for
/// as long as the call.
/// </summary>
internal sealed class SafeHarborProtection : IDataProtection
{
    /// <summary>Longest token this protection writes: <c>[HEALTHPLAN_99999]</c> and a margin.</summary>
    public const int MaxTokenLength = 32;

    // The characters of most text (printable ASCII, tab, line breaks): a text of these alone needs no preparing.
    private static readonly SearchValues<char> PlainText = SearchValues.Create("\t\n\v\f\r !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    // The first tokens of each kind, written once: most calls issue only these.
    private static readonly string[][] FirstTokens = CreateFirstTokens(16);

    private readonly PhiScanner _scanner;
    private readonly KnownPeople _known;
    private readonly int _maxLength;
    private readonly Func<int>? _dateShift;
    private int? _dateShiftDays;
    private readonly Dictionary<(PhiKind Kind, string Value), string> _tokens = new(KindValueComparer.Instance);
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly int[] _counts = new int[PhiKinds.Count];
    private readonly int[] _issued = new int[PhiKinds.Count];
    private readonly HashSet<string> _reserved = new(StringComparer.Ordinal);

    // The same text is protected more than once per call (the conversation and the vendor body hold it); counted once.
    private readonly Dictionary<string, string> _protected = new(StringComparer.Ordinal);
    private readonly List<PhiSpan> _spans = [];
    private readonly HashSet<string> _learnedNames = new(StringComparer.OrdinalIgnoreCase);
    private readonly object _gate = new();

    public SafeHarborProtection(PhiScanner scanner, KnownPeople known, int dateShiftDays, int maxLength)
    {
        _scanner = scanner;
        _known = known;
        _dateShiftDays = dateShiftDays;
        _maxLength = maxLength;
    }

    /// <summary>
    /// A protection whose date shift is worked out on first need: most calls hold no structured date, and the shift costs
    /// a keyed hash or two draws from the system's random source.
    /// </summary>
    public SafeHarborProtection(PhiScanner scanner, KnownPeople known, Func<int> dateShift, int maxLength)
    {
        _scanner = scanner;
        _known = known;
        _dateShift = dateShift;
        _maxLength = maxLength;
    }

    /// <summary>Days structured dates move by for this call's patient; the same for the whole call.</summary>
    public int DateShiftDays
    {
        get
        {
            lock (_gate)
            {
                return _dateShiftDays ??= _dateShift!();
            }
        }
    }

    public int Replacements { get; private set; }

    public IReadOnlyDictionary<string, int> ReplacementsByKind
    {
        get
        {
            lock (_gate)
            {
                var counts = new Dictionary<string, int>(StringComparer.Ordinal);
                for (var i = 0; i < _counts.Length; i++)
                {
                    if (_counts[i] > 0)
                    {
                        counts[((PhiKind)i).Label()] = _counts[i];
                    }
                }

                return counts;
            }
        }
    }

    public string Protect(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        lock (_gate)
        {
            if (_protected.TryGetValue(text, out var known))
            {
                return known;
            }

            var result = ProtectCore(text);
            _protected[text] = result;
            _protected.TryAdd(result, result);
            return result;
        }
    }

    public string Restore(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.IndexOf('[', StringComparison.Ordinal) < 0)
        {
            return text;
        }

        lock (_gate)
        {
            if (_values.Count == 0)
            {
                return text;
            }

            StringBuilder? restored = null;
            var copied = 0;
            var at = text.IndexOf('[', StringComparison.Ordinal);
            while (at >= 0)
            {
                var close = TokenEnd(text, at);
                if (close > at && _values.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(text.AsSpan(at, close - at + 1), out var value))
                {
                    restored ??= new StringBuilder(text.Length + 64);
                    restored.Append(text, copied, at - copied).Append(value);
                    copied = close + 1;
                    at = close + 1 < text.Length ? text.IndexOf('[', close + 1) : -1;
                }
                else
                {
                    at = at + 1 < text.Length ? text.IndexOf('[', at + 1) : -1;
                }
            }

            return restored is null ? text : restored.Append(text, copied, text.Length - copied).ToString();
        }
    }

    /// <summary>Where the token that starts at <paramref name="at"/> ends (its ']'), or -1 when none does.</summary>
    public static int TokenEnd(string text, int at)
    {
        var i = at + 1;
        var sawUnderscore = false;
        var digits = 0;
        while (i < text.Length && i - at < MaxTokenLength)
        {
            var c = text[i];
            if (c == ']')
            {
                return sawUnderscore && digits > 0 ? i : -1;
            }

            if (char.IsAsciiDigit(c))
            {
                if (!sawUnderscore)
                {
                    return -1;
                }

                digits++;
            }
            else if (c == '_')
            {
                sawUnderscore = true;
                digits = 0;
            }
            else if (!char.IsAsciiLetterUpper(c) || digits > 0)
            {
                return -1;
            }

            i++;
        }

        return -1;
    }

    /// <summary>Free text or a FHIR resource: identifiers out, tokens in.</summary>
    internal string ProtectCore(string text)
    {
        var prepared = Prepare(text);
        NoteReservedTokens(prepared);
        var trimmed = prepared.AsSpan().TrimStart();
        if (trimmed.Length > 0 && trimmed[0] == '{' && prepared.Contains("\"resourceType\"", StringComparison.Ordinal)
            && FhirJsonDeidentifier.TryProtect(prepared, this, out var json))
        {
            return json;
        }

        return ProtectFreeText(prepared);
    }

    /// <summary>Free text with every identifier the scanner finds replaced.</summary>
    internal string ProtectFreeText(string text)
    {
        _spans.Clear();
        _scanner.Scan(text, _known, _spans, _learnedNames);
        if (_spans.Count == 0)
        {
            return text;
        }

        // The replacements first, issued in text order, then the result written once at its exact length.
        var replacements = new string[_spans.Count];
        var length = text.Length;
        for (var k = 0; k < _spans.Count; k++)
        {
            var span = _spans[k];
            var value = text.Substring(span.Start, span.Length);

            // Safe Harbor keeps a populous area's first three digits; the rest is the token.
            replacements[k] = span.Kind == PhiKind.Zip && Scan.KeepsZip3(value)
                ? string.Concat(value.AsSpan(0, 3), TokenFor(PhiKind.Zip, value[3..]))
                : TokenFor(span.Kind, value);
            length += replacements[k].Length - span.Length;
        }

        return string.Create(length, (text, _spans, replacements), WriteProtected);
    }

    private static void WriteProtected(Span<char> chars, (string Text, List<PhiSpan> Spans, string[] Replacements) state)
    {
        var (text, spans, replacements) = state;
        var copied = 0;
        var at = 0;
        for (var k = 0; k < spans.Count; k++)
        {
            var span = spans[k];
            text.AsSpan(copied, span.Start - copied).CopyTo(chars[at..]);
            at += span.Start - copied;
            replacements[k].CopyTo(chars[at..]);
            at += replacements[k].Length;
            copied = span.End;
        }

        text.AsSpan(copied).CopyTo(chars[at..]);
    }

    /// <summary>The token standing for a value in this call, issued on first sight; every use is counted.</summary>
    internal string TokenFor(PhiKind kind, string value)
    {
        _counts[(int)kind]++;
        Replacements++;
        if (_tokens.TryGetValue((kind, value), out var token))
        {
            return token;
        }

        do
        {
            var number = ++_issued[(int)kind];
            token = number < FirstTokens[(int)kind].Length
                ? FirstTokens[(int)kind][number]
                : string.Create(CultureInfo.InvariantCulture, $"[{kind.TokenName()}_{number}]");
        }
        while (_reserved.Count > 0 && _reserved.Contains(token));

        _tokens[(kind, value)] = token;
        _values[token] = value;
        return token;
    }

    private static string[][] CreateFirstTokens(int count)
    {
        var tokens = new string[PhiKinds.Count][];
        for (var kind = 0; kind < tokens.Length; kind++)
        {
            tokens[kind] = new string[count];
            for (var number = 1; number < count; number++)
            {
                tokens[kind][number] = string.Create(CultureInfo.InvariantCulture, $"[{((PhiKind)kind).TokenName()}_{number}]");
            }
        }

        return tokens;
    }

    /// <summary>
    /// Refuses what cannot be read as text, and takes out the invisible characters that would hide a name from the
    /// scanner ("Sim\u200Bpson") and the full-width forms of Latin letters.
    /// </summary>
    private string Prepare(string text)
    {
        if (text.Length > _maxLength)
        {
            throw new DeIdentificationException(
                $"A text of {text.Length} characters is longer than the {_maxLength} this gateway de-identifies in one piece.");
        }

        // Printable ASCII and line breaks alone: nothing to refuse, take out or widen.
        var first = text.AsSpan().IndexOfAnyExcept(PlainText);
        if (first < 0)
        {
            return text;
        }

        var controls = 0;
        var invisible = false;
        var wide = false;
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    i++;
                    continue;
                }

                throw new DeIdentificationException("The text holds a broken UTF-16 character (a lone surrogate); it is not text the de-identifier can read.");
            }

            if (c < ' ' && c is not ('\t' or '\n' or '\r' or '\f' or '\v') || c is '\u007F' or '\uFFFD' or '\uFFFE' or '\uFFFF')
            {
                controls++;
            }
            else if (c is '\u00AD' or (>= '\u200B' and <= '\u200F') or (>= '\u2060' and <= '\u2064') or '\uFEFF' or '\u180E')
            {
                invisible = true;
            }
            else if (c is >= '\uFF01' and <= '\uFF5E')
            {
                wide = true;
            }
        }

        // Binary data decoded as text: control characters and replacement characters throughout.
        if (text.Contains('\0', StringComparison.Ordinal) || controls > 8 && controls * 100 > text.Length)
        {
            throw new DeIdentificationException("The text holds binary data (control or replacement characters), which the de-identifier cannot read.");
        }

        if (invisible)
        {
            var builder = new StringBuilder(text.Length);
            foreach (var c in text)
            {
                if (c is not ('\u00AD' or (>= '\u200B' and <= '\u200F') or (>= '\u2060' and <= '\u2064') or '\uFEFF' or '\u180E'))
                {
                    builder.Append(c);
                }
            }

            text = builder.ToString();
        }

        return wide ? text.Normalize(NormalizationForm.FormKC) : text;
    }

    // A text that already holds "[NAME_1]" keeps it as the sender wrote it; this call's tokens use other numbers.
    private void NoteReservedTokens(string text)
    {
        var at = text.IndexOf('[', StringComparison.Ordinal);
        while (at >= 0)
        {
            var close = TokenEnd(text, at);
            if (close > at)
            {
                _reserved.Add(text.Substring(at, close - at + 1));
            }

            at = at + 1 < text.Length ? text.IndexOf('[', at + 1) : -1;
        }
    }

    private sealed class KindValueComparer : IEqualityComparer<(PhiKind Kind, string Value)>
    {
        public static readonly KindValueComparer Instance = new();

        // Names are one person whatever their case ("LOPEZ", "Lopez"); other values are compared as written.
        public bool Equals((PhiKind Kind, string Value) x, (PhiKind Kind, string Value) y) =>
            x.Kind == y.Kind && string.Equals(x.Value, y.Value, x.Kind == PhiKind.Name ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

        public int GetHashCode((PhiKind Kind, string Value) obj) =>
            HashCode.Combine(obj.Kind, obj.Kind == PhiKind.Name ? StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Value) : StringComparer.Ordinal.GetHashCode(obj.Value));
    }
}
