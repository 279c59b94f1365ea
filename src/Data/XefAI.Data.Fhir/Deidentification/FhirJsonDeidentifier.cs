using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace XefAI.Data.Deidentification;

/// <summary>
/// De-identifies a FHIR resource or Bundle sent as JSON, element by element: the people's names, telecom, addresses,
/// photos and every identifier are removed; birth dates keep the year; every other date moves by the patient's
/// offset so intervals survive; resource ids become tokens (references stay linked); free text in narratives,
/// displays and notes goes through the free-text scanner. Codes, systems and units are left as they are.
/// </summary>
internal static class FhirJsonDeidentifier
{
    // Elements that identify a person or a record and carry nothing a model needs.
    private static readonly FrozenSet<string> RemovedEverywhere =
        new[] { "identifier", "photo", "telecom", "name", "address", "contact" }.ToFrozenSet(StringComparer.Ordinal);

    // Machine values: codes, systems, canonical URLs, units and enumerations are not PHI and must stay exact.
    private static readonly FrozenSet<string> KeptAsIs = new[]
    {
        "resourceType", "system", "code", "url", "profile", "unit", "status", "use", "gender", "language", "version", "intent",
        "priority", "mode", "type", "contentType", "valueCode", "valueBoolean", "valueInteger", "valueDecimal", "comparator",
        "severity", "criticality", "category", "rank", "kind", "method", "linkId", "fhir_comments", "valueUri", "valueCanonical",
        "versionId", "source", "security", "tag", "instantiatesCanonical", "instantiatesUri",
    }.ToFrozenSet(StringComparer.Ordinal);

    // The resource goes back into a prompt, not into HTML: its narrative's markup and quotes stay readable ("<div>", not
    // "\u003Cdiv\u003E"), as they were sent, and cost the model no extra tokens. The vendor body escapes it again as JSON.
    private static readonly JsonSerializerOptions AsWritten = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // Braces before a resource that are not the start of one ("{see below}", a template's "{name}") tried at most this often.
    private const int MaxCandidates = 16;

    /// <summary>
    /// A text that holds FHIR resources as JSON among other words, as a chat message does ("Summarize: {…}", a fenced
    /// block, two resources one after the other): each resource is de-identified element by element, and the words around
    /// them as free text, after what every resource says of its people is known, so that the words find them too.
    /// </summary>
    /// <returns>False when the text holds no JSON object with a <c>resourceType</c>: it is free text.</returns>
    public static bool TryProtectWithin(string text, SafeHarborProtection protection, out string protectedText)
    {
        protectedText = text;
        List<(int Start, int End, JsonObject Resource)>? found = null;
        var from = 0;
        while (from < text.Length && Find(text, from) is { } next)
        {
            (found ??= []).Add(next);
            from = next.End;
        }

        if (found is null)
        {
            return false;
        }

        foreach (var (_, _, resource) in found)
        {
            protection.Learn(FhirPeople.Harvest(resource));
            protection.LearnPhrases(FhirPeople.Phrases(resource));
        }

        var builder = new StringBuilder(text.Length + 64);
        var copied = 0;
        foreach (var (start, end, resource) in found)
        {
            if (start > copied)
            {
                builder.Append(protection.ProtectFreeText(text[copied..start]));
            }

            Walk(resource, protection, inPerson: false);
            builder.Append(resource.ToJsonString(AsWritten));
            copied = end;
        }

        if (copied < text.Length)
        {
            builder.Append(protection.ProtectFreeText(text[copied..]));
        }

        protectedText = builder.ToString();
        return true;
    }

    /// <summary>The first JSON object at or after <paramref name="from"/> that is a FHIR resource, and where it ends.</summary>
    private static (int Start, int End, JsonObject Resource)? Find(string text, int from)
    {
        // Every object with a resourceType opens before the first "resourceType" after it: the outermost is tried first.
        var key = text.IndexOf("\"resourceType\"", from, StringComparison.Ordinal);
        var tried = 0;
        while (key > 0 && tried < MaxCandidates)
        {
            var open = text.IndexOf('{', from, key - from);
            if (open < 0)
            {
                // Only braces that were not a resource's before this key: the next key may still be inside one opened after.
                from = key + 1;
                key = text.IndexOf("\"resourceType\"", from, StringComparison.Ordinal);
                continue;
            }

            from = open + 1;
            if (!StartsObject(text, open))
            {
                continue;
            }

            tried++;
            var end = ObjectEnd(text, open);
            if (end > open && Parse(text.Substring(open, end - open)) is { } resource)
            {
                return (open, end, resource);
            }
        }

        return null;
    }

