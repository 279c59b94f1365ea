using Xunit.Abstractions;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// The sixth held-out corpus of <c>Deidentification/Holdout6</c>: written blind (without reading the engine or the other
/// corpora), half in everyday hospital styles and half in styles the others lack. It parses, and the engine is measured
/// on it the way the main corpus is; the measurement is printed, not held to a floor, because it is a first estimate.
/// </summary>
public sealed class Holdout6CorpusTests(ITestOutputHelper output)
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Deidentification", "Holdout6");

    [Fact]
    public void Load_Holdout6_ParsesAtLeast25LabelledNotes()
    {
        var notes = PhiCorpus.Load(Folder);

        Assert.True(notes.Count >= 25, $"{notes.Count} notes");
        Assert.All(notes, n => Assert.NotEmpty(n.Spans));
    }

    [Fact]
    public void Score_Holdout6_IsComputedAndPrinted()
    {
        var notes = PhiCorpus.Load(Folder);

        var score = PhiScore.Compute(notes, PhiCorpusQualityTests.Detect);
        score.Report(output);

        Assert.True(score.All.Tokens >= 1000, $"{score.All.Tokens} labelled PHI tokens");
        Assert.True(score.ClinicalTokens > 0, "no clinical tokens");
        Assert.InRange(score.All.Recall, 0, 1);
    }
}
