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

    private KnownPeople(HashSet<string> names, HashSet<string> places, List<(string Value, PhiKind Kind)> values)
    {
        _names = names;
        _places = places;
        Values = values;
    }

    public static KnownPeople None { get; } = new([], [], []);

    public bool HasNames => _names.Count > 0;

    public bool HasPlaces => _places.Count > 0;

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
        return new KnownPeople(names, places, values);
    }

    public bool IsName(ReadOnlySpan<char> word) => _names.Count > 0 && _names.GetAlternateLookup<ReadOnlySpan<char>>().Contains(word);

    public bool IsPlace(ReadOnlySpan<char> word) => _places.Count > 0 && _places.GetAlternateLookup<ReadOnlySpan<char>>().Contains(word);

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

    private static PhiKind TelecomKind(string value) =>
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
            }
        }
    }
}
