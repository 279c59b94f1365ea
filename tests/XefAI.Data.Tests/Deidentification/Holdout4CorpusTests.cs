using Xunit.Abstractions;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// The fourth held-out corpus of <c>Deidentification/Holdout4</c>: written blind (without reading the engine or the other
/// corpora), half in everyday hospital styles and half in styles the others lack. It parses, and the engine is measured
/// on it the way the main corpus is; the measurement is printed, not held to a floor, because it is a first estimate.
/// </summary>
public sealed class Holdout4CorpusTests(ITestOutputHelper output)
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Deidentification", "Holdout4");

    [Fact]
    public void Load_Holdout4_ParsesAtLeast20LabelledNotes()
    {
        var notes = PhiCorpus.Load(Folder);

        Assert.True(notes.Count >= 20, $"{notes.Count} notes");
        Assert.All(notes, n => Assert.NotEmpty(n.Spans));
    }

    [Fact]
    public void Score_Holdout4_IsComputedAndPrinted()
    {
        var notes = PhiCorpus.Load(Folder);

        var score = PhiScore.Compute(notes, PhiCorpusQualityTests.Detect);
        score.Report(output);

        Assert.True(score.All.Tokens >= 1000, $"{score.All.Tokens} labelled PHI tokens");
        Assert.True(score.ClinicalTokens > 0, "no clinical tokens");
        Assert.InRange(score.All.Recall, 0, 1);
    }
}
