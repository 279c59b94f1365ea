using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace XefAI.Data.Deidentification;

/// <summary>
/// What a FHIR resource sent as JSON says of the people it names, read from its structured elements before anything is
/// removed: the names, telecom, addresses, identifiers and birth dates of its Patients, RelatedPersons, Practitioners and
/// Persons (and a Patient's contacts), the identifiers of every other resource, and the name words of the displays of
/// references to people. The narrative (<c>text.div</c>), notes and displays repeat these values as text, where the
/// scanner alone might not know them: "Physician: Careful, Adam", "MR = 123458", "534 Erewhon".
/// </summary>
internal static class FhirPeople
{
    /// <summary>The resources that are a person: their names, telecom, addresses and contacts identify someone.</summary>
    public static readonly FrozenSet<string> PersonTypes =
        new[] { "Patient", "RelatedPerson", "Practitioner", "Person" }.ToFrozenSet(StringComparer.Ordinal);

    // Words of a display that say what someone is, not who: titles, credentials, labels, clinical and common words
    // (unless a name list has them too: "Rose", "Hope").
    private const Lex NotNameWords = Lex.Title | Lex.Credential | Lex.NameLabel | Lex.Relation | Lex.Clinical | Lex.Salutation
        | Lex.CodeCue | Lex.Facility | Lex.Month | Lex.Weekday | Lex.State;

