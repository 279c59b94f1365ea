using System.Collections.Frozen;

namespace XefAI.Data.Deidentification;

/// <summary>What the de-identifier knows of a word (several at once: "Will" is a first name and a common word).</summary>
[Flags]
internal enum Lex : uint
{
    None = 0,
    FirstName = 1 << 0,
    Surname = 1 << 1,
    Common = 1 << 2,
    Clinical = 1 << 3,
    Place = 1 << 4,
    State = 1 << 5,
    Month = 1 << 6,
    MonthAbbreviation = 1 << 7,
    Weekday = 1 << 8,
    Title = 1 << 9,
    Credential = 1 << 10,
    NameLabel = 1 << 11,
    Relation = 1 << 12,
    Salutation = 1 << 13,
    StreetSuffix = 1 << 14,
    UnitDesignator = 1 << 15,
    Holiday = 1 << 16,
    MeasureUnit = 1 << 17,
    CodeCue = 1 << 18,
    PlaceCue = 1 << 19,
    RatioCue = 1 << 20,
    DateCue = 1 << 21,
    AgeUnit = 1 << 22,
    NameVerb = 1 << 23,
    Facility = 1 << 24,
    Direction = 1 << 25,
    SignOff = 1 << 26,
    EponymNoun = 1 << 27,
    IdentifierCue = 1 << 28,

    /// <summary>The first word of some rule the scan tries on words (see <see cref="CueWords.WordRuleStarts"/>).</summary>
    WordRuleStart = 1 << 29,

    /// <summary>Only the cue flags are known yet (a lower-case word); the list flags are looked up on demand.</summary>
    Partial = 1u << 31,

    /// <summary>The flags of the large lists, which a partial lookup does not know.</summary>
    Lists = FirstName | Surname | Common | Clinical | Place,

    Name = FirstName | Surname,
}

/// <summary>
/// The word lists of the de-identifier: names, places and ordinary and clinical vocabulary from the embedded lists
/// (see <c>Lexicons/NOTICE.md</c>), and the cue words written here. Loaded once; looked up by span without allocating.
/// </summary>
internal sealed class Lexicon
{
    private const int MaxWordLength = 48;

    private static readonly Lazy<Lexicon> Shared = new(Load);

    private readonly WordTable _words;
    private readonly WordTable _cues;
    private readonly WordTable _withDigits;
    private readonly FrozenDictionary<string, PhiKind>.AlternateLookup<ReadOnlySpan<char>> _identifierCues;

    private Lexicon(Dictionary<string, Lex> words, FrozenDictionary<string, PhiKind> identifierCues, FrozenSet<string> places)
    {
        _words = new WordTable(words);

        // Words with some flag beyond the large lists (cue words, units, months…), with all their flags.
        _cues = new WordTable(words.Where(w => (w.Value & ~Lex.Lists) != 0).ToList());
        // The few listed words with a digit ("covid19"), with all their flags: a token with a digit ("MRN00482913",
        // "HbA1c") is looked up among them, not in the large table, which it would only bring into cache to miss.
        _withDigits = new WordTable(words.Where(w => w.Key.AsSpan().ContainsAnyInRange('0', '9')).ToList());
        _identifierCues = identifierCues.GetAlternateLookup<ReadOnlySpan<char>>();
        MultiWordPlaces = places;
        MaxPlaceWords = places.Count == 0 ? 1 : places.Max(p => p.Count(c => c == ' ') + 1);
    }

    public static Lexicon Default => Shared.Value;

    /// <summary>Places of more than one word ("san antonio"), lower case, single spaces.</summary>
    public FrozenSet<string> MultiWordPlaces { get; }

    public int MaxPlaceWords { get; }

    /// <summary>What the lists say of a word, in any case; words longer than any listed one are none of them.</summary>
    public Lex Of(ReadOnlySpan<char> word) => OfWord(word) & ~Lex.WordRuleStart;

    /// <summary>As <see cref="Of"/>, with <see cref="Lex.WordRuleStart"/> when some word rule may start at the word.</summary>
    public Lex OfWord(ReadOnlySpan<char> word)
    {
        if (word.Length > MaxWordLength)
        {
            return Lex.None;
        }

        // Keys are lower case and compared ordinally: much cheaper than a case-insensitive hash on every word.
        Span<char> lower = stackalloc char[word.Length];
        word.ToLowerInvariant(lower);

        // Folding keeps the digits, so a word with one is looked up among the listed words with one in both forms.
        var table = lower.ContainsAnyInRange('0', '9') ? _withDigits : _words;
        if (table.TryGetValue(lower, out var lex))
        {
            return lex;
        }

        // "Ramírez", "Joaquín", "Sæther": the lists are written without accents.
        return lower.ContainsAnyExceptInRange('\0', '\u007F') && Fold(lower) is { Length: > 0 } folded && table.TryGetValue(folded, out lex)
            ? lex
            : Lex.None;
    }

