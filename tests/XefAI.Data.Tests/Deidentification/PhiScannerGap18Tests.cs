using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Round 18, on sentences written for this test: plates with their state's code, dates with spaces after a date's label,
/// OCR'd slash dates, hyphenated codes after an identifier's label or a '#', logins, holidays of several words, the rest
/// of a hyphenated town; and the words and numbers that stay.
/// </summary>
public sealed class PhiScannerGap18Tests
{
    [Theory]
    [InlineData("Daughter drove her in (plate OH KT 55012) and parked out front.", "OH KT 55012")]
    [InlineData("Brought by ambulance WY 31-7720 from the ranch.", "WY 31-7720")]
    [InlineData("Pickup truck, tag NM 4RT-882, left in lot B.", "NM 4RT-882")]
    public void Scan_PlateWithStateCode_IsMarked(string text, string plate) =>
        AssertMarked(text, plate, PhiKind.Vehicle);

    [Fact]
    public void Scan_StateCodeWithoutVehicleCue_StaysUnmarked() =>
        AssertNotCovered("Moved from OH 12 years ago to be near her son.", "OH");

    [Theory]
    [InlineData("Patient DOB: 03 22 1961   Sex M", "03 22 1961")]
    [InlineData("  A. DOS 10 14 26  B. POS 11", "10 14 26")]
    [InlineData("Date of onset: 09 02 2025", "09 02 2025")]
    public void Scan_SpacedDateAfterDateLabel_IsMarked(string text, string date) =>
        AssertMarked(text, date, PhiKind.Date);

    [Theory]
    [InlineData("Vitals 12 20 98 on arrival, then stable.", "12 20 98")]
    [InlineData("Scores 10 12 14 across the three sessions.", "10 12 14")]
    public void Scan_SpacedNumbersWithoutDateLabel_StayUnmarked(string text, string numbers) =>
        AssertNotCovered(text, numbers);

    [Theory]
    [InlineData("D0B: O3/2l/1957 per the faxed face sheet", "O3/2l/1957")]
    [InlineData("Signed l1/O4/2O25 by the referring office", "l1/O4/2O25")]
    [InlineData("seen ll/3O/24 in clinic", "ll/3O/24")]
    public void Scan_OcrSlashDate_IsMarked(string text, string date) =>
        AssertMarked(text, date, PhiKind.Date);

    [Theory]
    [InlineData("Ratio I/O/ll noted on the flowsheet.", "I/O/ll")]
    [InlineData("Dose 1/2/3 of the series given today.", "1/2/3")]
    public void Scan_SlashRunThatIsNoDate_StaysUnmarked(string text, string run) =>
        AssertNotCovered(text, run);

    [Theory]
    [InlineData("Interpreter Akosua (phone, #61924) for the consent.", "61924")]
    [InlineData("Video interpreter #K-40716 joined at 10:05.", "K-40716")]
    [InlineData("Interpreter ID VRI-5521 in person.", "VRI-5521")]
    [InlineData("Consent Form MHX-RT-204 rev. signed.", "MHX-RT-204")]
    [InlineData("Fundus photo set FP-25-0712-0044 reviewed.", "FP-25-0712-0044")]
    public void Scan_CodeAfterIdLabelOrHash_IsMarked(string text, string code) =>
        AssertMarked(text, code, PhiKind.Id);

    [Theory]
    [InlineData("Filled at Corner Pharmacy #0631 on the square.", "0631")]
    [InlineData("Protocol BRIGHT (IRB #2023-0912) visit two.", "0912")]
    [InlineData("Moved to room #4410 overnight.", "4410")]
    [InlineData("Billed as code 99214-25 for the visit.", "99214")]
    [InlineData("Wound form well-healed at 14 days.", "well")]
    public void Scan_NumberOfPlaceStudyRoomOrCode_StaysUnmarked(string text, string number) =>
        AssertNotCovered(text, number);

    [Theory]
    [InlineData("Printed 10/02/2026 08:15 by jsmithe4", "jsmithe4")]
    [InlineData("Printed by rad_tmolina on 10/02/2026", "rad_tmolina")]
    [InlineData("Coder: kwhitlow   Batch 22", "kwhitlow")]
    [InlineData("D: 10/01/2026 09:12  T: 10/01/2026 11:40 mt_rgaines", "mt_rgaines")]
    public void Scan_Login_IsMarked(string text, string login) =>
        AssertMarked(text, login, PhiKind.Id);

    [Theory]
    [InlineData("Reached by phone after two tries.", "phone")]
    [InlineData("Printed by request of the patient.", "request")]
    public void Scan_WordAfterBy_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Wants surgery done before Lunar New Year if possible.", "Lunar New Year")]
    [InlineData("Fell on Founders Day at the parade.", "Founders Day")]
    [InlineData("Travelling home for Orthodox Christmas with family.", "Orthodox Christmas")]
    [InlineData("Back to work after Carnival Festival week.", "Carnival Festival")]
    [InlineData("Stayed with her sister over New Year's and came back.", "New Year's")]
    [InlineData("Party is on the 9th, Saint Lucy Day, at her niece's.", "Saint Lucy Day")]
    public void Scan_HolidayOfSeveralWords_IsMarked(string text, string holiday) =>
        AssertMarked(text, holiday, PhiKind.Date);

    [Theory]
    [InlineData("Extubated on Post-Op Day 2 without issue.", "Day")]
    [InlineData("Seen on Day 3 of the antibiotic course.", "Day")]
    [InlineData("Attends the Adult Day program three times a week.", "Adult")]
    public void Scan_DayThatIsNoHoliday_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Born in Port-au-Prince and moved at six.", "Port-au-Prince")]
    [InlineData("Her parents still live in Nuku'alofa on the main island.", "Nuku'alofa")]
    public void Scan_HyphenatedTown_IsMarkedWhole(string text, string town) =>
        AssertMarked(text, town, PhiKind.Location);

    [Theory]
    [InlineData("  B71-448-2093   CBC with differential", "B71-448-2093")]
    [InlineData("Delivered a walker, asset WK-7781-3305, to the home.", "WK-7781-3305")]
    public void Scan_LetteredCodeOfThreeGroups_IsMarked(string text, string code) =>
        AssertCovered(text, code);

    [Theory]
    [InlineData("Lot AB-2231-0098 of the vaccine, exp 2027.", "AB")]
    [InlineData("Used a 3-0 Vicryl and a 4-0 Monocryl to close.", "Vicryl")]
    [InlineData("ICD-10-CM codes reviewed with the coder.", "ICD")]
    public void Scan_LotSutureOrCodeSystem_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);
}
