using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// The place list holds US towns of 1,000 inhabitants and more: a small town's name alone is a place, while a small
/// town's name that is also a name or an ordinary word, or that opens the name of a scale, a score or a tribe, or that is a
/// country's, stays.
/// Sentences written for this test.
/// </summary>
public sealed class PhiScannerSmallTownsTests
{
    [Theory]
    [InlineData("Damariscotta EMS brought him in after the fall.", "Damariscotta")]
    [InlineData("Pt says Homosassa humidity makes the asthma worse.", "Homosassa")]
    [InlineData("Ambulance transfer, Mosinee to the regional center, 40 min.", "Mosinee")]
    [InlineData("Wayzata pharmacy called about the refill.", "Wayzata")]
    public void Scan_TownOfAFewThousand_IsMarkedAsPlace(string text, string town) =>
        AssertMarked(text, town, PhiKind.Location);

    // A town before a lower-case "clinic" is the town, as the labelled corpora have it ("the Pelican Rapids clinic"); only a
    // capitalized facility word makes the town part of a facility's name ("Springfield General Hospital").
    [Fact]
    public void Scan_TownBeforeLowerCaseClinic_IsMarkedAsPlace() =>
        AssertMarked("Summary for Blue Ridge clinic staff", "Blue Ridge", PhiKind.Location);

    [Theory]
    [InlineData("Edinburgh Postnatal Depression Scale 5 at the two-week visit.", "Edinburgh")]
    [InlineData("Enrolled member of the Oglala Sioux Tribe, covered by IHS.", "Oglala")]
    [InlineData("Hope is that she can go home Friday.", "Hope")]
    [InlineData("Stool Bristol type 4, no blood.", "Bristol")]
    public void Scan_TownNameInAnInstrumentTribeOrOrdinaryUse_Stays(string text, string word) =>
        AssertNotCovered(text, word);

    // Norway, Belgium and Switzerland are small US towns too; a country is not PHI, the town before its state is.
    [Theory]
    [InlineData("Travel: Angola 2019, Norway 2021.", "Norway")]
    [InlineData("Moved to Norway last year.", "Norway")]
    [InlineData("Switzerland vacation was uneventful.", "Switzerland")]
    [InlineData("Emigrated from Belgium in 1990.", "Belgium")]
    public void Scan_CountryThatIsAlsoATown_Stays(string text, string country) =>
        AssertNotCovered(text, country);

    [Fact]
    public void Scan_CountryNamedTownBeforeItsState_IsMarkedAsPlace() =>
        AssertMarked("Lives in Norway, ME with her son.", "Norway", PhiKind.Location);
}
