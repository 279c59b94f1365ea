using System.Buffers;
using System.Collections;
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

    // A chat call's identifiers (two people's given and family names, a record number, two dates, a phone) fit without a resize.
    private const int InitialCapacity = 11;

    // The characters of most text (printable ASCII, tab, line breaks): a text of these alone needs no preparing.
    private static readonly SearchValues<char> PlainText = SearchValues.Create("\t\n\v\f\r !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    // The first tokens of each kind, written once: most calls issue only these.
    private static readonly string[][] FirstTokens = CreateFirstTokens(16);

    private readonly PhiScanner _scanner;
    private KnownPeople _known;
    private readonly int _maxLength;
    private readonly Func<string?, int>? _dateShift;
    private readonly string? _patientReference;
    private int? _dateShiftDays;

    // Created on first need and sized for a chat call's handful of values: most calls find a few identifiers or none.
    private Dictionary<(PhiKind Kind, string Value), string>? _tokens;

    // The way back, made from _tokens when an answer first holds a '[': most answers quote no token.
    private Dictionary<string, string>? _values;

    // Replacements and tokens issued, by kind: made with the first replacement.
    private int[]? _counts;
    private int[]? _issued;
    private HashSet<string>? _reserved;

    // The same text is protected more than once per call (the conversation and the vendor body hold it); counted once.
    private Dictionary<string, string>? _protected;
    private HashSet<string>? _learnedNames;

    // What reading ahead found in each text, kept until the text is protected: its scan is then not run again unless
    // something learned since could change it.
    private Dictionary<string, ReadAheadScan>? _readAhead;
    private KindCounts? _byKind;
    private readonly object _gate = new();

    // Per thread, not per call: a call's protection runs under its lock, one text at a time, and its scratch is cleared.
    [ThreadStatic]
    private static Scratch? t_scratch;

    public SafeHarborProtection(PhiScanner scanner, KnownPeople known, int dateShiftDays, int maxLength)
    {
        _scanner = scanner;
        _known = known;
        _dateShiftDays = dateShiftDays;
        _maxLength = maxLength;
    }

    /// <summary>
    /// A protection whose date shift is worked out on first need: most calls hold no structured date, and the shift costs
    /// a keyed hash or two draws from the system's random source. The shift is the protector's, for the patient's
    /// reference (no closure per call).
    /// </summary>
    public SafeHarborProtection(PhiScanner scanner, KnownPeople known, Func<string?, int> dateShift, string? patientReference, int maxLength)
    {
        _scanner = scanner;
        _known = known;
        _dateShift = dateShift;
        _patientReference = patientReference;
        _maxLength = maxLength;
    }

    /// <summary>Days structured dates move by for this call's patient; the same for the whole call.</summary>
    public int DateShiftDays
    {
        get
        {
            lock (_gate)
            {
                return _dateShiftDays ??= _dateShift!(_patientReference);
            }
        }
    }

    /// <summary>
    /// Adds what a FHIR resource sent as text says of the people it names (names, identifiers, telecom, addresses), so
    /// that their narratives and notes, and every later text of this call, find them too. Runs under the call's lock,
    /// as every protection does.
    /// </summary>
    internal void Learn(IReadOnlyList<ClinicalPerson> people) => _known = _known.With(people);

    /// <summary>
    /// Adds the whole values a FHIR resource's structured elements name (displays, name texts, address lines, cities), to
    /// find again as phrases in its free text with the token the structured value got. Texts of calls without FHIR JSON
    /// never learn any and run nothing new.
    /// </summary>
    internal void LearnPhrases(IReadOnlyList<(string Value, PhiKind Kind)> phrases) => _known = _known.WithPhrases(phrases);

    public int Replacements { get; private set; }

    /// <summary>
    /// Whose texts found clean this call may reuse and add to: the calling app's. Null: the texts remembered for no app.
    /// </summary>
    public string? CleanScope { get; init; }

    /// <summary>Texts whose scan when read ahead was used again when they were protected (for tests).</summary>
    internal int ScansReused { get; private set; }

    public IReadOnlyDictionary<string, int> ReplacementsByKind
    {
        get
        {
            lock (_gate)
            {
                // A snapshot, kept until the next replacement: a caller's copy never changes under it.
                return _byKind ??= _counts is null ? KindCounts.Empty : KindCounts.Of(_counts);
            }
        }
    }

    public void ReadAhead(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);

        // One text has nothing ahead of it: its own scan already finds a name it reveals wherever it stands in it.
        if (texts.Count < 2)
        {
            return;
        }

        lock (_gate)
        {
            var scratch = t_scratch ?? new Scratch();
            t_scratch = null;
            try
            {
                // Not the first text: nothing is protected before it, and what it reveals its own protection learns
                // in time for every later one. It is often the longest (a system prompt), so its scan is spared.
                for (var i = 1; i < texts.Count; i++)
                {
                    var text = texts[i];
                    if (text.Length == 0)
                    {
                        continue;
                    }

                    // A FHIR resource's people are the call's context already; its JSON is read by its own path.
                    var prepared = Prepare(text);
                    if (!prepared.Contains("\"resourceType\"", StringComparison.Ordinal))
                    {
                        _scanner.Scan(MixedScripts.ForScanning(prepared), _known, scratch.Spans, ref _learnedNames, CleanScope);
                        (_readAhead ??= new Dictionary<string, ReadAheadScan>(StringComparer.Ordinal))[prepared] = new ReadAheadScan(
                            [.. scratch.Spans],
                            _learnedNames is null ? [] : [.. _learnedNames],
                            _known);
                        scratch.Spans.Clear();
                    }
                }
            }
            finally
            {
                scratch.Clear();
                t_scratch = scratch;
            }
        }
    }

    public string Protect(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        lock (_gate)
        {
            if (_protected is not null && _protected.TryGetValue(text, out var known))
            {
                return known;
            }

            var result = ProtectCore(text);
            _protected ??= new Dictionary<string, string>(StringComparer.Ordinal);
            _protected[text] = result;
            if (!ReferenceEquals(result, text))
            {
                _protected.TryAdd(result, result);
            }

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
            if (_tokens is null)
            {
                return text;
            }

            _values ??= ValuesByToken(_tokens);

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
        // A resource as the whole text, or pasted among other words as a chat message holds it: read as FHIR either way.
        if (prepared.Contains("\"resourceType\"", StringComparison.Ordinal)
            && FhirJsonDeidentifier.TryProtectWithin(prepared, this, out var json))
        {
            return json;
        }

        return ProtectFreeText(prepared);
    }

    /// <summary>Free text with every identifier the scanner finds replaced.</summary>
    internal string ProtectFreeText(string text)
    {
        // The thread's scratch, taken out of its slot while in use: a nested call (there is none today) would make its own.
        var scratch = t_scratch ?? new Scratch();
        t_scratch = null;
        try
        {
            var spans = scratch.Spans;
            if (_readAhead is not null && _readAhead.Remove(text, out var ahead) && ahead.StillHolds(text, _known, _learnedNames))
            {
                spans.AddRange(ahead.Spans);
                ScansReused++;
            }
            else
            {
                // A Latin word with a Cyrillic or Greek look-alike letter is scanned as the word it looks like; the
                // spans are the same places in the text as written, which is what is replaced and restored.
                _scanner.Scan(MixedScripts.ForScanning(text), _known, spans, ref _learnedNames, CleanScope);
            }

            if (_known.HasPhrases)
            {
                _known.MarkPhrases(text, spans);
            }

            if (spans.Count == 0)
            {
                return text;
            }

            // The replacements first, issued in text order, then the result written once at its exact length.
            var replacements = scratch.Replacements(spans.Count);
            var length = text.Length;
            for (var k = 0; k < spans.Count; k++)
            {
                var span = spans[k];

                // Safe Harbor keeps a populous area's first three digits; the rest is the token, so the kept digits are
                // copied as text.
                if (span.Kind == PhiKind.Zip && Scan.KeepsZip3(text.AsSpan(span.Start, span.Length)))
                {
                    span = new PhiSpan(span.Start + 3, span.Length - 3, span.Kind);
                    spans[k] = span;
                }

                replacements[k] = TokenFor(span.Kind, text, span.Start, span.Length);
                length += replacements[k].Length - span.Length;
            }

            return string.Create(length, (text, spans, replacements), WriteProtected);
        }
        finally
        {
            scratch.Clear();
            t_scratch = scratch;
        }
    }

    /// <summary>
    /// A text's scan when it was read ahead: its spans, the names learned by then (its own included) and the people
    /// known. Scanning it again would find the same while the people are the same and no name learned since is a word
    /// of it (the only way a learned name changes a scan, see <see cref="PhiScanner.MayHoldLearned"/>). Names learned
    /// before it was read were known to that scan; its own it found itself, as a scan without reading ahead does.
    /// </summary>
    private sealed record ReadAheadScan(PhiSpan[] Spans, string[] LearnedThen, KnownPeople Known)
    {
        public bool StillHolds(string text, KnownPeople known, HashSet<string>? learnedNow)
        {
            if (!ReferenceEquals(known, Known))
            {
                return false;
            }

            // Learned names only ever grow within a call: the same count is the same set.
            if (learnedNow is null || learnedNow.Count == LearnedThen.Length)
            {
                return true;
            }

            var since = new HashSet<string>(learnedNow, learnedNow.Comparer);
            since.ExceptWith(LearnedThen);
            return !PhiScanner.MayHoldLearned(text, since);
        }
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
    internal string TokenFor(PhiKind kind, string value) => TokenFor(kind, value, 0, value.Length);

    /// <summary>The token for the value at <paramref name="start"/> in <paramref name="text"/>; a string is made only for a value not seen yet.</summary>
    private string TokenFor(PhiKind kind, string text, int start, int length)
    {
        _counts ??= new int[PhiKinds.Count];
        _issued ??= new int[PhiKinds.Count];
        _counts[(int)kind]++;
        Replacements++;
        _byKind = null;
        _tokens ??= new Dictionary<(PhiKind Kind, string Value), string>(InitialCapacity, KindValueComparer.Instance);
        if (_tokens.GetAlternateLookup<KindText>().TryGetValue(new KindText(kind, text.AsSpan(start, length)), out var token))
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
        while (_reserved is not null && _reserved.Contains(token));

        var value = start == 0 && length == text.Length ? text : NameAsLearned(kind, text.AsSpan(start, length)) ?? text.Substring(start, length);
        _tokens[(kind, value)] = token;
        if (_values is not null)
        {
            _values[token] = value;
        }
        return token;
    }

    /// <summary>Each token issued and the value it stands for (each token is issued for one value only).</summary>
    private static Dictionary<string, string> ValuesByToken(Dictionary<(PhiKind Kind, string Value), string> tokens)
    {
        var values = new Dictionary<string, string>(Math.Max(tokens.Count, InitialCapacity), StringComparer.Ordinal);
        foreach (var ((_, value), token) in tokens)
        {
            values[token] = value;
        }

        return values;
    }

    /// <summary>A name word the scanner has just learned, spelled exactly so, is the same string: not made twice.</summary>
    private string? NameAsLearned(PhiKind kind, ReadOnlySpan<char> value) =>
        kind == PhiKind.Name && _learnedNames is not null && _learnedNames.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(value, out var learned)
        && value.SequenceEqual(learned) ? learned : null;

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
    /// Refuses what cannot be read as text, takes out the invisible characters that would hide a name from the scanner
    /// ("Sim\u200Bpson"), and writes look-alike letters, digits, hyphens and slashes as the ASCII the rules read
    /// (see <see cref="LookAlikes"/>).
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
        var lookalike = false;
        var marks = false;
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    lookalike |= LookAlikes.IsMathematical(c);
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
            else if (LookAlikes.Folds(c))
            {
                lookalike = true;
            }
            else if (Accents.IsMark(c))
            {
                marks = true;
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

        // A decomposed text ("Ze\u0301phyrine") loses its combining accents: the rules read "Zephyrine" as a name, and
        // could not compose it back (no normalization under invariant globalization).
        if (marks)
        {
            text = Accents.WithoutMarks(text);
        }

        // By hand, not string.Normalize: the gateway runs with invariant globalization, where Normalize changes nothing.
        return lookalike ? LookAlikes.Fold(text) : text;
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
                (_reserved ??= new HashSet<string>(StringComparer.Ordinal)).Add(text.Substring(at, close - at + 1));
            }

            at = at + 1 < text.Length ? text.IndexOf('[', at + 1) : -1;
        }
    }

    /// <summary>A value still in its text, looked up without making a string of it.</summary>
    private readonly ref struct KindText(PhiKind kind, ReadOnlySpan<char> value)
    {
        public PhiKind Kind { get; } = kind;

        public ReadOnlySpan<char> Value { get; } = value;
    }

    private sealed class KindValueComparer : IEqualityComparer<(PhiKind Kind, string Value)>, IAlternateEqualityComparer<KindText, (PhiKind Kind, string Value)>
    {
        public static readonly KindValueComparer Instance = new();

        // Names are one person whatever their case ("LOPEZ", "Lopez"); other values are compared as written.
        public bool Equals((PhiKind Kind, string Value) x, (PhiKind Kind, string Value) y) =>
            x.Kind == y.Kind && string.Equals(x.Value, y.Value, x.Kind == PhiKind.Name ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

        public int GetHashCode((PhiKind Kind, string Value) obj) => Hash(obj.Kind, obj.Value);

        public bool Equals(KindText alternate, (PhiKind Kind, string Value) other) =>
            alternate.Kind == other.Kind
            && alternate.Value.Equals(other.Value, alternate.Kind == PhiKind.Name ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

        public int GetHashCode(KindText alternate) => Hash(alternate.Kind, alternate.Value);

        public (PhiKind Kind, string Value) Create(KindText alternate) => (alternate.Kind, alternate.Value.ToString());

        // The same hash for a value as a string and as a span: string.GetHashCode(span) is what the string comparers use.
        private static int Hash(PhiKind kind, ReadOnlySpan<char> value) =>
            HashCode.Combine(kind, kind == PhiKind.Name ? string.GetHashCode(value, StringComparison.OrdinalIgnoreCase) : string.GetHashCode(value));
    }

    /// <summary>The counts by kind at one moment, in the kinds' order: an array of the kinds found, not a dictionary.</summary>
    private sealed class KindCounts : IReadOnlyDictionary<string, int>, ICollection<KeyValuePair<string, int>>
    {
        public static readonly KindCounts Empty = new([]);

        private readonly KeyValuePair<string, int>[] _counts;

        private KindCounts(KeyValuePair<string, int>[] counts) => _counts = counts;

        public int Count => _counts.Length;

        public bool IsReadOnly => true;

        public IEnumerable<string> Keys => _counts.Select(c => c.Key);

        public IEnumerable<int> Values => _counts.Select(c => c.Value);

        public int this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException();

        public static KindCounts Of(int[] counts)
        {
            var found = 0;
            foreach (var count in counts)
            {
                found += count > 0 ? 1 : 0;
            }

            if (found == 0)
            {
                return Empty;
            }

            var pairs = new KeyValuePair<string, int>[found];
            var at = 0;
            for (var i = 0; i < counts.Length; i++)
            {
                if (counts[i] > 0)
                {
                    pairs[at++] = new(((PhiKind)i).Label(), counts[i]);
                }
            }

            return new KindCounts(pairs);
        }

        public bool ContainsKey(string key) => TryGetValue(key, out _);

        public bool TryGetValue(string key, out int value)
        {
            foreach (var (kind, count) in _counts)
            {
                if (string.Equals(kind, key, StringComparison.Ordinal))
                {
                    value = count;
                    return true;
                }
            }

            value = 0;
            return false;
        }

        public bool Contains(KeyValuePair<string, int> item) => TryGetValue(item.Key, out var value) && value == item.Value;

        public void CopyTo(KeyValuePair<string, int>[] array, int arrayIndex) => _counts.CopyTo(array, arrayIndex);

        public IEnumerator<KeyValuePair<string, int>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, int>>)_counts).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        void ICollection<KeyValuePair<string, int>>.Add(KeyValuePair<string, int> item) => throw new NotSupportedException();

        void ICollection<KeyValuePair<string, int>>.Clear() => throw new NotSupportedException();

        bool ICollection<KeyValuePair<string, int>>.Remove(KeyValuePair<string, int> item) => throw new NotSupportedException();
    }

    /// <summary>One thread's working lists for a text: the spans found and their tokens, cleared after each text.</summary>
    private sealed class Scratch
    {
        // A scratch grown by a long chart is not kept: the next text would hold its memory for nothing.
        private const int MaxKept = 1024;

        private string[] _replacements = new string[16];

        public List<PhiSpan> Spans { get; private set; } = new(16);

        public string[] Replacements(int count)
        {
            if (_replacements.Length < count)
            {
                _replacements = new string[Math.Max(count, _replacements.Length * 2)];
            }

            return _replacements;
        }

        public void Clear()
        {
            Spans.Clear();
            Array.Clear(_replacements);
            if (Spans.Capacity > MaxKept)
            {
                Spans = new(16);
            }

            if (_replacements.Length > MaxKept)
            {
                _replacements = new string[16];
            }
        }
    }
}
