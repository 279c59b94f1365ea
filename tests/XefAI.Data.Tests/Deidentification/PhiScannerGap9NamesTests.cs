using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Names whose words are also dictionary words, on sentences written for this test: the commonest American first names
/// and surnames in running text, names in lists, first names after a role, nicknames, names after a label.
/// </summary>
public sealed class PhiScannerGap9NamesTests
{
    [Theory]
    [InlineData("Patient John Smith presented with two days of cough.", "John Smith")]
    [InlineData("Patient Peter White presented to clinic today.", "Peter White")]
    [InlineData("Patient Heather Young presented after a fall.", "Heather Young")]
    [InlineData("Resident Carol Brooks was found on the floor.", "Carol Brooks")]
    [InlineData("Pt. Randy Cooper tolerated the procedure.", "Randy Cooper")]
    [InlineData("John Smith, 45M, presents with chest pain.", "John Smith")]
    [InlineData("Frank Miller (DOB 03/04/1951) seen for follow-up.", "Frank Miller")]
    [InlineData("Amber King MRN 4410982 arrived by ambulance.", "Amber King")]
    [InlineData("Jack Turner was seen in the ED overnight.", "Jack Turner")]
    [InlineData("Roger Hall is a 67-year-old man with COPD.", "Roger Hall")]
    [InlineData("Met with Terry Long and his wife.", "Terry Long")]
    [InlineData("Discussed the plan with Billy Reed, who agreed.", "Billy Reed")]
    [InlineData("Client Mason Ward reports better sleep.", "Mason Ward")]
    public void Scan_CommonFirstNameAndSurnameInRunningText_IsMarkedAsName(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Theory]
    [InlineData("We reviewed the Grace Period for the premium.", "Grace")]
    [InlineData("Mark Site before the procedure.", "Site")]
    [InlineData("Referred to Long Term Care for placement.", "Long")]
    [InlineData("Seen at Mark Hill today.", "Mark")]
    [InlineData("The Young Adult Clinic called.", "Young")]
    [InlineData("will mark white areas on the diagram", "white")]
    public void Scan_TitleCaseOrOrdinaryWords_AreKept(string text, string word) =>
        AssertNotCovered(text, word);

    private static void AssertNotCovered(string text, string word)
    {
        var start = text.IndexOf(word, StringComparison.Ordinal);
        Assert.True(start >= 0, "the word is not in the text");
        Assert.DoesNotContain(Scan(text), s => s.Start < start + word.Length && start < s.Start + s.Length);
    }
}
