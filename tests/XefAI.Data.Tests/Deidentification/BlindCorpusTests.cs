using Xunit.Abstractions;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// The corpora written blind after the main one (<c>Deidentification/Holdout3</c> to <c>Holdout9</c>): each by someone
/// who read neither the engine nor the other corpora, in styles the others lack. Each parses, and the engine is
/// measured on it the way the main corpus is; the measurement is printed, not held to a floor, because its first
/// reading is an estimate of the engine on unseen text (see each folder's README).
/// </summary>
public sealed class BlindCorpusTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("Holdout3", 25)]
    [InlineData("Holdout4", 20)]
    [InlineData("Holdout5", 25)]
    [InlineData("Holdout6", 25)]
    [InlineData("Holdout7", 28)]
    [InlineData("Holdout8", 30)]
    [InlineData("Holdout9", 30)]
    [InlineData("Holdout10", 30)]
    [InlineData("Holdout11", 30)]
    [InlineData("Holdout12", 30)]
    [InlineData("Holdout13", 30)]
    [InlineData("Holdout14", 30)]
    [InlineData("Holdout15", 30)]
    [InlineData("Holdout16", 30)]
    [InlineData("Holdout17", 30)]
    [InlineData("Holdout18", 30)]
    [InlineData("Holdout19", 30)]
    [InlineData("Holdout20", 30)]
    [InlineData("Holdout21", 30)]
    [InlineData("Holdout22", 30)]
    [InlineData("Holdout23", 30)]
    [InlineData("Holdout24", 30)]
    public void Load_BlindCorpus_ParsesItsLabelledNotes(string corpus, int atLeast)
    {
        var notes = PhiCorpus.Load(Folder(corpus));

        Assert.True(notes.Count >= atLeast, $"{notes.Count} notes");
        Assert.All(notes, n => Assert.NotEmpty(n.Spans));
    }

    [Theory]
    [InlineData("Holdout3", 1500)]
    [InlineData("Holdout4", 1000)]
    [InlineData("Holdout5", 1000)]
    [InlineData("Holdout6", 1000)]
    [InlineData("Holdout7", 1000)]
    [InlineData("Holdout8", 1000)]
    [InlineData("Holdout9", 1000)]
    [InlineData("Holdout10", 1000)]
    [InlineData("Holdout11", 1000)]
    [InlineData("Holdout12", 1500)]
    [InlineData("Holdout13", 1500)]
    [InlineData("Holdout14", 1500)]
    [InlineData("Holdout15", 1500)]
    [InlineData("Holdout16", 1500)]
    [InlineData("Holdout17", 1500)]
    [InlineData("Holdout18", 1500)]
    [InlineData("Holdout19", 1500)]
    [InlineData("Holdout20", 1500)]
    [InlineData("Holdout21", 1500)]
    [InlineData("Holdout22", 1500)]
    [InlineData("Holdout23", 1500)]
    [InlineData("Holdout24", 1500)]
    public void Score_BlindCorpus_IsComputedAndPrinted(string corpus, int atLeastTokens)
    {
        var notes = PhiCorpus.Load(Folder(corpus));

        var score = PhiScore.Compute(notes, PhiCorpusQualityTests.Detect);
        score.Report(output);

        Assert.True(score.All.Tokens >= atLeastTokens, $"{score.All.Tokens} labelled PHI tokens");
        Assert.True(score.ClinicalTokens > 0, "no clinical tokens");
        Assert.InRange(score.All.Recall, 0, 1);
    }

    private static string Folder(string corpus) => Path.Combine(AppContext.BaseDirectory, "Deidentification", corpus);
}
