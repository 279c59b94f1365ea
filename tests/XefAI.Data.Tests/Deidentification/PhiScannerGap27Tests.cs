using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Round 27, on sentences written for this test: service vehicles by kind and number, lettered plates, identifiers and
/// ZIP codes and addresses spelled in a dictation, a table's age column, a JSON county, a surname before a given name in a row, domain
/// and dotted logins, serials after "S/N", a town and ZIP code after a street, events with particles or a date after
/// them, county-road letters, mile roads and markers, grid streets; and the clinical words and numbers that look like
/// them and stay.
/// </summary>
public sealed class PhiScannerGap27Tests
{
    [Theory]
    [InlineData("Brought in by Lyon County EMS (Medic 14) after the fall.", "Medic 14")]
    [InlineData("Mode of arrival: EMS (KCFD Rescue 2), collar in place.", "KCFD Rescue 2")]
    [InlineData("The clinic shuttle (KT Transit 5) brings him Tuesdays.", "KT Transit 5")]
    [InlineData("Her ride is the tribal van (Tribal CHR Van 2) at noon.", "Tribal CHR Van 2")]
    [InlineData("Ground ALS, county EMS unit Medic 9, two medics.", "Medic 9")]
    [InlineData("Refused Eagle Air (N772QD) because of icing.", "N772QD")]
    [InlineData("Car is in the east lot, FL tag BKT 7M2, unlocked.", "BKT 7M2")]
    public void Scan_ServiceVehicleOrPlate_IsVehicle(string text, string vehicle) =>
        AssertMarked(text, vehicle, PhiKind.Vehicle);

