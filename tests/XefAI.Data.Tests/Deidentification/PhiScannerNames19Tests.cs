using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Round 19, on sentences written for this test: a full name opening a sentence before a verb of a person, a given name
/// after a kinship word or a cue of who was reached, nicknames, and a given name learned in full said again alone in
/// lower case or shortened; and the ordinary words, imperatives and places that stay.
/// </summary>
public sealed class PhiScannerNames19Tests
{
    [Theory]
    [InlineData("Rose Bird phoned about her inhaler.", "Rose Bird")]
    [InlineData("Jack Fox called about the bill.", "Jack Fox")]
    [InlineData("Grace Wolf reports less pain today.", "Grace Wolf")]
    [InlineData("Seen today. Dawn Lamb states she is better.", "Dawn Lamb")]
    [InlineData("Will Best is here for the 2pm slot.", "Will Best")]
    [InlineData("Art Bell called twice this morning.", "Art Bell")]
    [InlineData("Ray Fox's wife phoned the desk.", "Ray Fox")]
    public void Scan_FullNameOpeningSentenceBeforePersonVerb_IsMarked(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Theory]
    [InlineData("Her daughter Hope drives her to dialysis.", "Hope")]
    [InlineData("Lives with son Clay and two dogs.", "Clay")]
    [InlineData("His wife Merry manages the pillbox.", "Merry")]
    [InlineData("Plan discussed per Crystal at the front desk.", "Crystal")]
    [InlineData("Spoke with Dawn about the ride home.", "Dawn")]
    [InlineData("Paged Rusty for the pump alarm.", "Rusty")]
    [InlineData("Letters go c/o Faith at the farm.", "Faith")]
    [InlineData("Mail care of Joy at the shelter.", "Joy")]
    [InlineData("dictated: her brother zorvath is ninety and lives alone.", "zorvath")]
    [InlineData("his wife merry says he fell twice.", "merry")]
    [InlineData("Aunt Sissy is driving her home.", "Sissy")]
    public void Scan_GivenNameAfterKinshipOrContactCue_IsMarked(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Theory]
    [InlineData("Mr. Harlan Voss, who goes by Tater, came in alone.", "Tater")]
    [InlineData("Resident aka Sissy per staff.", "Sissy")]
    [InlineData("Arlo \"Bubba\" Quenneville is 71.", "Bubba")]
    [InlineData("New symptoms today. Junior says the cough is worse.", "Junior")]
    [InlineData("Bud called back after lunch.", "Bud")]
    [InlineData("Her uncle stayed and Tater says she ate.", "Tater")]
    [InlineData("Mrs. Quill prefers \"Dottie\" on the ward.", "Dottie")]
    [InlineData("She is known as \"Peaches\" at church.", "Peaches")]
    public void Scan_Nickname_IsMarked(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Theory]
    [InlineData("pt is Penny Okonjo, 40. penny called back at noon.", "penny", 0)]
    [InlineData("Daughter is Hope Okafor. later hope said the rash spread.", "hope", 0)]
    [InlineData("pt is benjamin okafor, 52. ben says the cough is gone.", "ben", 1)]
    [InlineData("Mark Hill called about his refill. Mr. Hill wants a callback.", "Hill", 1)]
    [InlineData("Seen with wife Merry Vance. then merry said he slept well.", "merry", 0)]
    public void Scan_GivenNameLearnedThenAloneInLowerCase_IsMarked(string text, string word, int occurrence) =>
        Assert.True(IsMarkedAt(text, word, occurrence), $"'{word}' #{occurrence} is not marked");

    [Theory]
    [InlineData("Will you call the pharmacy today?", "Will")]
    [InlineData("Mark the chart as reviewed.", "Mark")]
    [InlineData("Bill the visit as a level 3.", "Bill")]
    [InlineData("Grant approved for the home oxygen.", "Grant")]
    [InlineData("The patient prefers \"Sugar Free\" drinks.", "Sugar")]
    [InlineData("Chip the ice for the cup.", "Chip")]
    [InlineData("Hope this helps with the appeal.", "Hope")]
    [InlineData("May I send the refill now?", "May")]
    [InlineData("Sage tea was recommended for the throat.", "Sage")]
    [InlineData("Skip doses if the glucose is low.", "Skip")]
    [InlineData("Junior resident saw the patient.", "Junior")]
    [InlineData("Patient called Pharmacy twice.", "Pharmacy")]
    [InlineData("Spoke with Cardiology about the echo.", "Cardiology")]
    [InlineData("Dosed per Protocol and weight.", "Protocol")]
    [InlineData("Tell Hunter Bell to rest.", "Tell")]
    [InlineData("Mother of two, lives in town.", "Mother")]
    [InlineData("her brother has diabetes too.", "diabetes")]
    [InlineData("my daughter needs a ride.", "needs")]
    public void Scan_OrdinaryWordsAndPlaces_AreNotMarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Her daughter (glargine 10 u at night) is well.", "glargine")]
    [InlineData("90 yo grandmother adm 12/02 for cellulitis.", "adm")]
    [InlineData("Her son Ezekiel has a cold; the sky is clear.", "sky")]
    [InlineData("Seen with wife Merry Vance. Later merry said he slept well.", "Later")]
    [InlineData("Seen with wife Merry Vance. Later, merry said he slept well.", "Later")]
    [InlineData("Rose Hill's parks are closed.", "Rose")]
    [InlineData("her son will call the clinic.", "will")]
    [InlineData("my wife happy about the results.", "happy")]
    public void Scan_PlacesAndWordsAfterCues_AreNoName(string text, string word)
    {
        var at = text.IndexOf(word, StringComparison.Ordinal);
        Assert.DoesNotContain(Scan(text), s => s.Kind == PhiKind.Name && s.Start < at + word.Length && at < s.Start + s.Length);
    }

    [Theory]
    [InlineData("Dr. Penny Okonjo saw her. the penny jar is full.", "penny", 0)]
    [InlineData("Hope Okafor called. i hope is not a plan.", "hope", 0)]
    public void Scan_LearnedGivenNameAsOrdinaryWord_IsNotMarked(string text, string word, int occurrence) =>
        Assert.False(IsMarkedAt(text, word, occurrence), $"'{word}' #{occurrence} is marked");

    // The occurrence-th (0-based) case-sensitive match of the text lies in a name span.
    private static bool IsMarkedAt(string text, string word, int occurrence)
    {
        var at = -1;
        for (var n = 0; n <= occurrence; n++)
        {
            at = text.IndexOf(word, at + 1, StringComparison.Ordinal);
            Assert.True(at >= 0, "the word is not in the text");
        }

        return Scan(text).Exists(s => s.Kind == PhiKind.Name && s.Start <= at && at < s.Start + s.Length);
    }
}