    /// <summary>The letters without their accents (é → e, ø → o, æ → ae); empty when some letter has no Latin base.</summary>
    private static string Fold(ReadOnlySpan<char> word)
    {
        var builder = new System.Text.StringBuilder(word.Length + 2);
        // Not string.Normalize(FormD): under invariant globalization it leaves "í" whole, and every accented name missed.
        foreach (var c in word)
        {
            if (c < '\u0080')
            {
                builder.Append(c);
            }
            else if (Accents.BaseOf(c) is var letter && letter != '\0')
            {
                builder.Append(letter);
            }
            else if (c is 'æ')
            {
                builder.Append("ae");
            }
            else if (c is 'ß')
            {
                builder.Append("ss");
            }
            else if (char.GetUnicodeCategory(c) != System.Globalization.UnicodeCategory.NonSpacingMark)
            {
                return string.Empty;
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// The cue flags of a lower-case word, from a small table, with <see cref="Lex.WordRuleStart"/> when some word rule
    /// may start at it; no <see cref="Lex.Lists"/> flag. Call <see cref="Of"/> for the rest.
    /// </summary>
    public Lex CuesOf(ReadOnlySpan<char> word) =>
        word.Length <= MaxWordLength && _cues.TryGetValue(word, out var lex) ? lex & ~Lex.Lists : Lex.None;

    /// <summary>The kind of identifier a cue word announces ("MRN", "policy", "fax"…).</summary>
    public bool TryGetIdentifierCue(ReadOnlySpan<char> word, out PhiKind kind)
    {
        kind = default;
        if (word.Length > MaxWordLength)
        {
            return false;
        }

        Span<char> lower = stackalloc char[word.Length];
        word.ToLowerInvariant(lower);
        return _identifierCues.TryGetValue(lower, out kind);
    }

    /// <summary>
    /// A read-only map from words to their flags, looked up by span with an ordinal comparison: a hash table of its own,
    /// because every word of every text is looked up and the general dictionaries reach their comparer through an
    /// interface on each call. The keys are fixed, so no input can lengthen a chain.
    /// </summary>
    /// <remarks>
    /// Dense, because the scan mostly finds it out of cache (the gateway's other work evicts it between calls): one array
    /// of 12-byte slots probed in line (the hash, the flags, where the key is) and the keys' letters in one array of
    /// characters, not a bucket array, an entry array and a string object per word. A word not listed costs the slots'
    /// cache line or two, a listed one that and its letters.
    /// </remarks>
    private sealed class WordTable
    {
        // A key is at most this long, so its length fits in the low bits of the slot's reference to its letters.
        private const int LengthBits = 6;

        private readonly Slot[] _slots;
        private readonly char[] _letters;

        public WordTable(IReadOnlyCollection<KeyValuePair<string, Lex>> words)
        {
            // At most some 55 % full: a word not listed then probes two or three slots, mostly in one cache line.
            _slots = new Slot[Math.Max(16, (words.Count * 9 / 5) + 1)];
            var length = 0;
            foreach (var (word, _) in words)
            {
                if (word.Length is 0 or >= 1 << LengthBits)
                {
                    throw new ArgumentException($"A listed word has {word.Length} letters.", nameof(words));
                }

                length += word.Length;
            }

            _letters = new char[length];
            var offset = 0;
            foreach (var (word, lex) in words)
            {
                var hash = Hash(word);
                var s = Home(hash);
                while (_slots[s].Key != 0)
                {
                    s = s + 1 == _slots.Length ? 0 : s + 1;
                }

                word.CopyTo(_letters.AsSpan(offset));
                _slots[s] = new Slot(hash, lex, (offset << LengthBits) | word.Length);
                offset += word.Length;
            }
        }

        public bool TryGetValue(ReadOnlySpan<char> word, out Lex lex)
        {
            var hash = Hash(word);
            var slots = _slots;
            var s = Home(hash);
            while (true)
            {
                ref readonly var slot = ref slots[s];
                var key = slot.Key;
                if (key == 0)
                {
                    break;
                }

                if (slot.Hash == hash && (key & ((1 << LengthBits) - 1)) == word.Length
                    && word.SequenceEqual(_letters.AsSpan(key >> LengthBits, word.Length)))
                {
                    lex = slot.Lex;
                    return true;
                }

                s = s + 1 == slots.Length ? 0 : s + 1;
            }

            lex = Lex.None;
            return false;
        }

        // The slot a hash starts at: the high bits of the hash spread by a multiply, scaled to the table (no modulo).
        private int Home(uint hash) => (int)(((ulong)(hash * 0x9E3779B1u) * (ulong)_slots.Length) >> 32);

        // FNV-1a over the UTF-16 code units.
        private static uint Hash(ReadOnlySpan<char> word)
        {
            var hash = 2166136261;
            foreach (var c in word)
            {
                hash = (hash ^ c) * 16777619;
            }

            return hash;
        }

        // Key: where the letters start, shifted, with the length in the low bits; 0 for an empty slot (no key is empty).
        private readonly record struct Slot(uint Hash, Lex Lex, int Key);
    }

    private static Lexicon Load()
    {
        var words = new Dictionary<string, Lex>(StringComparer.OrdinalIgnoreCase);
        var places = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        void Add(IEnumerable<string> list, Lex lex)
        {
            foreach (var word in list)
            {
                words[word] = words.GetValueOrDefault(word) | lex;
            }
        }

        Add(Resource("first-names.txt"), Lex.FirstName);
        Add(Resource("surnames.txt"), Lex.Surname);
        Add(Resource("common-words.txt"), Lex.Common);
        Add(Resource("clinical-terms.txt"), Lex.Clinical);

        // Medical words that are names too ("Barrett", "Gleason"): ordinary until a cue or a neighbour says "name".
        Add(Resource("ambiguous-terms.txt"), Lex.Common);
        foreach (var place in Resource("us-places.txt"))
        {
            if (place.Contains(' ', StringComparison.Ordinal))
            {
                places.Add(place);
            }
            else
            {
                Add([place], Lex.Place);
            }
        }

        foreach (var state in Resource("us-states.txt"))
        {
            if (state.Contains(' ', StringComparison.Ordinal))
            {
                places.Add(state);
            }

            Add([state], Lex.State);
        }

        Add(CueWords.Months, Lex.Month);
        Add(CueWords.SpanishMonths, Lex.Month);
        Add(CueWords.MonthAbbreviations, Lex.MonthAbbreviation);
        Add(CueWords.Weekdays, Lex.Weekday);
        Add(CueWords.Titles, Lex.Title);
        Add(CueWords.Credentials, Lex.Credential);
        Add(CueWords.NameLabels, Lex.NameLabel);
        Add(CueWords.Relations, Lex.Relation);
        Add(CueWords.Salutations, Lex.Salutation);
        Add(CueWords.StreetSuffixes, Lex.StreetSuffix);
        Add(CueWords.UnitDesignators, Lex.UnitDesignator);
        Add(CueWords.Holidays, Lex.Holiday);
        Add(CueWords.MeasureUnits, Lex.MeasureUnit);
        Add(CueWords.CodeCues, Lex.CodeCue);
        Add(CueWords.PlaceCues, Lex.PlaceCue);
        Add(CueWords.RatioCues, Lex.RatioCue);
        Add(CueWords.DateCues, Lex.DateCue);
        Add(CueWords.AgeUnits, Lex.AgeUnit);
        Add(CueWords.NameVerbs, Lex.NameVerb);
        Add(CueWords.Facilities, Lex.Facility);
        Add(CueWords.Directions, Lex.Direction);
        Add(CueWords.SignOffs, Lex.SignOff);
        Add(CueWords.NotNames, Lex.Common);
        Add(CueWords.Countries, Lex.Common);
        Add(CueWords.EponymNouns, Lex.EponymNoun);

        // Medicine's own words are never names, whatever a name list says; a clinical word that is also an ordinary
        // word stays ordinary.
        Add(CueWords.ClinicalEponyms, Lex.Clinical);
        Add(CueWords.IdentifierCues.Select(c => c.Key).Concat(CueWords.StrongNumberCues), Lex.IdentifierCue);
        Add(CueWords.IdentifierCues10.Select(c => c.Key).Concat(CueWords.AccentedPhoneCues10), Lex.IdentifierCue);
        Add(CueWords.IdentifierCues23.Select(c => c.Key), Lex.IdentifierCue);
        Add(CueWords.WordRuleStarts, Lex.WordRuleStart);
        Add(CueWords.HolidayPhraseStarts, Lex.WordRuleStart);
        Add(CueWords.CornerCues, Lex.WordRuleStart);

        return new Lexicon(
            words.Where(w => w.Key.Length <= MaxWordLength).ToDictionary(w => w.Key.ToLowerInvariant(), w => w.Value, StringComparer.Ordinal),
            CueWords.IdentifierCues.Concat(CueWords.StrongNumberCues.Select(c => KeyValuePair.Create(c, PhiKind.Id))).Concat(CueWords.IdentifierCues10)
                .Concat(CueWords.IdentifierCues23).ToFrozenDictionary(StringComparer.Ordinal),
            places.ToFrozenSet(StringComparer.OrdinalIgnoreCase));
    }

    private static IEnumerable<string> Resource(string name)
    {
        var assembly = typeof(Lexicon).Assembly;
        using var stream = assembly.GetManifestResourceStream($"XefAI.Data.Deidentification.Lexicons.{name}")
            ?? throw new InvalidOperationException($"The de-identifier's word list {name} is not embedded in {assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        var list = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            var word = line.Trim();
            if (word.Length > 0 && word[0] != '#')
            {
                list.Add(word);
            }
        }

        return list;
    }
}
