using Xunit.Abstractions;
using XefAI.Data.Deidentification;
using XefAI.Data.Tests.Fhir;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// The de-identifier measured on the labelled corpus (<c>Corpus/</c>, written by hand and kept apart from the
/// engine's own examples): recall per Safe Harbor category, precision over everything removed, and the share of
/// ordinary clinical words kept. The table is printed on every run; <c>XEFAI_PHI_DIAG=1</c> prints the misses too.
/// </summary>
public sealed class PhiCorpusQualityTests(ITestOutputHelper output)
{
    private static readonly string[] FormatKinds = ["SSN", "PHONE", "FAX", "EMAIL", "MRN", "DATE", "ZIP", "URL", "IP"];

    [Fact]
    public void Meets_the_recall_precision_and_kept_thresholds_on_the_labelled_corpus()
    {
        var notes = PhiCorpus.Load();

        var score = PhiScore.Compute(notes, Detect);
        score.Report(output);

        foreach (var kind in FormatKinds)
        {
            var category = score.Categories.Single(c => c.Kind == kind);
            Assert.True(category.Recall >= 0.99, $"{kind} recall {category.Recall:P1} is below 99%.");
        }

        var names = score.Categories.Single(c => c.Kind == "NAME");
        Assert.True(names.Recall >= 0.97, $"NAME recall {names.Recall:P1} is below 97%.");
        Assert.True(score.Precision >= 0.90, $"Precision {score.Precision:P1} is below 90%.");
        Assert.True(score.Kept >= 0.995, $"Clinical words kept {score.Kept:P2} is below 99.5%.");
    }

    internal static IReadOnlyList<(int Start, int Length, string Kind)> Detect(LabelledNote note)
    {
        var known = note.FhirContextJson is { } json && FhirSources.Create().TryRead(json) is { } context
            ? KnownPeople.From(context.People)
            : KnownPeople.None;
        var spans = new List<PhiSpan>();
        PhiScanner.Default.Scan(note.Text, known, spans, []);
        return [.. spans.Select(s => (s.Start, s.Length, s.Kind.ToString().ToUpperInvariant()))];
    }
}
