using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Round 22, on sentences written for this test: festivals and powwows, two-word holidays, names written surname first
/// after a label or an NPI, a claim's spaced service dates, lower-case domain logins, towns ending in "Point", a relative's
/// full name, capital speaker labels, streets after "on", years and words misread by OCR; and the words that stay.
/// </summary>
public sealed class PhiScannerGap22Tests
{
    [Theory]
    [InlineData("Knee gave out at the Blueberry Festival last summer.", "Blueberry Festival")]
    [InlineData("Rash started during the Lumberjack Fest with the kids.", "Lumberjack Fest")]
    [InlineData("She wants to be home before the Sturgeon Ceremony if possible.", "Sturgeon Ceremony")]
    [InlineData("He helps set up the Kiowa-Comanche Powwow grounds every year.", "Kiowa-Comanche Powwow")]
    [InlineData("Sick around the Lakota Pow-wow with a cough.", "Lakota Pow-wow")]
    public void Scan_FestivalOrPowwow_IsMarkedAsDate(string text, string festival) =>
        AssertMarked(text, festival, PhiKind.Date);

    [Theory]
    [InlineData("Festival Grounds first aid tent staffed by two nurses.", "Festival")]
    [InlineData("Opening Ceremony\nThe patient was seen at noon.", "Ceremony")]
    [InlineData("Discussed the Wellness Festival flyer with her.", "Wellness")]
    public void Scan_FestivalWordWithoutTimeCue_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Fasted for Yom Kippur and felt faint after.", "Yom Kippur")]
    [InlineData("Fell on the ice after All Souls at the cemetery.", "All Souls")]
    [InlineData("Plans to visit for the New Year's dinner with family.", "New Year's")]
    [InlineData("Last tetanus shot after the Green Corn dance.", "Green Corn")]
    public void Scan_TwoWordHoliday_IsMarkedAsDate(string text, string holiday) =>
        AssertMarked(text, holiday, PhiKind.Date);

