using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Round 12 of places, plates and ages, on sentences written for this test: street lines without a suffix before a
/// state and ZIP, state and farm roads, creeks and lakes, avenues by an ordinal, towns after a street or before a ZIP,
/// the state before a plate or licence, a plate after a vehicle word, a spelled age after a birth date; and the words
/// that stay.
/// </summary>
public sealed class PhiScannerGap12PlacesTests
{
    [Theory]
    [InlineData("Home Care Visit\nAddress: 2207 Elm, Merrill WI 54452\nPresent: pt and wife", "2207 Elm")]
    [InlineData("Harbor View Family Practice\n9120 W Carson\nLubbock, TX 79416", "9120 W Carson")]
    [InlineData("Northside Clinic\n77 Orchard · Bangor, Maine 04401\nPhone 207-555-0100", "77 Orchard")]
    [InlineData("Ridge Medicine\n   38 Quarry        Barre, VT 05641\n", "38 Quarry")]
    public void Scan_StreetLineWithoutSuffixBeforeStateAndZip_IsMarkedAsStreet(string text, string street) =>
        AssertMarked(text, street, PhiKind.Address);

    [Theory]
    [InlineData("She lives in a trailer off WV 3 past the school.", "WV 3")]
    [InlineData("Family farm is near FM 1017 east of town.", "FM 1017")]
    [InlineData("Rollover on County Road 212 at dusk.", "County Road 212")]
    public void Scan_StateOrFarmRoad_IsMarkedAsStreet(string text, string street) =>
        AssertCovered(text, street);

    [Theory]
    [InlineData("He lives up Bearwallow Creek with his brother.", "Bearwallow Creek")]
    [InlineData("Spends summers at a cabin on Round Lake fishing.", "Round Lake")]
    [InlineData("They drove over Black Mountain in the snow.", "Black Mountain")]
    [InlineData("Her people live up Laurel Fork past the church.", "Laurel Fork")]
    public void Scan_NamedCreekLakeOrMountainAfterPlaceWord_IsMarkedAsStreet(string text, string street) =>
        AssertMarked(text, street, PhiKind.Address);

    [Theory]
    [InlineData("Follow-up is at the 14th Ave clinic on Monday.", "14th Ave")]
    [InlineData("The shelter on\nHolloway Ave is a support.", "Holloway Ave")]
    public void Scan_AvenueByOrdinalOrName_IsMarkedAsStreet(string text, string street) =>
        AssertMarked(text, street, PhiKind.Address);

    [Theory]
    [InlineData("Her house is off FM 1017 near Zapatilla and she drives in weekly.", "Zapatilla")]
    [InlineData("They live up Laurel Fork past Tolliver, an hour out.", "Tolliver")]
    [InlineData("Winters at a camp on Round Lake (St. Francisville).", "St. Francisville")]
    [InlineData("Lives with his niece in Hamtramck 48212.", "Hamtramck")]
    [InlineData("Transferred from St. Cloud yesterday.", "St. Cloud")]
    public void Scan_TownAfterStreetOrBeforeZip_IsMarked(string text, string town) =>
        AssertMarked(text, town, PhiKind.Location);

    [Fact]
    public void Scan_TownBeforeZip_MarksTheZip() =>
        AssertMarked("Lives with his niece in Hamtramck 48212.", "48212", PhiKind.Zip);

    [Theory]
    [InlineData("Pt's pickup (son's) MN 518-TKW parked in lot B.", "MN 518-TKW")]
    [InlineData("Their car (NH 4410 QX) is in the garage.", "NH 4410 QX")]
    [InlineData("Drives a van, OH 7ZK2219, for work.", "OH 7ZK2219")]
    public void Scan_PlateWithStateAfterVehicleWord_IsMarkedAsVehicle(string text, string plate) =>
        AssertCovered(text, plate);

    [Fact]
    public void Scan_StateBeforeDrivingLicence_IsCovered() =>
        AssertCovered("Occupation: long-haul driver (CDL NM 55093317)", "NM 55093317");

    [Theory]
    [InlineData("DOB 3/9/1933 (ninety-three), widowed.", "ninety-three")]
    [InlineData("Born 01/15/1931 (ninety five) per daughter.", "ninety five")]
    public void Scan_SpelledAgeAfterBirthDate_IsMarkedAsAge(string text, string age) =>
        AssertMarked(text, age, PhiKind.Age);

    [Theory]
    [InlineData("Branch: Merrill Patient seen today.", "Branch")]
    [InlineData("Grant application for the maintenance program was denied.", "maintenance")]
    [InlineData("Hope is that the patient improves on 2 units.", "Hope")]
    [InlineData("Started on IV 2 g cefazolin.", "cefazolin")]
    [InlineData("Went back to OR 2 for washout.", "OR")]
    [InlineData("Return in 2 weeks; follow up with MD 3 times a week.", "MD")]
    [InlineData("Patient's car was damaged; no injury, 2 days of soreness.", "days")]
    [InlineData("Seen in Clinic 12345 today.", "Clinic")]
    [InlineData("Age 45 (forty-five) per chart.", "forty")]
    [InlineData("1 Tablet\nTake with food, 2 tablets daily", "Tablet")]
    public void Scan_ClinicalWordsNearTheseCues_AreKept(string text, string word)
    {
        var spans = Scan(text);
        var start = text.IndexOf(word, StringComparison.Ordinal);
        Assert.DoesNotContain(spans, s => s.Start < start + word.Length && s.Start + s.Length > start);
    }
}