    // A JSON object opens with '{' and, past any white space, a member name's quote or its closing brace.
    private static bool StartsObject(string text, int open)
    {
        var i = open + 1;
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        return i < text.Length && text[i] is '"' or '}';
    }

    /// <summary>Just past the brace that closes the object opened at <paramref name="open"/>, or -1; strings are skipped.</summary>
    private static int ObjectEnd(string text, int open)
    {
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '"':
                    for (i++; i < text.Length && text[i] != '"'; i++)
                    {
                        if (text[i] == '\\')
                        {
                            i++;
                        }
                    }

                    break;
                case '{' or '[':
                    if (++depth > 256)
                    {
                        return -1;
                    }

                    break;
                case '}' or ']':
                    if (--depth == 0)
                    {
                        return text[i] == '}' ? i + 1 : -1;
                    }

                    if (depth < 0)
                    {
                        return -1;
                    }

                    break;
            }
        }

        return -1;
    }

    private static JsonObject? Parse(string json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 128 });
        }
        catch (JsonException)
        {
            return null;
        }

        return root is JsonObject resource && resource["resourceType"] is JsonValue type && type.GetValueKind() == JsonValueKind.String ? resource : null;
    }

    private static void Walk(JsonObject node, SafeHarborProtection protection, bool inPerson)
    {
        var resourceType = node["resourceType"] is JsonValue t && t.TryGetValue<string>(out var rt) ? rt : null;
        var person = resourceType is not null ? FhirPeople.PersonTypes.Contains(resourceType) : inPerson;

        foreach (var key in node.Select(p => p.Key).ToList())
        {
            var child = node[key];

            // A member no resource defines ("Maria Gonzalez": true, "note_for_maria": "…") may say who it is about in
            // its name, which nothing else reads: it goes, value and all, as does one whose name holds a person's name.
            if (!IsDefinableMember(key))
            {
                node.Remove(key);
                continue;
            }

            if (RemovedEverywhere.Contains(key) && (person || key is "identifier" or "photo"))
            {
                node.Remove(key);
                continue;
            }

            // A device's own serial, lot and UDI carrier (whose human-readable form holds the serial: "(21)…") identify the
            // one device in one patient; Safe Harbor lists device serial numbers. Its type and model stay.
            if (key is "serialNumber" or "lotNumber" or "distinctIdentifier" or "carrierHRF" or "carrierAIDC")
            {
                node.Remove(key);
                continue;
            }

            // A birth date's extensions go with the date's day and month (patient-birthTime holds the full date and time of
            // birth), and so does an extension's person-shaped value anywhere (patient-birthPlace, a relative's name or phone).
            if (key is "_birthDate" or "valueHumanName" or "valueContactPoint" or "valueAddress")
            {
                node.Remove(key);
                continue;
            }

            // The patient-mothersMaidenName extension is a name, one word the scanner cannot tell from any other.
            if (key is "valueString" && child is JsonValue maiden && maiden.GetValueKind() == JsonValueKind.String
                && node["url"] is JsonValue url && url.GetValueKind() == JsonValueKind.String
                && url.GetValue<string>().EndsWith("mothersMaidenName", StringComparison.Ordinal))
            {
                node[key] = protection.TokenFor(PhiKind.Name, maiden.GetValue<string>());
                continue;
            }

            // A reference's display names what it points at: a person's is their name, however it is written
            // ("Everywoman, Eve A, MRN: 12345"), so it is one name token whatever the scanner would find in it.
            if (key is "display" && child is JsonValue display && display.GetValueKind() == JsonValueKind.String
                && FhirPeople.IsPersonReference(node))
            {
                node[key] = protection.TokenFor(PhiKind.Name, display.GetValue<string>());
                continue;
            }

            // Attachments (scans, photographs) travel as data or a link: both go.
            if (key is "data" && node.ContainsKey("contentType"))
            {
                node.Remove(key);
                continue;
            }

            if (key is "url" && node.ContainsKey("contentType"))
            {
                node.Remove(key);
                continue;
            }

            switch (child)
            {
                case JsonObject obj:
                    Walk(obj, protection, person && resourceType is null);
                    break;
                case JsonArray array:
                    WalkArray(array, key, protection, person, node);
                    break;
                case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                    var replaced = ProtectValue(key, value.GetValue<string>(), protection, person, node);
                    if (replaced is null)
                    {
                        node.Remove(key);
                    }
                    else
                    {
                        node[key] = replaced;
                    }

                    break;
            }
        }
    }

    private static void WalkArray(JsonArray array, string key, SafeHarborProtection protection, bool person, JsonObject parent)
    {
        for (var i = 0; i < array.Count; i++)
        {
            switch (array[i])
            {
                case JsonObject obj:
                    Walk(obj, protection, person && obj["resourceType"] is null);
                    break;
                case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                    array[i] = ProtectValue(key, value.GetValue<string>(), protection, person, parent);
                    break;
                case JsonArray nested:
                    // Not FHIR's shape, but JSON allows it: its strings are protected all the same.
                    WalkArray(nested, key, protection, person, parent);
                    break;
            }
        }
    }

    /// <returns>The value to keep, or null to remove the element.</returns>
    private static string? ProtectValue(string key, string value, SafeHarborProtection protection, bool person, JsonObject parent)
    {
        // A Bundle entry's request URL names a resource, and a conditional one searches by identifier or name
        // ("Patient?identifier=http://example.org/mrn|456456"): the type stays, the rest is a token.
        if (key is "url" && parent.ContainsKey("method"))
        {
            return RequestUrl(value, protection);
        }

        if (KeptAsIs.Contains(key))
        {
            // Kept only when it is what its type allows; "gender": "987-65-4321" or a code holding a sentence is free text.
            return IsValidMachineValue(key, value) ? value : protection.ProtectFreeText(value);
        }

        switch (key)
        {
            case "id" when parent.ContainsKey("resourceType"):
                return protection.TokenFor(PhiKind.Id, value);
            case "reference":
                return Reference(value, protection);
            case "fullUrl":
                return Reference(value, protection);
            case "birthDate":
                return BirthYear(value);
        }

        // A uuid or oid is an id wherever it is (an extension's valueUri, a canonical, an element's own id): whole, never
        // a name found inside it.
        if (value.StartsWith("urn:uuid:", StringComparison.Ordinal) || value.StartsWith("urn:oid:", StringComparison.Ordinal))
        {
            return Reference(value, protection);
        }

        if (IsFhirDate(value))
        {
            return Shift(value, protection.DateShiftDays);
        }

        return protection.ProtectFreeText(value);
    }

    // The values FHIR allows for the administrative gender code.
    private static readonly FrozenSet<string> Genders = new[] { "male", "female", "other", "unknown" }.ToFrozenSet(StringComparer.Ordinal);

    // The kept elements whose type is a uri, url or canonical (the rest are codes, ids or strings of a code's shape).
    private static readonly FrozenSet<string> UriElements = new[]
    {
        "system", "url", "profile", "valueUri", "valueCanonical", "instantiatesCanonical", "instantiatesUri", "source",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// Whether a kept element's value is a valid value of its type: gender one of its four codes, a uri absolute and
    /// without spaces, any other a code (single spaces only, at most 64 characters) in which the scanner finds nothing but
    /// digits it would take for an identifier.
    /// </summary>
    internal static bool IsValidMachineValue(string key, string value)
    {
        if (key is "gender")
        {
            return Genders.Contains(value);
        }

        if (value.Length == 0 || !HasCodeSpacing(value))
        {
            return key is "fhir_comments" && value.Length == 0;
        }

        // A uri is absolute, or relative as a nested extension's "ombCategory" is, and then held to a code's rules
        // (ContactPoint.system, which is named like one, is a code: "phone").
        if (UriElements.Contains(key) && !value.Contains(' ') && (Uri.TryCreate(value, UriKind.Absolute, out _) || value.StartsWith('#')))
        {
            return true;
        }

        if (value.Length > 64)
        {
            return false;
        }

        var spans = new List<PhiSpan>();
        PhiScanner.Default.Scan(value, KnownPeople.None, spans);
        foreach (var span in spans)
        {
            // Identifiers' kinds alone are what a code's digits look like ("44054006").
            if (span.Kind is not (PhiKind.Id or PhiKind.Mrn or PhiKind.Account or PhiKind.Device or PhiKind.HealthPlan or PhiKind.License
                or PhiKind.Zip or PhiKind.Age))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A code's spacing as FHIR defines it: no leading or trailing white space, and none inside but single spaces
    /// (an Endpoint's payload type "ServiceRequest QuestionnaireResponse" is one code).
    /// </summary>
    private static bool HasCodeSpacing(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == ' ' ? i == 0 || i == value.Length - 1 || value[i - 1] == ' ' : char.IsWhiteSpace(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Whether a member's name is one a FHIR resource could define: an element's name is a word of ASCII letters and
    /// digits starting lower-case ("birthDate", "valueString"), or one prefixed by '_' for a primitive's extensions; and
    /// none holds a word of a person's name that is no ordinary or clinical word ("mariaGonzalez", "notePriya"; FHIR's own
    /// words, "link", "given", "rank", are ordinary ones). A name every word of which is also an ordinary word
    /// ("johnSmith") is not told from an element's by its words alone.
    /// </summary>
    internal static bool IsDefinableMember(string key)
    {
        var name = key.AsSpan();
        if (name.Length > 0 && name[0] == '_')
        {
            name = name[1..];
        }

        if (name.Length == 0 || name.Length > 64 || !char.IsAsciiLetterLower(name[0]) || key is "fhir_comments")
        {
            return key is "fhir_comments";
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        // Words of the camel case: "mariaGonzalez" is "maria" and "Gonzalez".
        var start = 0;
        for (var i = 1; i <= name.Length; i++)
        {
            if (i == name.Length || char.IsAsciiLetterUpper(name[i]))
            {
                var lex = Lexicon.Default.Of(name[start..i]);
                if (i - start >= 3 && (lex & Lex.Name) != 0 && (lex & (Lex.Common | Lex.Clinical | Lex.Title | Lex.Relation)) == 0)
                {
                    return false;
                }

                start = i;
            }
        }

        return true;
    }

    // "Patient/123" keeps its type and gets the same token as Patient.id; "urn:uuid:…" likewise.
    private static string Reference(string value, SafeHarborProtection protection)
    {
        if (value.StartsWith('#'))
        {
            return value;
        }

        if (value.StartsWith("urn:uuid:", StringComparison.Ordinal) || value.StartsWith("urn:oid:", StringComparison.Ordinal))
        {
            var prefix = value.StartsWith("urn:uuid:", StringComparison.Ordinal) ? "urn:uuid:" : "urn:oid:";
            return prefix + protection.TokenFor(PhiKind.Id, value[prefix.Length..]);
        }

        var parts = value.Split('/');
        if (parts.Length >= 2)
        {
            // [base/]Type/id[/_history/v]: the type stays, the id (and any server base, which names the organization) goes.
            var typeIndex = parts.Length >= 4 && parts[^2] == "_history" ? parts.Length - 4 : parts.Length - 2;
            var type = parts[typeIndex];
            var id = parts[typeIndex + 1];
            return $"{type}/{protection.TokenFor(PhiKind.Id, id)}";
        }

        return protection.TokenFor(PhiKind.Id, value);
    }

    private static string RequestUrl(string value, SafeHarborProtection protection)
    {
        var query = value.IndexOf('?', StringComparison.Ordinal);
        var path = query < 0 ? value : value[..query];
        var protectedPath = path.Contains('/', StringComparison.Ordinal) ? Reference(path, protection) : path;
        return query < 0 || query == value.Length - 1 ? protectedPath : $"{protectedPath}?{protection.TokenFor(PhiKind.Id, value[(query + 1)..])}";
    }

    // Safe Harbor keeps the year of birth, except that anyone over 89 is aggregated: their year goes too.
    private static string? BirthYear(string value)
    {
        if (value.Length < 4 || !int.TryParse(value.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year))
        {
            return null;
        }

        return DateTime.UtcNow.Year - year > 89 ? null : value[..4];
    }

    /// <summary>A FHIR date, dateTime or instant more precise than a year: <c>2024-03</c>, <c>2024-03-14</c>, <c>2024-03-14T10:30:00Z</c>.</summary>
    internal static bool IsFhirDate(string value)
    {
        if (value.Length < 7 || value.Length > 35 || value[4] != '-')
        {
            return false;
        }

        for (var i = 0; i < 4; i++)
        {
            if (!char.IsAsciiDigit(value[i]))
            {
                return false;
            }
        }

        return char.IsAsciiDigit(value[5]) && char.IsAsciiDigit(value[6]) && (value.Length == 7 || (value.Length >= 10 && value[7] == '-'
            && char.IsAsciiDigit(value[8]) && char.IsAsciiDigit(value[9]) && (value.Length == 10 || value[10] == 'T')));
    }

    /// <summary>The date moved by whole days, written with the precision it had.</summary>
    internal static string Shift(string value, int days)
    {
        if (value.Length == 7)
        {
            return DateOnly.TryParseExact(value + "-15", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month)
                ? month.AddDays(days).ToString("yyyy-MM", CultureInfo.InvariantCulture)
                : value;
        }

        if (!DateOnly.TryParseExact(value.AsSpan(0, 10), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return value;
        }

        return date.AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + value[10..];
    }
}