    [Theory]
    [InlineData("Diet: green corn and squash from the garden.", "corn")]
    [InlineData("Volunteers at All Souls Church on weekends.", "Souls")]
    public void Scan_HolidayWordsAsOrdinaryWords_StayUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Pt TALLCHIEF, MARGARET \"PEG\" A   MRN 55123", "TALLCHIEF, MARGARET \"PEG\" A")]
    [InlineData("Employee: Whitebird, Tommy J.   Badge 4412", "Whitebird, Tommy J.")]
    [InlineData("  12 01 26  11  99213   1  155.00  1902837465 STONE, HARMONY", "STONE, HARMONY")]
    [InlineData("RE: W1LLOUGHBY, KATR1NA  -- please call", "W1LLOUGHBY, KATR1NA")]
    public void Scan_SurnameFirstAfterLabelOrNpi_IsMarkedAsName(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Fact]
    public void Protect_SurnameFirstThenSurnameAlone_GetTheSamePlaceholder()
    {
        var output = Protect("Employee: Whitebird, Tommy J.   Badge 4412\nMr. Whitebird was seen after the fall.");
        var lines = output.Split('\n');
        var surname = lines[0][lines[0].IndexOf('[', StringComparison.Ordinal)..(lines[0].IndexOf(']', StringComparison.Ordinal) + 1)];

        Assert.DoesNotContain("Whitebird", output, StringComparison.Ordinal);
        Assert.Contains(surname, lines[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RE: PRIOR AUTHORIZATION, URGENT review requested", "AUTHORIZATION")]
    [InlineData("Patient: CONFIDENTIAL, DO NOT FAX", "CONFIDENTIAL")]
    public void Scan_CapitalWordsAfterLabel_StayUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Fact]
    public void Scan_ClaimRowOpeningWithSpacedDate_IsMarked()
    {
        const string Text = "24.  DOS        POS CPT    Units\n  10 05 26  11  99214   1\n  10 12 26  11  99213   1\n";
        AssertMarked(Text, "10 05 26", PhiKind.Date);
        AssertMarked(Text, "10 12 26", PhiKind.Date);
    }

    [Fact]
    public void Scan_RowOfSmallNumbersWithoutDateHeader_StaysUnmarked() =>
        AssertNotCovered("Pulses by site\n  10 12 14  bpm over three checks\n", "10 12 14");

    [Theory]
    [InlineData("Report exported by nwhc\\jtallman 2026-11-02 08:00", "nwhc\\jtallman")]
    [InlineData("Result called by lab.north\\bgreywolf at 09:12.", "lab.north\\bgreywolf")]
    [InlineData("Printed 11/02/2026 10:11 by ccmc\\rmoses4", "ccmc\\rmoses4")]
    [InlineData("dictated, trans mtx_kredcloud", "mtx_kredcloud")]
    public void Scan_LoginAfterBy_IsMarkedAsId(string text, string login) =>
        AssertMarked(text, login, PhiKind.Id);

    [Theory]
    [InlineData("Saved under \\share\\clinic\\forms for the team.", "clinic")]
    [InlineData("Pressure points checked and\\or padded.", "padded")]
    public void Scan_PathOrSlashWords_StayUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Came over from Gull Point on the ferry.", "Gull Point")]
    [InlineData("Fishes Tulalip/Hibulb Point in the spring.", "Hibulb Point")]
    public void Scan_TownEndingInPoint_IsMarked(string text, string town) =>
        AssertCovered(text, town);

    [Theory]
    [InlineData("Trigger point injection at the Trigger Point clinic.", "Trigger")]
    [InlineData("Tenderness at McBurney's point, worse at Access Point.", "Access")]
    public void Scan_PointThatIsNoTown_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Wife Serenity Tallbear called from the farm.", "Serenity Tallbear")]
    [InlineData("Neighbour Clover Oldhorn found him in the yard.", "Clover Oldhorn")]
    public void Scan_RelativeWithFullName_IsMarkedAsName(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Theory]
    [InlineData("His wife Doña Milagros stayed at bedside.", "Doña")]
    [InlineData("Mother Superior Allergies reviewed today.", "Allergies")]
    public void Scan_HonorificOrClinicalAfterRelative_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Fact]
    public void Scan_CapitalSpeakerLabelThatRepeatsAName_IsMarked()
    {
        const string Text = "Clinician: Anneliese Brunnhofer, LCSW\nBRUNNHOFER: How was the week?\nPATIENT: Hard.\n";
        AssertMarked(Text, "BRUNNHOFER", PhiKind.Name);
        AssertNotCovered(Text, "PATIENT");
    }

    [Theory]
    [InlineData("She lives with her son on Spruce, needs a ride home.", "Spruce")]
    [InlineData("Found walking on Bridge without shoes.", "Bridge")]
    [InlineData("His daughter is on Depot in Duluth, ten minutes away.", "Depot")]
    public void Scan_StreetAfterOnWithLivingWord_IsMarked(string text, string street) =>
        AssertMarked(text, street, PhiKind.Address);

    [Theory]
    [InlineData("Lives with her husband in a brick house on Tanner Hollow (two steps in).", "Tanner Hollow")]
    [InlineData("Cutting brush off Beaver Run in the afternoon.", "Beaver Run")]
    [InlineData("The kids want dinner at my house on Fourth St like every year.", "Fourth St")]
    public void Scan_TwoWordStreetAfterOnOrOff_IsMarked(string text, string street) =>
        AssertMarked(text, street, PhiKind.Address);

    [Fact]
    public void Scan_KindOfStreetInLowerCase_StaysOutsideTheStreet()
    {
        const string Text = "Grandmother lives on Pecan Grove road in Thibodaux.";
        AssertMarked(Text, "Pecan Grove", PhiKind.Address);
        AssertNotCovered(Text, "road");
    }

    [Fact]
    public void Scan_JsonNameKeys_AreMarkedAsNames()
    {
        const string Text = "{ \"name\": { \"family\": \"Abdel Rahim\", \"given\": [\"Salma\", \"Noor\"] }, \"language\": \"Arabic\" }";
        AssertMarked(Text, "Abdel Rahim", PhiKind.Name);
        AssertMarked(Text, "Salma", PhiKind.Name);
        AssertMarked(Text, "Noor", PhiKind.Name);
        AssertNotCovered(Text, "Arabic");
    }

    [Theory]
    [InlineData("He lives alone and is on Eliquis, adherent.", "Eliquis")]
    [InlineData("Continues on Lasix at home.", "Lasix")]
    public void Scan_DrugAfterOn_StaysUnmarked(string text, string drug) =>
        AssertNotCovered(text, drug);

    [Theory]
    [InlineData("Retired trucker from Wamego with a chronic cough.", "Wamego")]
    [InlineData("Drove down from Tonasket for the scan.", "Tonasket")]
    public void Scan_SmallTownAfterFrom_IsMarked(string text, string town) =>
        AssertMarked(text, town, PhiKind.Location);

    [Theory]
    [InlineData("Screened with the Edinburgh Postnatal Depression Scale, score 4.", "Edinburgh")]
    [InlineData("He is a Volga German farmer, Catholic.", "Volga")]
    public void Scan_PlaceNamingAScaleOrAPeople_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Arrived by the ferry boat Island Belle II this morning.", "Island Belle II")]
    [InlineData("Slipped on the deck of his skiff \"Sea Pigeon 2\" hauling pots.", "Sea Pigeon 2")]
    [InlineData("Medevac from the F/V Arctic Dawn near Akutan.", "Arctic Dawn")]
    public void Scan_BoatName_IsMarkedAsId(string text, string boat) =>
        AssertMarked(text, boat, PhiKind.Id);

    [Theory]
    [InlineData("CT: chronic small vessel ischemic changes, no bleed.", "ischemic")]
    [InlineData("Waiting for the boat Dock crew to open up.", "Dock")]
    public void Scan_VesselOrBoatWithoutAName_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Fact]
    public void Scan_OcrYearAfterMonth_IsMarked() =>
        AssertMarked("Prior therapy: methotrexate Feb 2O24 - Oct 2O24; stopped.", "Feb 2O24", PhiKind.Date);

    [Fact]
    public void Scan_FaxReadByOcr_IsScannedWithItsDigitsReadBack()
    {
        const string Text = "REFERRAL -- Med1caid pat1ent, fam1ly aware.\nT0: Dr. W1NONA REDH0RSE\nCT l2/l9 showed a n0dule; see bef0re Chr1stmas.";
        AssertMarked(Text, "W1NONA REDH0RSE", PhiKind.Name);
        AssertMarked(Text, "l2/l9", PhiKind.Date);
        AssertMarked(Text, "Chr1stmas", PhiKind.Date);
        AssertNotCovered(Text, "n0dule");
    }

    [Fact]
    public void Scan_DiabetesAbbreviationsAreNoOcr_StayUnmarked()
    {
        const string Text = "HPI: T1DM since age 9. FH: father T1DM. Assessment: T1DM with DKA, HbA1c 11.2%.";
        AssertNotCovered(Text, "T1DM");
        AssertNotCovered(Text, "HbA1c");
    }

    [Fact]
    public void Scan_DictatedDayAndItsCorrection_AreMarked()
    {
        const string Text = "recheck labs and see her back on the twelfth no make that the twenty second thanks";
        AssertMarked(Text, "twelfth", PhiKind.Date);
        AssertMarked(Text, "twenty second", PhiKind.Date);
    }

    [Theory]
    [InlineData("lesion abuts the fourth ventricle then extends", "fourth")]
    [InlineData("make that the second dose not the first", "second")]
    public void Scan_OrdinalThatCountsANoun_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Widower (wife Marisol d. 3/94). Lives alone.", "3/94")]
    [InlineData("Had a stent placed June of '18 at the VA.", "June of '18")]
    public void Scan_MonthAndShortYear_IsMarkedAsDate(string text, string date) =>
        AssertMarked(text, date, PhiKind.Date);

    [Theory]
    [InlineData("{\"birthDate\": \"1931-07\", \"gender\": \"female\"}", "1931-07")]
    [InlineData("OBX|1|ST|DEVICE^^L||ICD placed 2023-05||||||F", "2023-05")]
    public void Scan_YearMonthAsJsonValueOrHl7Field_IsMarked(string text, string date) =>
        AssertMarked(text, date, PhiKind.Date);
}
