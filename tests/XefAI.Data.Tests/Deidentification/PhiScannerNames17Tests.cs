using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Round 17, on sentences written for this test: a given name and a surname that the lists also know as ordinary or
/// eponym words ("John Smith", "Tom Bell"), in title case mid-sentence, and a given name addressed alone after a comma;
/// and the eponyms, institutions and ordinary words that stay.
/// </summary>
public sealed class PhiScannerNames17Tests
{
    [Theory]
    [InlineData("Be brief, John Smith", "John Smith")]
    [InlineData("Thanks, John Smith", "John Smith")]
    [InlineData("Be kind, John Smith, he is scared.", "John Smith")]
    [InlineData("Write to John Smith", "John Smith")]
    [InlineData("Write to John Baker", "John Baker")]
    [InlineData("Write to Tom Bell", "Tom Bell")]
    [InlineData("Write to John Colles", "John Colles")]
    [InlineData("Please ask Will Cook about the refill.", "Will Cook")]
    [InlineData("Send the summary to Mark Hill.", "Mark Hill")]
    [InlineData("Forward the note to Rose Wood and the team.", "Rose Wood")]
    [InlineData("The results went to Jack King by fax.", "Jack King")]
    [InlineData("Cc Guy Smith on the reply.", "Guy Smith")]
    [InlineData("Spoke to Pat Wood yesterday about the dressing.", "Pat Wood")]
    [InlineData("Please page Ray Hill, he is on call.", "Ray Hill")]
    [InlineData("Call Bill Baker about the invoice.", "Bill Baker")]
    [InlineData("Thanks John Smith", "John Smith")]
    public void Scan_GivenNameAndSurnameThatAreAlsoWords_AreMarked(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Theory]
    [InlineData("Be brief, John.", "John")]
    [InlineData("Be kind, John, he is scared.", "John")]
    [InlineData("Thanks, Bill!", "Bill")]
    [InlineData("Keep it short, Will.", "Will")]
    [InlineData("Good work today, Rose", "Rose")]
    public void Scan_GivenNameAddressedAfterComma_IsMarked(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Theory]
    [InlineData("She has Bell's palsy on the left.", "Bell")]
    [InlineData("Colles' fracture of the right wrist.", "Colles")]
    [InlineData("Smith fracture after a fall.", "Smith")]
    [InlineData("Baker's cyst behind the knee.", "Baker")]
    [InlineData("Ultrasound shows a Baker cyst.", "Baker")]
    [InlineData("Findings consistent with Bell palsy.", "Bell")]
    [InlineData("Will you call the pharmacy?", "Will")]
    [InlineData("Mark the chart as reviewed.", "Mark")]
    [InlineData("Ray of light in the clinic.", "Ray")]
    [InlineData("Pat dry after bathing.", "Pat")]
    [InlineData("Visit the Rose Garden with family.", "Rose")]
    [InlineData("Referred by Mark Twain Hospital for rehab.", "Mark")]
    [InlineData("Seen at John Muir Health last year.", "Health")]
    [InlineData("Cultures grew Staphylococcus Aureus today.", "Aureus")]
    [InlineData("Apples, Rose, and pears were on the tray.", "Rose")]
    [InlineData("In the hallway, Will and grace were discussed.", "Will")]
    [InlineData("Summary for Blue Sky clinic staff", "Blue")]
    public void Scan_EponymsInstitutionsAndOrdinaryWords_AreNotNames(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("We buried him at Rose Hill last spring.", "Rose")]
    [InlineData("Drove up from Sandy Springs for the visit.", "Sandy")]
    public void Scan_CommonNamePairThatIsAPlace_IsNotTakenForAPerson(string text, string word) =>
        AssertNotMarkedAsName(text, word);

    private static void AssertNotMarkedAsName(string text, string word)
    {
        var at = text.IndexOf(word, StringComparison.Ordinal);
        Assert.True(at >= 0);
        Assert.DoesNotContain(Scan(text), s => s.Kind == PhiKind.Name && s.Start <= at && at < s.Start + s.Length);
    }
}
