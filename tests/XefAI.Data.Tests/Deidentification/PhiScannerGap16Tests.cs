using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Round 16, on sentences written for this test: towns no list knows after a preposition of place or before a
/// settlement's noun, colonies, roads without a number, routes and grid addresses that start with a direction, ages of
/// ninety and more in words, OCR'd ages and ZIP codes; and the words that stay.
/// </summary>
public sealed class PhiScannerGap16Tests
{
    [Theory]
    [InlineData("Her first child was delivered in Qaraghol after a long labor.", "Qaraghol")]
    [InlineData("Spent the winter near Dusmareb with her aunt.", "Dusmareb")]
    [InlineData("Son phoned from Tavaputs this morning to ask about the plan.", "Tavaputs")]
    [InlineData("Grandfather drowned off Kepuhiwa while diving for octopus.", "Kepuhiwa")]
    public void Scan_UnlistedTownAfterPlacePreposition_IsMarked(string text, string town) =>
        AssertMarked(text, town, PhiKind.Location);

    [Theory]
    [InlineData("Arrived by way of Ifosane camp after four years.", "Ifosane")]
    [InlineData("Her brother still fishes from the Penwick wharf most days.", "Penwick")]
    public void Scan_TownBeforeSettlementNoun_IsMarked(string text, string town) =>
        AssertMarked(text, town, PhiKind.Location);

    [Fact]
    public void Scan_TownAndZipAfterRoad_AreMarked()
    {
        const string text = "Mail the kit to 12 Harbor Ave, Pelunawa 96701 please.";
        AssertMarked(text, "Pelunawa", PhiKind.Location);
        AssertMarked(text, "96701", PhiKind.Zip);
    }

    [Theory]
    [InlineData("Member of Maple Bend Colony, drives a colony van.", "Maple Bend Colony")]
    [InlineData("Her sister married into Thornhill Colony last spring.", "Thornhill Colony")]
    public void Scan_NamedColony_IsMarked(string text, string colony) =>
        AssertMarked(text, colony, PhiKind.Location);

    [Theory]
    [InlineData("He stays at his cousin's on the Quarry Road side of town.", "Quarry Road")]
    [InlineData("The farm sits off Dunmore Rd behind the elevator.", "Dunmore Rd")]
    [InlineData("Clinic is on Route 84 S, past the gas station.", "Route 84 S")]
    [InlineData("They live on S 450 E near the canal.", "S 450 E")]
    public void Scan_RoadWithoutHouseNumber_IsMarked(string text, string road) =>
        AssertMarked(text, road, PhiKind.Address);

    [Fact]
    public void Scan_LetterAfterARouteBeforeALabel_IsNotTheRoute() =>
        AssertNotCovered("Acme Sawmill, Hwy 12 W Employee: Ruiz, Tomas", "W Employee");

    [Theory]
    [InlineData("Her aunt is, she says, like ninety-four now.", "ninety-four")]
    [InlineData("Father-in-law, now ninety, lives with them.", "ninety")]
    [InlineData("She told the nurse she was ninety and two.", "ninety and two")]
    public void Scan_AgeOverEightyNineInWords_IsMarked(string text, string age) =>
        AssertMarked(text, age, PhiKind.Age);

    [Theory]
    [InlineData("Walked for ninety minutes before the pain began.", "ninety")]
    [InlineData("Sat ninety percent on room air, improved with oxygen.", "ninety")]
    [InlineData("Blood pressure one forty over ninety this morning.", "ninety")]
    public void Scan_NinetyAsAMeasure_IsNotAnAge(string text, string word) =>
        AssertNotCovered(text, word);

    [Fact]
    public void Scan_OcrAgeAndZip_AreMarked()
    {
        const string text = "Pt (age 9O) lives at 41 Elm St, Kearney, NE 688l7 with her son.";
        AssertMarked(text, "9O", PhiKind.Age);
        AssertMarked(text, "688l7", PhiKind.Zip);
    }

    [Theory]
    [InlineData("Interview conducted in Kinyarwandese with an interpreter.", "Kinyarwandese")]
    [InlineData("Pneumoperitoneum established via Veress needle at the umbilicus.", "Veress")]
    [InlineData("Renal failure secondary to Balkan nephropathy, on dialysis.", "Balkan")]
    [InlineData("Switched from Coumadin to Eliquis in clinic.", "Eliquis")]
    [InlineData("Main concern is maintenance of the feeding tube.", "Main")]
    [InlineData("Grant application for the lift chair is pending; Hope is what keeps her going.", "Hope")]
    [InlineData("Plated on agar; colony count over 100,000 at 48 hours.", "colony")]
    [InlineData("S 1 S 2 normal, no murmur.", "S 1")]
    public void Scan_ClinicalWordsNearTheCues_Stay(string text, string word) =>
        AssertNotCovered(text, word);
}
