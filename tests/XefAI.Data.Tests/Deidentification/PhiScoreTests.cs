using Xunit.Abstractions;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>The corpus markup parser and the token scorer, checked with fake detectors.</summary>
public sealed class PhiScoreTests(ITestOutputHelper output)
{
    private static readonly LabelledNote Small = PhiCorpus.Parse(
        "small",
        "Pt {{NAME|Maria Lopez}} seen at {{FACILITY|Mercy General}} on {{DATE|03/14/2024}}; call {{PHONE|(617) 555-0134}}. Na 138.");

    [Fact]
    public void Parse_LabelledText_RemovesMarkupAndPlacesEachSpanOnItsText()
    {
        Assert.Equal("Pt Maria Lopez seen at Mercy General on 03/14/2024; call (617) 555-0134. Na 138.", Small.Text);
        Assert.Equal(
            [("NAME", "Maria Lopez"), ("FACILITY", "Mercy General"), ("DATE", "03/14/2024"), ("PHONE", "(617) 555-0134")],
            Small.Spans.Select(s => (s.Kind, Small.Text.Substring(s.Start, s.Length))));
        Assert.Null(Small.FhirContextJson);
    }

    [Fact]
    public void Parse_NoMarkup_KeepsTextAndHasNoSpans()
    {
        var note = PhiCorpus.Parse("plain", "BP 142/88, HR 96 | SpO2 94% on 2L {braces} stay.");

        Assert.Equal("BP 142/88, HR 96 | SpO2 94% on 2L {braces} stay.", note.Text);
        Assert.Empty(note.Spans);
    }

