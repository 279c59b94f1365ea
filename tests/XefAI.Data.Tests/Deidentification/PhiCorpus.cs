using System.Text;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>One PHI span of a labelled note: a character range of <see cref="LabelledNote.Text"/> and its Safe Harbor kind.</summary>
internal sealed record LabelledSpan(int Start, int Length, string Kind)
{
    /// <summary>The offset just past the span.</summary>
    public int End => Start + Length;
}

/// <summary>A corpus note with its markup removed: the plain text, where its PHI is, and the FHIR context sent with it, if any.</summary>
internal sealed record LabelledNote(string Name, string Text, IReadOnlyList<LabelledSpan> Spans, string? FhirContextJson);

/// <summary>
/// Loads the hand-labelled clinical notes of <c>Deidentification/Corpus</c>. Each <c>.txt</c> file is one note with
/// its PHI marked inline as <c>{{KIND|text}}</c>; a sibling <c>&lt;note&gt;.patient.json</c> holds the FHIR R4 Patient
/// (or a Bundle with the Patient and the people around them) that a caller would send with the note.
/// </summary>
internal static class PhiCorpus
{
    /// <summary>Spans of this kind are hospital and clinic names: neither a miss when kept nor a false positive when removed.</summary>
    public const string Facility = "FACILITY";

    /// <summary>The HIPAA Safe Harbor categories a span may be labelled with (besides <see cref="Facility"/>).</summary>
    public static IReadOnlyList<string> PhiKinds { get; } =
    [
        "NAME", "STREET", "CITY", "COUNTY", "ZIP", "DATE", "AGE", "PHONE", "FAX", "EMAIL", "SSN", "MRN", "HEALTHPLAN",
        "ACCOUNT", "LICENSE", "VEHICLE", "DEVICE", "URL", "IP", "BIOMETRIC", "ID",
    ];

    /// <summary>Every kind the markup accepts.</summary>
    public static IReadOnlyList<string> Kinds { get; } = [.. PhiKinds, Facility];

    /// <summary>The corpus folder as the test run copied it.</summary>
    public static string DefaultFolder { get; } = Path.Combine(AppContext.BaseDirectory, "Deidentification", "Corpus");

    /// <summary>Every note of <paramref name="directory"/> (the copied corpus by default), in file-name order.</summary>
    public static IReadOnlyList<LabelledNote> Load(string? directory = null)
    {
        directory ??= DefaultFolder;
        return Directory.EnumerateFiles(directory, "*.txt")
            .Order(StringComparer.Ordinal)
            .Select(path =>
            {
                var name = Path.GetFileNameWithoutExtension(path);
                var sidecar = Path.Combine(directory, name + ".patient.json");
                var fhirContext = File.Exists(sidecar) ? File.ReadAllText(sidecar) : null;
                return Parse(name, File.ReadAllText(path), fhirContext, Path.GetFileName(path));
            })
            .ToList();
    }

    /// <summary>
    /// Removes the markup of one note. Throws <see cref="FormatException"/> naming <paramref name="source"/> (the note's
    /// name by default) and the offset in the marked-up text of the first error; the message never quotes labelled text.
    /// </summary>
    public static LabelledNote Parse(string name, string markedUp, string? fhirContextJson = null, string? source = null)
    {
        source ??= name;
        var text = new StringBuilder(markedUp.Length);
        var spans = new List<LabelledSpan>();
        var i = 0;
        while (i < markedUp.Length)
        {
            var open = markedUp.IndexOf("{{", i, StringComparison.Ordinal);
            var strayClose = markedUp.IndexOf("}}", i, StringComparison.Ordinal);
            if (strayClose >= 0 && (open < 0 || strayClose < open))
            {
                throw Error(source, markedUp, strayClose, "'}}' without an opening '{{'");
            }

            if (open < 0)
            {
                text.Append(markedUp, i, markedUp.Length - i);
                break;
            }

            text.Append(markedUp, i, open - i);
            var close = markedUp.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                throw Error(source, markedUp, open, "'{{' is never closed with '}}'");
            }

            var nested = markedUp.IndexOf("{{", open + 2, close - open - 2, StringComparison.Ordinal);
            if (nested >= 0)
            {
                throw Error(source, markedUp, nested, "a label inside a label");
            }

            var pipe = markedUp.IndexOf('|', open + 2, close - open - 2);
            if (pipe < 0)
            {
                throw Error(source, markedUp, open, "a label needs the form {{KIND|text}}");
            }

            var kind = markedUp[(open + 2)..pipe];
            if (!Kinds.Contains(kind, StringComparer.Ordinal))
            {
                var shown = kind.Length <= 12 && kind.All(char.IsAsciiLetter) ? $" '{kind}'" : "";
                throw Error(source, markedUp, open + 2, $"unknown kind{shown}; expected one of {string.Join(", ", Kinds)}");
            }

            var value = markedUp[(pipe + 1)..close];
            if (value.Length == 0 || value.Trim().Length != value.Length || value.Contains('\n', StringComparison.Ordinal))
            {
                throw Error(source, markedUp, pipe + 1, "a label's text must be non-empty, on one line, without surrounding spaces");
            }

            spans.Add(new LabelledSpan(text.Length, value.Length, kind));
            text.Append(value);
            i = close + 2;
        }

        return new LabelledNote(name, text.ToString(), spans, fhirContextJson);
    }

    private static FormatException Error(string source, string markedUp, int offset, string problem)
    {
        var line = 1 + markedUp.AsSpan(0, offset).Count('\n');
        var lineStart = offset == 0 ? 0 : markedUp.LastIndexOf('\n', offset - 1) + 1;
        return new FormatException($"{source}: offset {offset} (line {line}, column {offset - lineStart + 1}): {problem}");
    }
}
