using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>The labelled corpus is large, varied, parses, and has no identifier left unlabelled that a pattern can find.</summary>
public sealed partial class PhiCorpusTests
{
    /// <summary>The kinds of note, by file-name prefix.</summary>
    private static readonly string[] NoteKinds = ["discharge", "nursing", "radiology", "referral", "portal", "ed", "progress", "pathology", "phone"];

    private static readonly string[] Rare = ["FACILITY", "BIOMETRIC", "VEHICLE", "DEVICE"];

    // Shapes that are identifiers wherever they occur: phones (3-3-4 with or without parentheses, 555-01xx), SSNs,
    // e-mail and web addresses, dates with two separators (but not vent settings like 450/18/8/40 or an ABG 7.42/41/88),
    // an MRN label followed by its number, a title followed by a name.
    [GeneratedRegex(
        @"\b\d{3}[-.\s]\d{3}[-.\s]\d{4}\b|\(\d{3}\)\s*\d{3}[-.\s]\d{4}|\b555[-.]?01\d\d\b|\b\d{3}[-\s]\d{2}[-\s]\d{4}\b|\S@\S|https?://|www\.|(?<![\d/.])(0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])[/-](\d{4}|\d{2})(?![\d/])|\b(19|20)\d\d-\d\d-\d\d\b|\bMRN\W{0,3}\d|\b(Dr|Mr|Mrs|Ms)\.?\s+[A-Z][a-z]",
        RegexOptions.CultureInvariant)]
    private static partial Regex ObviousIdentifier();

    [GeneratedRegex(@"^(Dr|Mr|Mrs|Ms|Miss|Prof)\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Title();

    [Fact]
    public void Load_Corpus_AtLeast60NotesOfNineKindsAndAbout150KB()
    {
        var corpus = PhiCorpus.Load();

        Assert.True(corpus.Count >= 60, $"{corpus.Count} notes");
        Assert.All(corpus, n => Assert.Contains(n.Name.Split('-')[0], NoteKinds));
        Assert.All(NoteKinds, kind => Assert.True(corpus.Count(n => n.Name.Split('-')[0] == kind) >= 6, $"fewer than 6 {kind} notes"));
        var bytes = Directory.EnumerateFiles(PhiCorpus.DefaultFolder, "*.txt").Sum(f => new FileInfo(f).Length);
        Assert.True(bytes >= 140_000, $"{bytes} bytes");
    }

    [Fact]
    public void Corpus_EveryKindIsLabelledOften()
    {
        var counts = PhiCorpus.Load().SelectMany(n => n.Spans).CountBy(s => s.Kind).ToDictionary(StringComparer.Ordinal);

        Assert.All(PhiCorpus.Kinds, kind =>
            Assert.True(counts.GetValueOrDefault(kind) >= (Rare.Contains(kind) ? 3 : 5), $"{kind}: {counts.GetValueOrDefault(kind)} labels"));
    }

    [Fact]
    public void Corpus_NoObviousIdentifierOutsideALabel()
    {
        var unlabelled = PhiCorpus.Load()
            .SelectMany(n => ObviousIdentifier().Matches(Masked(n)).Select(m => $"{n.Name}@{m.Index}: '{m.Value}'"))
            .ToList();

        Assert.True(unlabelled.Count == 0, string.Join(Environment.NewLine, unlabelled));
    }

    [Fact]
    public void Corpus_LabelsCoverWholeTokens()
    {
        var cut = PhiCorpus.Load()
            .SelectMany(n => n.Spans
                .Where(s => Joined(n.Text, s.Start) || Joined(n.Text, s.End))
                .Select(s => $"{n.Name}@{s.Start}: '{n.Text.Substring(s.Start, s.Length)}'"))
            .ToList();

        Assert.True(cut.Count == 0, string.Join(Environment.NewLine, cut));
    }

    [Fact]
    public void Corpus_LabelsFollowSafeHarbor_AgesOver89NoYearsAloneNoTitles()
    {
        var wrong = PhiCorpus.Load()
            .SelectMany(n => n.Spans.Select(s => (Note: n.Name, s.Kind, Value: n.Text.Substring(s.Start, s.Length))))
            .Where(l => l switch
            {
                { Kind: "AGE" } => int.TryParse(l.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var age) ? age <= 89 : !l.Value.StartsWith("ninety", StringComparison.OrdinalIgnoreCase),
                { Kind: "DATE" } => l.Value.Length == 4 && l.Value.All(char.IsAsciiDigit),
                { Kind: "NAME" } => Title().IsMatch(l.Value),
                _ => false,
            })
            .Select(l => $"{l.Note}: {l.Kind} '{l.Value}'")
            .ToList();

        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
    }

    [Fact]
    public void Corpus_FhirContexts_AreR4PatientsWhoseNamesAreInsideALabelWhereverTheyAppear()
    {
        var withContext = PhiCorpus.Load().Where(n => n.FhirContextJson is not null).ToList();
        Assert.True(withContext.Count >= 10, $"{withContext.Count} notes with a FHIR context");
        Assert.All(
            Directory.EnumerateFiles(PhiCorpus.DefaultFolder, "*.json"),
            f => Assert.True(File.Exists(Path.Combine(PhiCorpus.DefaultFolder, Path.GetFileName(f).Replace(".patient.json", ".txt", StringComparison.Ordinal))), $"{f} has no note"));

        foreach (var note in withContext)
        {
            using var json = JsonDocument.Parse(note.FhirContextJson!);
            var resources = json.RootElement.GetProperty("resourceType").GetString() == "Bundle"
                ? json.RootElement.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("resource")).ToList()
                : [json.RootElement];
            Assert.Contains(resources, r => r.GetProperty("resourceType").GetString() == "Patient");

            var names = resources
                .Where(r => r.TryGetProperty("name", out _))
                .SelectMany(r => r.GetProperty("name").EnumerateArray())
                .SelectMany(n => (n.TryGetProperty("given", out var given) ? given.EnumerateArray().Select(g => g.GetString()!) : [])
                    .Append(n.TryGetProperty("family", out var family) ? family.GetString()! : ""))
                .SelectMany(n => n.Split(' ', '-'))
                .Where(n => n.Length > 1)
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .ToList();
            var patientFamily = resources.First(r => r.GetProperty("resourceType").GetString() == "Patient")
                .GetProperty("name")[0].GetProperty("family").GetString()!;
            Assert.True(note.Text.Contains(patientFamily, StringComparison.OrdinalIgnoreCase), $"{note.Name} never names its patient");

            foreach (var name in names)
            {
                foreach (Match m in Regex.Matches(note.Text, $@"\b{Regex.Escape(name)}\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant))
                {
                    Assert.True(
                        note.Spans.Any(s => s.Start <= m.Index && s.End >= m.Index + m.Length),
                        $"{note.Name}@{m.Index}: '{name}' from the FHIR context is outside every label");
                }
            }
        }
    }

    /// <summary>The text with every labelled span blanked out, so patterns only see what is left unlabelled.</summary>
    private static string Masked(LabelledNote note)
    {
        var chars = note.Text.ToCharArray();
        foreach (var span in note.Spans)
        {
            Array.Fill(chars, '#', span.Start, span.Length);
        }

        return new string(chars);
    }

    /// <summary>Whether a label boundary at <paramref name="offset"/> falls inside a word.</summary>
    private static bool Joined(string text, int offset) =>
        offset > 0 && offset < text.Length && char.IsLetterOrDigit(text[offset - 1]) && char.IsLetterOrDigit(text[offset]);
}
