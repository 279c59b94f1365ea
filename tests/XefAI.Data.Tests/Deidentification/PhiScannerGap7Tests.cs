using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Gaps of the scanner that the seventh blind corpus showed, each as a pattern on sentences written for this test:
/// ordinary words taken for names in prompts and headings, and names inside file names.
/// </summary>
public sealed class PhiScannerGap7Tests
{
    [Theory]
    [InlineData("Echo showed mild AS and moderate MR. Nephrology (Dr. Whitcombe) advised holding the diuretic.", "Nephrology")]
    [InlineData("[00:01:10] DOCTOR: I think the rash is contact dermatitis.", "I")]
    [InlineData("[00:01:15] PATIENT: No. It started on Tuesday.", "No")]
    [InlineData("Subject: URGENT CONSULT — BRANNIGAN, OTTILIE", "URGENT")]
    [InlineData("RE: Second-level review of the denied claim", "Second")]
    [InlineData("Resident: Mabel Quist   Rm 212-A   Admit 04/05/2024", "Rm")]
    public void Scan_OrdinaryWordAfterACueOrBesideAName_IsNotAName(string text, string word) =>
        AssertNotMarked(text, word);

    [Fact]
    public void Scan_FunctionWordsInALowerCaseQuestion_AreNotNames()
    {
        const string text = "hey can you help me figure out a plan for mrs oyelowo-brant who's been on 20 mg of prednisone since last week "
            + "for her asthma flare, she says her sugars have been high and she wants to know if she can stop on her own before the trip";

        AssertMarked(text, "oyelowo-brant", PhiKind.Name);
        AssertNotMarked(text, "been");
        AssertNotMarked(text, " on ");
    }

    [Theory]
    [InlineData("2025-03-02  quintal_r_2025-03-02_heel.jpg  2.1 x 1.4 cm", "quintal_r")]
    [InlineData("Image saved as PAN_okonkwo_t_20250302.dcm for the chart.", "okonkwo_t")]
    public void Scan_SurnameAndInitialInAFileName_IsMarkedAsName(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Fact]
    public void Scan_ClinicalWordInAFileName_IsNotAName()
    {
        AssertNotMarked("Uploaded wound_l_2025-03-02.jpg to the media tab.", "wound");
    }

    private static void AssertNotMarked(string text, string word)
    {
        var spans = Scan(text);
        var start = text.IndexOf(word, StringComparison.Ordinal);
        Assert.True(start >= 0, "the word is not in the text");
        Assert.DoesNotContain(spans, s => s.Start < start + word.Length && start < s.Start + s.Length);
    }
}
