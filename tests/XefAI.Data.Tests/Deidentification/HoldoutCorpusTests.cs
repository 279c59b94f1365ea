namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// The held-out corpus of <c>Deidentification/Holdout</c> (written apart from the engine and from <c>Corpus/</c>, never
/// tuned on) parses and is large enough to measure on. No detector runs here: the measure is taken separately.
/// </summary>
public sealed class HoldoutCorpusTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Deidentification", "Holdout");

    [Fact]
    public void Load_Holdout_ParsesAtLeast30LabelledNotes()
    {
        var notes = PhiCorpus.Load(Folder);

        Assert.True(notes.Count >= 30, $"{notes.Count} notes");
        Assert.All(notes, n => Assert.NotEmpty(n.Spans));
    }
}