    // Generational suffixes a name's text writes after the family name; not name words.
    private static readonly FrozenSet<string> NameSuffixes =
        new[] { "Jr", "Sr", "II", "III", "IV", "Junior", "Senior" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    // A resource inside a Bundle is read like a top-level one; deeper than this is not FHIR.
    private const int MaxDepth = 128;

    public static IReadOnlyList<ClinicalPerson> Harvest(JsonObject root)
    {
        var people = new List<ClinicalPerson>();
        var others = new Collected("other");
        Visit(root, people, others, 0);
        if (!others.IsEmpty)
        {
            people.Add(others.ToPerson());
        }

        return people;
    }

    /// <summary>
    /// The whole values the structured elements of <paramref name="root"/> name as identifying, to find again as phrases in
    /// its free text: a person's name parts and name text, a person reference's display, address lines, cities,
    /// districts and postal codes, telecom values, every identifier's value, and the birth date as Chinese and Japanese
    /// write it ("1974年12月25日"). A multi-word display is one phrase, never its words.
    /// </summary>
    public static List<(string Value, PhiKind Kind)> Phrases(JsonObject root)
    {
        var phrases = new List<(string Value, PhiKind Kind)>();
        VisitPhrases(root, phrases, 0);
        return phrases;
    }

    private static void VisitPhrases(JsonNode? node, List<(string Value, PhiKind Kind)> phrases, int depth)
    {
        if (depth > MaxDepth)
        {
            return;
        }

        switch (node)
        {
            case JsonArray array:
                foreach (var item in array)
                {
                    VisitPhrases(item, phrases, depth + 1);
                }

                break;
            case JsonObject obj:
                var type = String(obj["resourceType"]);
                if (type is not null && PersonTypes.Contains(type))
                {
                    PersonPhrases(obj, phrases, type == "Practitioner" ? PhiKind.License : PhiKind.Mrn);
                    foreach (var contact in Items(obj["contact"]))
                    {
                        if (contact is JsonObject c)
                        {
                            PersonPhrases(c, phrases, PhiKind.Mrn);
                        }
                    }
                }
                else
                {
                    IdentifierPhrases(obj, phrases, PhiKind.Mrn);
                }

                if (String(obj["display"]) is { } display && IsPersonReference(obj))
                {
                    phrases.Add((display, PhiKind.Name));
                }

                foreach (var (_, child) in obj)
                {
                    if (child is JsonObject or JsonArray)
                    {
                        VisitPhrases(child, phrases, depth + 1);
                    }
                }

                break;
        }
    }

    private static void PersonPhrases(JsonObject obj, List<(string Value, PhiKind Kind)> phrases, PhiKind identifierKind)
    {
        foreach (var name in Items(obj["name"]))
        {
            if (name is not JsonObject n)
            {
                continue;
            }

            var given = Items(n["given"]).Select(String).OfType<string>().ToList();
            var family = String(n["family"]);
            phrases.AddRange(given.Select(g => (g, PhiKind.Name)));
            if (family is not null)
            {
                phrases.Add((family, PhiKind.Name));

                // Chinese and Japanese write the family name first and no space: 张 + 无忌 is "张无忌".
                if (given.Count > 0 && KnownPeople.IsUnspaced(family[^1]) && KnownPeople.IsUnspaced(given[0][0]))
                {
                    phrases.Add((family + string.Concat(given), PhiKind.Name));
                }
            }

            if (String(n["text"]) is { } text)
            {
                phrases.Add((text, PhiKind.Name));
            }
        }

        foreach (var telecom in Items(obj["telecom"]))
        {
            if (String((telecom as JsonObject)?["value"]) is { } value)
            {
                phrases.Add((value, KnownPeople.TelecomKind(value)));
            }
        }

        foreach (var address in Items(obj["address"]))
        {
            if (address is not JsonObject a)
            {
                continue;
            }

            phrases.AddRange(Items(a["line"]).Select(String).OfType<string>().Select(line => (line, PhiKind.Address)));
            foreach (var place in new[] { String(a["city"]), String(a["district"]) }.OfType<string>())
            {
                phrases.Add((place, PhiKind.Location));
            }

            if (String(a["postalCode"]) is { } postalCode)
            {
                phrases.Add((postalCode, PhiKind.Zip));
            }

            if (String(a["text"]) is { } text)
            {
                phrases.Add((text, PhiKind.Address));
            }
        }

        IdentifierPhrases(obj, phrases, identifierKind);

        // "1974-12-25" is found as it is; the narrative of a Chinese or Japanese record writes "1974年12月25日".
        if (String(obj["birthDate"]) is { Length: 10 } born && born[4] == '-' && born[7] == '-'
            && int.TryParse(born.AsSpan(5, 2), out var month) && int.TryParse(born.AsSpan(8, 2), out var day))
        {
            phrases.Add(($"{born[..4]}年{born[5..7]}月{born[8..10]}日", PhiKind.Date));
            phrases.Add(($"{born[..4]}年{month}月{day}日", PhiKind.Date));
        }
    }

    private static void IdentifierPhrases(JsonObject obj, List<(string Value, PhiKind Kind)> phrases, PhiKind kind)
    {
        foreach (var identifier in Items(obj["identifier"]))
        {
            // Four characters at least, as the identifiers the scanner finds: "12" would be every "12" of the text.
            if (String((identifier as JsonObject)?["value"]) is { } value && value.Trim().Length >= 4)
            {
                phrases.Add((value, kind));
            }
        }
    }

    /// <summary>A reference to a person: <c>Patient/123</c> (with or without a server base), or a <c>type</c> that names one.</summary>
    public static bool IsPersonReference(JsonObject reference)
    {
        if (reference["type"] is JsonValue type && type.GetValueKind() == JsonValueKind.String && PersonTypes.Contains(type.GetValue<string>()))
        {
            return true;
        }

        if (reference["reference"] is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
        {
            return false;
        }

        var text = value.GetValue<string>().AsSpan();
        var history = text.IndexOf("/_history/", StringComparison.Ordinal);
        if (history >= 0)
        {
            text = text[..history];
        }

        var lastSlash = text.LastIndexOf('/');
        if (lastSlash <= 0)
        {
            return false;
        }

        var typeStart = text[..lastSlash].LastIndexOf('/') + 1;
        return PersonTypes.GetAlternateLookup<ReadOnlySpan<char>>().Contains(text[typeStart..lastSlash]);
    }

    private static void Visit(JsonNode? node, List<ClinicalPerson> people, Collected others, int depth)
    {
        if (depth > MaxDepth)
        {
            return;
        }

        switch (node)
        {
            case JsonArray array:
                foreach (var item in array)
                {
                    Visit(item, people, others, depth + 1);
                }

                break;
            case JsonObject obj:
                if (obj["resourceType"] is JsonValue t && t.GetValueKind() == JsonValueKind.String && PersonTypes.Contains(t.GetValue<string>()))
                {
                    var type = t.GetValue<string>();
                    var person = new Collected(type == "Practitioner" ? "practitioner" : type == "Patient" ? "patient" : "related");
                    ReadPerson(obj, person);
                    people.Add(person.ToPerson());

                    // A Patient's contacts (next of kin, guardians) are people of their own.
                    foreach (var contact in Items(obj["contact"]))
                    {
                        if (contact is JsonObject c)
                        {
                            var kin = new Collected("related");
                            ReadPerson(c, kin);
                            people.Add(kin.ToPerson());
                        }
                    }
                }
                else
                {
                    foreach (var identifier in Items(obj["identifier"]))
                    {
                        others.AddIdentifier(identifier);
                    }

                    if (obj["display"] is JsonValue display && display.GetValueKind() == JsonValueKind.String && IsPersonReference(obj))
                    {
                        others.AddDisplayWords(display.GetValue<string>());
                    }
                }

                foreach (var (_, child) in obj)
                {
                    if (child is JsonObject or JsonArray)
                    {
                        Visit(child, people, others, depth + 1);
                    }
                }

                break;
        }
    }

    private static void ReadPerson(JsonObject obj, Collected person)
    {
        foreach (var name in Items(obj["name"]))
        {
            if (name is not JsonObject n)
            {
                continue;
            }

            foreach (var given in Items(n["given"]))
            {
                person.Given.AddIfText(given);
            }

            person.Family.AddIfText(n["family"]);
            if (String(n["text"]) is { } text)
            {
                person.AddNameTextWords(text, n);
            }
        }

        foreach (var telecom in Items(obj["telecom"]))
        {
            person.Telecom.AddIfText((telecom as JsonObject)?["value"]);
        }

        foreach (var address in Items(obj["address"]))
        {
            if (address is not JsonObject a)
            {
                continue;
            }

            foreach (var line in Items(a["line"]))
            {
                person.Lines.AddIfText(line);
            }

            person.Places.AddIfText(a["city"]);
            person.Places.AddIfText(a["district"]);
            person.PostalCodes.AddIfText(a["postalCode"]);
            if (String(a["text"]) is { } text)
            {
                person.Lines.Add(text);
            }
        }

        foreach (var identifier in Items(obj["identifier"]))
        {
            person.AddIdentifier(identifier);
        }

        person.BirthDate ??= String(obj["birthDate"]);
    }

    // One element where FHIR allows many ("identifier": {…} in a Reference) reads as a list of one; never a new
    // JsonArray, which would take the node from its parent.
    private static IEnumerable<JsonNode?> Items(JsonNode? node) => node switch
    {
        JsonArray array => array,
        null => [],
        _ => new[] { node },
    };

    private static string? String(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is { Length: > 0 } text ? text : null;

    private static void AddIfText(this List<string> list, JsonNode? node)
    {
        if (String(node) is { } text)
        {
            list.Add(text);
        }
    }

    private sealed class Collected(string role)
    {
        public List<string> Given { get; } = [];

        public List<string> Family { get; } = [];

        public List<string> Identifiers { get; } = [];

        public List<string> Telecom { get; } = [];

        public List<string> Lines { get; } = [];

        public List<string> Places { get; } = [];

        public List<string> PostalCodes { get; } = [];

        public string? BirthDate { get; set; }

        public bool IsEmpty => Given.Count + Family.Count + Identifiers.Count + Telecom.Count + Lines.Count + Places.Count + PostalCodes.Count == 0;

        public void AddIdentifier(JsonNode? identifier)
        {
            if (identifier is JsonObject id)
            {
                Identifiers.AddIfText(id["value"]);
            }
        }

        /// <summary>The words of a display or a name's text that can only be a name: "Dr. Adam Careful, MD" gives "Adam".</summary>
        public void AddDisplayWords(string display)
        {
            foreach (var word in display.Split([' ', ',', ';', ':', '(', ')', '"', '/', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries))
            {
                var trimmed = word.Trim('.', '\'', '-', '’');
                if (trimmed.Length < 2 || !trimmed.All(c => char.IsLetter(c) || c is '-' or '\'' or '’'))
                {
                    continue;
                }

                var lex = Lexicon.Default.Of(trimmed);
                if ((lex & NotNameWords) != 0 || ((lex & Lex.Common) != 0 && (lex & (Lex.FirstName | Lex.Surname)) == 0))
                {
                    continue;
                }

                Given.Add(trimmed);
            }
        }

        /// <summary>
        /// The words of a person's own name as text ("Kettle Q Ladle Jr"): every one is the name, ordinary words too, but
        /// its prefix and suffix (titles, "Jr", credentials) and single initials.
        /// </summary>
        public void AddNameTextWords(string text, JsonObject name)
        {
            foreach (var word in text.Split([' ', ',', ';', ':', '(', ')', '"', '/', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries))
            {
                var trimmed = word.Trim('.', '\'', '-', '’');
                if (trimmed.Length < 2 || !trimmed.All(c => char.IsLetter(c) || c is '-' or '\'' or '’')
                    || (Lexicon.Default.Of(trimmed) & (Lex.Title | Lex.Credential | Lex.Salutation)) != 0
                    || NameSuffixes.Contains(trimmed) || IsPart(name["prefix"], trimmed) || IsPart(name["suffix"], trimmed))
                {
                    continue;
                }

                Given.Add(trimmed);
            }
        }

        private static bool IsPart(JsonNode? parts, string word)
        {
            foreach (var part in Items(parts))
            {
                if (String(part) is { } text && text.AsSpan().Trim('.').Equals(word, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }

        public ClinicalPerson ToPerson() => new(role)
        {
            GivenNames = Given,
            FamilyNames = Family,
            Identifiers = Identifiers,
            Telecom = Telecom,
            AddressLines = Lines,
            Places = Places,
            PostalCodes = PostalCodes,
            BirthDate = BirthDate,
        };
    }
}