    [Theory]
    [InlineData("Seen by {{NAME|Ozymandias", 8, "1, column 9", "never closed")]
    [InlineData("Seen by Ozymandias}} today", 18, "1, column 19", "without an opening")]
    [InlineData("Seen by {{NAME Ozymandias}}", 8, "1, column 9", "{{KIND|text}}")]
    [InlineData("Seen by {{NAM|Ozymandias}}", 10, "1, column 11", "unknown kind 'NAM'")]
    [InlineData("Seen by {{NAME|}} today", 15, "1, column 16", "non-empty")]
    [InlineData("Seen by\n{{NAME| Ozymandias}}", 15, "2, column 8", "surrounding spaces")]
    [InlineData("Seen by {{NAME|Ozy {{NAME|mandias}}}}", 19, "1, column 20", "inside a label")]
    public void Parse_MarkupError_MessageNamesFileAndOffsetButNotTheValue(string markedUp, int offset, string lineAndColumn, string problem)
    {
        var error = Assert.Throws<FormatException>(() => PhiCorpus.Parse("ed-99", markedUp, source: "ed-99.txt"));

        Assert.StartsWith($"ed-99.txt: offset {offset} (line {lineAndColumn}): ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Ozy", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Folder_ReadsEachNoteWithItsSidecarAndNamesABadFile()
    {
        var folder = Directory.CreateTempSubdirectory("phi-corpus-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, "b-note.txt"), "Mr. {{NAME|Okonkwo}} called.");
            File.WriteAllText(Path.Combine(folder.FullName, "a-note.txt"), "No PHI here.");
            File.WriteAllText(Path.Combine(folder.FullName, "b-note.patient.json"), """{"resourceType":"Patient"}""");

            var notes = PhiCorpus.Load(folder.FullName);

            Assert.Equal(["a-note", "b-note"], notes.Select(n => n.Name));
            Assert.Null(notes[0].FhirContextJson);
            Assert.Equal("""{"resourceType":"Patient"}""", notes[1].FhirContextJson);
            Assert.Equal(new LabelledSpan(4, 7, "NAME"), Assert.Single(notes[1].Spans));

            File.WriteAllText(Path.Combine(folder.FullName, "c-note.txt"), "Line one\nMRN {{MRN|0048");
            var error = Assert.Throws<FormatException>(() => PhiCorpus.Load(folder.FullName));
            Assert.StartsWith("c-note.txt: offset 13 (line 2, column 5): ", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Tokenize_IdentifiersWithPunctuation_SplitIntoLetterAndDigitRuns()
    {
        const string Text = "Call 617-555-0134 x4521, re: Nguyễn O'Brien (maria.lopez@example.org).";

        var tokens = PhiScore.Tokenize(Text).Select(t => Text.Substring(t.Start, t.Length));

        Assert.Equal(["Call", "617", "555", "0134", "x4521", "re", "Nguyễn", "O", "Brien", "maria", "lopez", "example", "org"], tokens);
    }

    [Fact]
    public void Compute_DetectorReturnsExactlyTheLabels_EverythingFoundNothingWronglyRemoved()
    {
        var score = PhiScore.Compute(PhiCorpus.Load(), note => [.. note.Spans.Select(s => (s.Start, s.Length, s.Kind))]);
        score.Report(output);

        Assert.All(score.Categories, c => Assert.Equal(c.Tokens, c.Found));
        Assert.Equal(PhiCorpus.PhiKinds, score.Categories.Select(c => c.Kind));
        Assert.Equal(1, score.All.Recall);
        Assert.Equal(1, score.Precision);
        Assert.Equal(1, score.Kept);
        Assert.Empty(score.Misses);
        Assert.Empty(score.FalsePositives);
    }

    [Fact]
    public void Compute_DetectorFindsNothing_RecallZeroAndAllClinicalTextKept()
    {
        var score = PhiScore.Compute(PhiCorpus.Load(), _ => []);

        Assert.All(score.Categories, c => Assert.Equal(0, c.Recall));
        Assert.Equal(score.All.Tokens, score.Misses.Count);
        Assert.Equal(0, score.DetectedTokens);
        Assert.Equal(1, score.Precision);
        Assert.Equal(1, score.Kept);
        Assert.True(score.ClinicalTokens > score.All.Tokens, "the notes are mostly clinical text");
    }

    [Fact]
    public void Compute_DetectorTakesWholeText_RecallOneKeptZeroPrecisionIsTheLabelledShare()
    {
        var score = PhiScore.Compute([Small], note => [(0, note.Text.Length, "NAME")]);

        // Pt Maria Lopez seen at Mercy General on 03/14/2024 call 617 555 0134 Na 138: 17 tokens, 10 labelled.
        Assert.Equal(17, score.DetectedTokens);
        Assert.Equal(10, score.DetectedLabelledTokens);
        Assert.Equal(10.0 / 17, score.Precision, 6);
        Assert.Equal(1, score.All.Recall);
        Assert.Equal(0, score.Kept);
        Assert.Equal(["Pt", "seen", "at", "on", "call", "Na", "138"], score.FalsePositives.Select(f => f.Token));
    }

    [Fact]
    public void Compute_PrecisionByDetectedKind_CountsWhatEachKindReplacedAndHowMuchOfItWasPhi()
    {
        // "Maria Lopez" (2 tokens, PHI) as NAME; "seen at" (2 tokens, not PHI) as NAME; "Na 138" (2 tokens, not PHI) as ID.
        var text = Small.Text;
        var score = PhiScore.Compute([Small], _ =>
        [
            (text.IndexOf("Maria", StringComparison.Ordinal), "Maria Lopez".Length, "NAME"),
            (text.IndexOf("seen", StringComparison.Ordinal), "seen at".Length, "NAME"),
            (text.IndexOf("Na 138", StringComparison.Ordinal), "Na 138".Length, "ID"),
        ]);

        Assert.Equal([("ID", 2, 0), ("NAME", 4, 2)], score.PrecisionByDetectedKind.Select(k => (k.Kind, k.Tokens, k.Found)));
        Assert.Contains("detected as", score.FormatTable(), StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_WrongKindOrPartialToken_StillCountsTheTokenFound()
    {
        // "Lop" of Lopez detected as a DATE, and the phone's middle group only.
        var score = PhiScore.Compute([Small], note => [(note.Text.IndexOf("Lop", StringComparison.Ordinal), 3, "DATE"), (note.Text.IndexOf("555", StringComparison.Ordinal), 3, "ID")]);

        Assert.Equal(new PhiCategoryScore("NAME", 2, 1), score.Categories.Single(c => c.Kind == "NAME"));
        Assert.Equal(new PhiCategoryScore("PHONE", 3, 1), score.Categories.Single(c => c.Kind == "PHONE"));
        Assert.Equal(
            [("NAME", "Maria", "Maria Lopez"), ("DATE", "03", "03/14/2024"), ("DATE", "14", "03/14/2024"), ("DATE", "2024", "03/14/2024"), ("PHONE", "617", "(617) 555-0134"), ("PHONE", "0134", "(617) 555-0134")],
            score.Misses.Select(m => (m.Kind, m.Token, m.Label)));
        Assert.Equal(1, score.Precision);
    }

    [Fact]
    public void Compute_FacilityNames_AreNeitherMissedWhenKeptNorFalsePositivesWhenRemoved()
    {
        var kept = PhiScore.Compute([Small], note => [.. note.Spans.Where(s => s.Kind != PhiCorpus.Facility).Select(s => (s.Start, s.Length, s.Kind))]);
        var removed = PhiScore.Compute([Small], note => [.. note.Spans.Select(s => (s.Start, s.Length, s.Kind))]);

        Assert.Equal(1, kept.All.Recall);
        Assert.Empty(kept.Misses);
        Assert.Equal(new PhiCategoryScore(PhiCorpus.Facility, 2, 0), kept.FacilityTokens);
        Assert.Equal(1, removed.Precision);
        Assert.Equal(1, removed.Kept);
        Assert.Equal(new PhiCategoryScore(PhiCorpus.Facility, 2, 2), removed.FacilityTokens);
        Assert.DoesNotContain(removed.Categories, c => c.Kind == PhiCorpus.Facility);
    }

    [Fact]
    public void Compute_ClinicalWordDetected_IsAFalsePositiveWithItsContext()
    {
        var score = PhiScore.Compute([Small], note => [(note.Text.IndexOf("Na 138", StringComparison.Ordinal), 2, "NAME")]);

        var fp = Assert.Single(score.FalsePositives);
        Assert.Equal(("small", "NAME", "Na"), (fp.Note, fp.DetectedKind, fp.Token));
        Assert.Contains("0134. Na 138.", fp.Context, StringComparison.Ordinal);
        Assert.Equal(0, score.Precision);
        Assert.Equal((double)(score.ClinicalTokens - 1) / score.ClinicalTokens, score.Kept, 6);
    }

    [Theory]
    [InlineData(-1, 2)]
    [InlineData(0, -1)]
    [InlineData(80, 10)]
    public void Compute_DetectionOutsideTheText_ThrowsNamingTheNote(int start, int length)
    {
        var error = Assert.Throws<ArgumentException>(() => PhiScore.Compute([Small], _ => [(start, length, "NAME")]));

        Assert.StartsWith("small: detection 0 ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FormatTable_ListsEachKindThenTotalsPrecisionAndKept()
    {
        var score = PhiScore.Compute([Small], note => [(note.Text.IndexOf("Maria", StringComparison.Ordinal), 11, "NAME"), (0, 2, "NAME")]);

        var lines = score.FormatTable().Split('\n');

        Assert.Equal(["category", "NAME", "DATE", "PHONE", "all", "FACILITY", "precision:", "detected", "NAME", "clinical"], lines.Select(l => l.Split(' ')[0]));
        Assert.Equal("NAME                       2       2  100.0%", lines[1].TrimEnd());
        Assert.Equal("DATE                       3       0    0.0%", lines[2].TrimEnd());
        Assert.Equal("precision: 66.7% (2 of 3 detected tokens are PHI or facility)", lines[6].TrimEnd());
        Assert.Equal("NAME                       3       2     66.7%", lines[8].TrimEnd());
        Assert.Equal("clinical words kept: 85.7% (6 of 7 unlabelled tokens)", lines[9]);
    }

    [Fact]
    public void FormatDiagnosis_NamesEachMissAndFalsePositive()
    {
        var score = PhiScore.Compute([Small], note => [(0, 2, "NAME")]);

        var diagnosis = score.FormatDiagnosis();

        Assert.Contains("MISS small@3 NAME 'Maria' in 'Maria Lopez'", diagnosis, StringComparison.Ordinal);
        Assert.Contains("FP   small@0 as NAME 'Pt' in '…Pt Maria Lopez", diagnosis, StringComparison.Ordinal);
        Assert.StartsWith("8 missed PHI tokens:", diagnosis, StringComparison.Ordinal);
    }

    [Fact]
    public void Report_WritesTheTableToTheTestOutput()
    {
        var recorded = new RecordingOutput();

        PhiScore.Compute([Small], _ => []).Report(recorded);

        Assert.StartsWith(PhiScore.Compute([Small], _ => []).FormatTable(), Assert.Single(recorded.Lines), StringComparison.Ordinal);
    }

    private sealed class RecordingOutput : ITestOutputHelper
    {
        public List<string> Lines { get; } = [];

        public void WriteLine(string message) => Lines.Add(message);

        public void WriteLine(string format, params object[] args) => Lines.Add(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
    }
}