    [Theory]
    [InlineData("Rescue: midazolam nasal 5 mg kept in the office.", "midazolam")]
    [InlineData("Rescue 2 mg IN midazolam if seizure lasts five minutes.", "Rescue")]
    [InlineData("Engine oil fumes at work, no mask.", "Engine")]
    [InlineData("Transit time 48 hours on the marker study.", "Transit")]
    public void Scan_UnitWordInClinicalText_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("case scheduled under posting k t three one five nine two period", "k t three one five nine two")]
    [InlineData("the accession is r m two six zero one one four period", "r m two six zero one one four")]
    public void Scan_SpelledIdentifierInDictation_IsId(string text, string id) =>
        AssertMarked(text, id, PhiKind.Id);

    [Theory]
    [InlineData("her son drives a truck plate six two w q d no correction six two w q b period", "six two w q d")]
    [InlineData("her son drives a truck plate six two w q d no correction six two w q b period", "six two w q b")]
    public void Scan_SpelledPlateAndItsCorrection_IsVehicle(string text, string plate) =>
        AssertMarked(text, plate, PhiKind.Vehicle);

    [Fact]
    public void Scan_ZipSpokenAfterState_IsZip() =>
        AssertMarked("lives in ogden utah eight four four zero one comma phone on file", "eight four four zero one", PhiKind.Zip);

    [Fact]
    public void Scan_SpokenGridAddress_IsAddress() =>
        AssertMarked("she lives at one two five zero north three hundred west in town", "one two five zero north three hundred west", PhiKind.Address);

    [Fact]
    public void Scan_AgeColumnOfTable_IsAge() =>
        AssertMarked("| # | Name | Age | Town |\n|---|---|---|---|\n| 1 | pending | 94 | x |\n| 2 | pending | 71 | y |", "94", PhiKind.Age);

    [Theory]
    [InlineData("she had a grade two a sprain in the fall period", "sprain")]
    [InlineData("number of falls is two or three a year", "falls")]
    public void Scan_LettersAndNumbersInDictation_StayUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Fact]
    public void Scan_JsonCounty_IsLocation() =>
        AssertMarked("""{ "city": "Garnett", "county": "Anderson", "state": "KS" }""", "Anderson", PhiKind.Location);

    [Theory]
    [InlineData("| 4 | Badger, Lorraine   | 3/2/1931 | homebound |", "Badger")]
    [InlineData("| 12 | Heron, Agnes | 91 |", "Heron")]
    public void Scan_SurnameBeforeGivenInRow_IsName(string text, string surname) =>
        AssertMarked(text, surname, PhiKind.Name);

    [Theory]
    [InlineData("Hi, John, thanks for the update on the labs.", "Hi")]
    [InlineData("Hypertension, Mary reports good control.", "Hypertension")]
    public void Scan_WordBeforeNameInProse_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Result verified by LIS user HOSP\\mkeller at 07:10.", "HOSP\\mkeller")]
    [InlineData("""{ "exportedBy": "rx-sync-job\\svc_pull" }""", """rx-sync-job\\svc_pull""")]
    [InlineData("Report printed 06:55 by hsc.rad.print at the front desk.", "hsc.rad.print")]
    [InlineData("Scribe: scr.tnguyen4 for the attending.", "scr.tnguyen4")]
    public void Scan_Login_IsId(string text, string login) =>
        AssertMarked(text, login, PhiKind.Id);

    [Theory]
    [InlineData("Saved the scan to C:\\Images\\knee.dcm for review.", "knee")]
    [InlineData("Given by mouth. Then observed.", "mouth")]
    [InlineData("Filed under audits\\weekly for the committee.", "audits")]
    public void Scan_PathOrProseNearLoginShape_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Ventilator S/N 440198 swapped for a loaner.", "440198")]
    [InlineData("Analyzer S/N: 2207-13 calibrated today.", "2207-13")]
    public void Scan_SerialAfterSn_IsDevice(string text, string serial) =>
        AssertMarked(text, serial, PhiKind.Device);

    [Theory]
    [InlineData("Mail goes to Box 44, Kaltag 99748 since the flood.", "99748")]
    [InlineData("new place is 1190 sw 88 ter, kendall 33176 now", "33176")]
    public void Scan_ZipAfterStreetAndTown_IsZip(string text, string zip) =>
        AssertMarked(text, zip, PhiKind.Zip);

    [Fact]
    public void Scan_TownAfterBoxAndComma_IsLocation() =>
        AssertMarked("Mail goes to Box 44, Kaltag 99748 since the flood.", "Kaltag", PhiKind.Location);

    [Theory]
    [InlineData("He was at the Lac du Flambeau Bear River Powwow when it started.", "Lac du Flambeau Bear River Powwow")]
    [InlineData("She missed the Wild Rice Celebration in August this year.", "Wild Rice Celebration")]
    public void Scan_EventWithParticleOrDate_IsDate(string text, string date) =>
        AssertMarked(text, date, PhiKind.Date);

    [Theory]
    [InlineData("Ask about the Health Fair in the gym.", "Health")]
    [InlineData("Handed her the Fall Festival flyer.", "Festival")]
    public void Scan_KindOfEvent_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Lives off Co Rd JJ near the lake.", "Co Rd JJ")]
    [InlineData("Family farm on Mile 9 Rd north of town.", "Mile 9 Rd")]
    [InlineData("Found at Mile Marker 112, US 83 by a trooper.", "Mile Marker 112, US 83")]
    [InlineData("Address 8120 nw 104 ct, second floor.", "8120 nw 104 ct")]
    [InlineData("Crash at Hwy 62 & E 1040 Rd last night.", "E 1040 Rd")]
    [InlineData("""{ "line": "212 W Main", "city": "Chandler" }""", "212 W Main")]
    public void Scan_RuralOrGridStreet_IsAddress(string text, string street) =>
        AssertMarked(text, street, PhiKind.Address);

    [Theory]
    [InlineData("Taper: 20 mg x 3 d then 10 mg x 3 d.", "mg")]
    [InlineData("CT abd 2 s 5 w 3 ct reviewed.", "reviewed")]
    [InlineData("Grip 4 N 5 kg on the left.", "kg")]
    public void Scan_DosesAndMeasuresLikeStreets_StayUnmarked(string text, string word) =>
        AssertNotCovered(text, word);
}
