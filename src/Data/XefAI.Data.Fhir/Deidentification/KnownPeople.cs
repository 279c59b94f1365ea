namespace XefAI.Data.Deidentification;

/// <summary>
/// What the clinical context says identifies the people of one call (the patient, relatives, clinicians): their
/// name words, found in free text in any case, and their identifiers, telecom, address lines and postal codes,
/// found wherever they appear. Built per call; every value is PHI and stays in memory.
/// </summary>
internal sealed class KnownPeople
{
    private readonly HashSet<string> _names;
    private readonly HashSet<string> _places;

    // Whole phrases a FHIR resource's structured elements name (a reference's display, a name's text, an address line, a
    // city), found again in its free text as they are written, longest first; null for texts without FHIR JSON.
    private readonly List<(string Value, PhiKind Kind)>? _phrases;
    private PhraseIndex? _phraseIndex;

    private KnownPeople(HashSet<string> names, HashSet<string> places, List<(string Value, PhiKind Kind)> values, List<(string Value, PhiKind Kind)>? phrases = null)
    {
        _names = names;
        _places = places;
        Values = values;
        _phrases = phrases;
    }

    public static KnownPeople None { get; } = new([], [], []);

    /// <summary>Whether phrases were learned from FHIR JSON: only then does <see cref="MarkPhrases"/> have anything to do.</summary>
    public bool HasPhrases => _phrases is not null;

    public bool HasNames => _names.Count > 0;

    public bool HasPlaces => _places.Count > 0;

    /// <summary>Nothing is known of the call's people: a scan then depends on its text alone.</summary>
    public bool IsEmpty => _names.Count == 0 && _places.Count == 0 && Values.Count == 0 && _phrases is null;

    /// <summary>Whole values to find as they are written, longest first so a longer value wins over its part.</summary>
    public IReadOnlyList<(string Value, PhiKind Kind)> Values { get; }

    /// <summary>The name words of the people: given and family names split at spaces, hyphens and apostrophes.</summary>
    public IEnumerable<string> NameWords => _names;

    public static KnownPeople From(IReadOnlyList<ClinicalPerson> people) => None.With(people);

    /// <summary>
    /// These people and <paramref name="people"/>: what a FHIR resource sent as text says of the people it names, added
    /// to what the call's context said. This one is left as it is.
    /// </summary>
    public KnownPeople With(IReadOnlyList<ClinicalPerson> people)
    {
        if (people.Count == 0)
        {
            return this;
        }

        var names = new HashSet<string>(_names, StringComparer.OrdinalIgnoreCase);
        var places = new HashSet<string>(_places, StringComparer.OrdinalIgnoreCase);
        var values = new List<(string Value, PhiKind Kind)>(Values);
        foreach (var person in people)
        {
            foreach (var name in person.GivenNames.Concat(person.FamilyNames))
            {
                AddWords(names, name);
            }

            foreach (var place in person.Places)
            {
                AddWords(places, place);
            }

            var identifierKind = person.Role == "practitioner" ? PhiKind.License : PhiKind.Mrn;
            values.AddRange(person.Identifiers.Where(v => v.Trim().Length >= 4).Select(v => (v.Trim(), identifierKind)));
            values.AddRange(person.Telecom.Where(Findable).Select(v => (v.Trim(), TelecomKind(v))));
            foreach (var line in person.AddressLines.Where(Findable))
            {
                values.Add((line.Trim(), PhiKind.Address));
                if (WithoutStreetSuffix(line) is { } shorter)
                {
                    values.Add((shorter, PhiKind.Address));
                }
            }

            values.AddRange(person.PostalCodes.Where(Findable).Select(v => (v.Trim(), PhiKind.Zip)));
            if (person.BirthDate is { Length: >= 8 } born)
            {
                values.Add((born.Trim(), PhiKind.Date));
            }
        }

        values.Sort((a, b) => b.Value.Length.CompareTo(a.Value.Length));
        return new KnownPeople(names, places, values, _phrases);
    }

