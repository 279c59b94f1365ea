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

    /// <summary>
    /// The second corpus (<c>Holdout/</c>) was written by someone who had not seen the first or the engine, and measured
    /// before any rule was changed for it (NAME 90.0%, DATE 95.3%, all PHI 93.4%, precision 96.1%, kept 99.4%). Some
    /// general gaps it showed were fixed since, so it is no longer held out; the floors below keep those gains.
    /// </summary>
    [Fact]
    public void Keeps_its_scores_on_the_second_corpus()
    {
        var notes = PhiCorpus.Load(Path.Combine(AppContext.BaseDirectory, "Deidentification", "Holdout"));

        var score = PhiScore.Compute(notes, Detect);
        score.Report(output);

        Assert.True(score.Categories.Single(c => c.Kind == "NAME").Recall >= 0.93, "NAME recall fell below 93% on the second corpus.");
        Assert.True(score.Categories.Single(c => c.Kind == "DATE").Recall >= 0.97, "DATE recall fell below 97% on the second corpus.");
        Assert.True(score.All.Recall >= 0.95, "Recall over all PHI fell below 95% on the second corpus.");
        Assert.True(score.Precision >= 0.95, "Precision fell below 95% on the second corpus.");
        Assert.True(score.Kept >= 0.99, "Clinical words kept fell below 99% on the second corpus.");
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