    /// <summary>
    /// These people and whole <paramref name="phrases"/> a FHIR resource's structured elements name: each is found again
    /// as the whole phrase, never as its words (a display "Molecular Diagnostics Laboratory" does not make "Laboratory" a
    /// name), and in a script written without spaces (Chinese, Japanese, Thai) as a substring.
    /// </summary>
    public KnownPeople WithPhrases(IEnumerable<(string Value, PhiKind Kind)> phrases)
    {
        var all = new List<(string Value, PhiKind Kind)>(_phrases ?? []);
        var seen = new HashSet<(string, PhiKind)>(all);
        foreach (var (value, kind) in phrases)
        {
            var trimmed = value.Trim();
            if (IsPhrase(trimmed))
            {
                AddPhrase(all, seen, trimmed, kind);

                // A narrative is XHTML: "Smith & Jones" is written "Smith &amp; Jones" there.
                if (trimmed.AsSpan().IndexOfAny('&', '<', '>') >= 0)
                {
                    AddPhrase(all, seen, trimmed.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal), kind);
                }
            }
        }

        if (all.Count == 0 && _phrases is null)
        {
            return this;
        }

        all.Sort((a, b) => b.Value.Length.CompareTo(a.Value.Length));
        return new KnownPeople(_names, _places, Values.ToList(), all);
    }

    private static void AddPhrase(List<(string Value, PhiKind Kind)> all, HashSet<(string, PhiKind)> seen, string value, PhiKind kind)
    {
        if (seen.Add((value, kind)))
        {
            all.Add((value, kind));
        }
    }

    /// <summary>
    /// Marks every learned phrase in <paramref name="text"/> over what the scanner found there (<paramref name="spans"/>,
    /// in text order): a phrase wins where they overlap, so it gets the token its structured value got, and what a
    /// scanner span held beyond the phrase stays marked.
    /// </summary>
    public void MarkPhrases(string text, List<PhiSpan> spans)
    {
        if (_phrases is null || _phrases.Count == 0)
        {
            return;
        }

        // Candidates first, then claimed longest phrase first: a longer value wins over its part, as if each phrase were
        // searched for in turn, but each text is read once (a Bundle names hundreds of phrases and holds thousands of
        // free-text values: searching each for each phrase cost seconds a call).
        var index = _phraseIndex ??= PhraseIndex.Build(_phrases);
        List<(int Phrase, int Start)>? candidates = null;
        var at = 0;
        while (at < text.Length)
        {
            if (!char.IsLetterOrDigit(text[at]))
            {
                at++;
                continue;
            }

            var end = RunEnd(text, at);
            if (index.ByFirstWord.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(text.AsSpan(at, end - at), out var starting))
            {
                foreach (var (phrase, lead) in starting)
                {
                    var start = at - lead;
                    var value = _phrases[phrase].Value;
                    if (start >= 0 && text.AsSpan(start).StartsWith(value, StringComparison.OrdinalIgnoreCase))
                    {
                        (candidates ??= []).Add((phrase, start));
                    }
                }
            }

            at = end;
        }

        // Phrases in a script written without spaces are found inside longer runs ("上海市黄埔区…"): searched as substrings.
        foreach (var phrase in index.Anywhere)
        {
            var value = _phrases[phrase].Value;
            var from = 0;
            while (from < text.Length)
            {
                var hit = text.AsSpan(from).IndexOf(value, StringComparison.OrdinalIgnoreCase);
                if (hit < 0)
                {
                    break;
                }

                (candidates ??= []).Add((phrase, from + hit));
                from += hit + 1;
            }
        }

        if (candidates is null)
        {
            return;
        }

        // _phrases is sorted longest first: the lower index claims first, then the earlier start.
        candidates.Sort((a, b) => a.Phrase != b.Phrase ? a.Phrase.CompareTo(b.Phrase) : a.Start.CompareTo(b.Start));
        List<PhiSpan>? found = null;
        foreach (var (phrase, start) in candidates)
        {
            var (value, kind) = _phrases[phrase];
            var end = start + value.Length;
            if (Bounded(text, start, end) && CaseFits(text.AsSpan(start, value.Length), value) && !Overlaps(found, start, end))
            {
                (found ??= []).Add(new PhiSpan(start, value.Length, kind));
            }
        }

        if (found is null)
        {
            return;
        }

        found.Sort((a, b) => a.Start.CompareTo(b.Start));
        var merged = new List<PhiSpan>(spans.Count + found.Count);
        foreach (var span in spans)
        {
            // The parts of a scanner span outside every phrase: "Dr. " before a display stays a name's part only if it has letters.
            var start = span.Start;
            foreach (var phrase in found)
            {
                if (phrase.End <= start || phrase.Start >= span.End)
                {
                    continue;
                }

                if (phrase.Start > start)
                {
                    AddRest(merged, text, start, phrase.Start, span.Kind);
                }

                start = Math.Max(start, phrase.End);
            }

            if (start < span.End)
            {
                AddRest(merged, text, start, span.End, span.Kind);
            }
        }

        merged.AddRange(found);
        merged.Sort((a, b) => a.Start.CompareTo(b.Start));
        spans.Clear();
        spans.AddRange(merged);
    }

    // A run of letters and digits, split where a script written without spaces meets one written with them.
    private static int RunEnd(string text, int start)
    {
        var unspaced = IsUnspaced(text[start]);
        var end = start + 1;
        while (end < text.Length && char.IsLetterOrDigit(text[end]) && IsUnspaced(text[end]) == unspaced)
        {
            end++;
        }

        return end;
    }

    /// <summary>The learned phrases by their first word, for one reading of a text; built on first use per set of phrases.</summary>
    private sealed class PhraseIndex
    {
        public Dictionary<string, List<(int Phrase, int Lead)>> ByFirstWord { get; } = new(StringComparer.OrdinalIgnoreCase);

        public List<int> Anywhere { get; } = [];

        public static PhraseIndex Build(List<(string Value, PhiKind Kind)> phrases)
        {
            var index = new PhraseIndex();
            for (var i = 0; i < phrases.Count; i++)
            {
                var value = phrases[i].Value;
                var lead = 0;
                while (lead < value.Length && !char.IsLetterOrDigit(value[lead]))
                {
                    lead++;
                }

                if (lead == value.Length || value.AsSpan().ContainsAny(UnspacedLetters))
                {
                    index.Anywhere.Add(i);
                    continue;
                }

                var word = value[lead..RunEnd(value, lead)];
                if (!index.ByFirstWord.TryGetValue(word, out var list))
                {
                    index.ByFirstWord[word] = list = [];
                }

                list.Add((i, lead));
            }

            return index;
        }
    }

    private static readonly System.Buffers.SearchValues<char> UnspacedLetters = System.Buffers.SearchValues.Create(UnspacedRanges());

    private static string UnspacedRanges()
    {
        var chars = new System.Text.StringBuilder();
        for (var c = '\u0E00'; c <= '\uFAFF'; c++)
        {
            if (IsUnspaced(c))
            {
                chars.Append(c);
            }
        }

        return chars.ToString();
    }

    private static void AddRest(List<PhiSpan> spans, string text, int start, int end, PhiKind kind)
    {
        var rest = text.AsSpan(start, end - start);
        var lead = rest.Length - rest.TrimStart().Length;
        var trimmed = rest.Trim();
        if (trimmed.ContainsAnyExcept(NotContent))
        {
            spans.Add(new PhiSpan(start + lead, trimmed.Length, kind));
        }
    }

    private static readonly System.Buffers.SearchValues<char> NotContent = System.Buffers.SearchValues.Create(" \t\r\n,.;:()[]-'\"/");

    // As the structured value writes it, or all in capitals as narratives write family names ("Peter CHALMERS"); "the care
    // team" is not the display "Care Team".
    private static bool CaseFits(ReadOnlySpan<char> found, string value)
    {
        if (found.SequenceEqual(value))
        {
            return true;
        }

        foreach (var c in found)
        {
            if (char.IsLower(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Overlaps(List<PhiSpan>? spans, int start, int end) =>
        spans is not null && spans.Exists(s => s.Start < end && start < s.End);

    // A phrase is whole where a letter or digit does not run on past it, unless either side is written without spaces.
    private static bool Bounded(string text, int start, int end) =>
        (start == 0 || !char.IsLetterOrDigit(text[start - 1]) || IsUnspaced(text[start - 1]) || IsUnspaced(text[start]))
        && (end == text.Length || !char.IsLetterOrDigit(text[end]) || IsUnspaced(text[end]) || IsUnspaced(text[end - 1]));

    /// <summary>A letter of a script written without spaces between words: Han, kana, Thai, Lao, Khmer, Myanmar.</summary>
    internal static bool IsUnspaced(char c) =>
        c is (>= '\u0E00' and <= '\u0EFF') or (>= '\u1000' and <= '\u109F') or (>= '\u1780' and <= '\u17FF')
            or (>= '\u3040' and <= '\u30FF') or (>= '\u3400' and <= '\u4DBF') or (>= '\u4E00' and <= '\u9FFF')
            or (>= '\uF900' and <= '\uFAFF');

    // Long enough to be told from ordinary text: three characters, or two of a script without spaces ("上海").
    private static bool IsPhrase(string value) =>
        value.Length >= 3 || (value.Length == 2 && IsUnspaced(value[0]) && IsUnspaced(value[1]));

    public bool IsName(ReadOnlySpan<char> word) => IsIn(_names, word);

    public bool IsPlace(ReadOnlySpan<char> word) => IsIn(_places, word);

    // Written with or without its accents, composed or not: the context's "Ze\u0301phyrine" is the text's "zéphyrine".
    private static bool IsIn(HashSet<string> words, ReadOnlySpan<char> word) =>
        words.Count > 0
        && (words.GetAlternateLookup<ReadOnlySpan<char>>().Contains(word)
            || (Accents.HasAccents(word) && words.Contains(Accents.Plain(word.ToString()))));

    /// <summary>A street line without its suffix, as narratives and letters write it: "534 Erewhon" for "534 Erewhon St".</summary>
    private static string? WithoutStreetSuffix(string line)
    {
        var trimmed = line.Trim().TrimEnd('.', ',');
        var lastSpace = trimmed.LastIndexOf(' ');
        return lastSpace > 0 && Findable(trimmed[..lastSpace]) && (Lexicon.Default.Of(trimmed.AsSpan(lastSpace + 1)) & Lex.StreetSuffix) != 0
            ? trimmed[..lastSpace]
            : null;
    }

    // Values too short to be told from ordinary text ("1", "A") are left to the format rules.
    private static bool Findable(string value) => value.Trim().Length >= 3;

    internal static PhiKind TelecomKind(string value) =>
        value.Contains('@', StringComparison.Ordinal) ? PhiKind.Email
        : value.Contains("://", StringComparison.Ordinal) || value.StartsWith("www.", StringComparison.OrdinalIgnoreCase) ? PhiKind.Url
        : PhiKind.Phone;

    private static void AddWords(HashSet<string> set, string value)
    {
        foreach (var word in value.Split([' ', '-', '\'', '’', '.', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (word.Length >= 2 && word.Any(char.IsLetter))
            {
                set.Add(word);

                // Also as a decomposed text reads once its accents are taken out, and as an accented word is looked up.
                set.Add(Accents.WithoutMarks(word));
                set.Add(Accents.Plain(word));
            }
        }
    }
}
