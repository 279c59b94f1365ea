using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Round 25, on sentences written for this test: a month and day stamped with a clock time, a numbered state, county,
/// farm or tribal road, a login made of an initial and a surname, an age of a hundred and more in words after a person,
/// an address's parts in XML elements; and the clinical words and numbers that look like them and stay.
/// </summary>
public sealed class PhiScannerGap25Tests
{
    [Theory]
    [InlineData("[2/11 8:05 pm] Dana: he ate dinner", "2/11")]
    [InlineData("[11/30 14:20] nurse line: fever again", "11/30")]
    [InlineData("Called back 7/9 10:45 am, no answer.", "7/9")]
    public void Scan_MonthDayBeforeClockTime_IsDate(string text, string date) =>
        AssertMarked(text, date, PhiKind.Date);

    [Theory]
    [InlineData("Pain 3/10 at rest, strength 4/5 in the left arm.", "3/10")]
    [InlineData("Pain 3/10 at rest, strength 4/5 in the left arm.", "4/5")]
    [InlineData("Murmur grade 2/6 heard best at the apex.", "2/6")]
    public void Scan_FractionWithoutClockTime_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Address: 2231 CR 415, Hillsdale, WV 25000", "2231 CR 415")]
    [InlineData("Lives at 88 TR 104, Fryburg, OH, with his son.", "88 TR 104")]
    [InlineData("Address: 3907 FM 1960, Spring TX", "3907 FM 1960")]
    public void Scan_HouseNumberOnNumberedRoad_IsAddress(string text, string address) =>
        AssertMarked(text, address, PhiKind.Address);

    [Theory]
    [InlineData("The truck rolled over on SR 112 in the dark.", "SR 112")]
    [InlineData("Found in the ditch off CR 9 after midnight.", "CR 9")]
    [InlineData("Collision on IA-21 near the grain elevator.", "IA-21")]
    [InlineData("BIA 15 washed out, so the nurse could not visit.", "BIA 15")]
    public void Scan_NumberedRoadBesidePlaceWord_IsAddress(string text, string road) =>
        AssertMarked(text, road, PhiKind.Address);

    [Theory]
    [InlineData("Metoprolol SR 50 mg daily on discharge.", "50")]
    [InlineData("Switched to nifedipine CR 30 mg at bedtime.", "30")]
    [InlineData("Echo: TR 2+ with RVSP 40.", "TR")]
    [InlineData("CA-125 was 48 on the last draw.", "CA")]
    [InlineData("Cr 1.4 and BUN 22 on admission.", "Cr")]
    public void Scan_DrugReleaseOrLabLookingLikeRoad_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Result called to the floor, read back, by jwhitaker.", "jwhitaker")]
    [InlineData("Scribe: rgonzalez3", "rgonzalez3")]
    [InlineData("Released after review by pharm-ops-dmorrison at 10:02.", "pharm-ops-dmorrison")]
    [InlineData("\"enteredBy\": \"bkowalski\",", "bkowalski")]
    [InlineData("Scribe Nadia Quartey (nquartey) present for the visit.", "nquartey")]
    public void Scan_InitialAndSurnameLogin_IsId(string text, string login) =>
        AssertMarked(text, login, PhiKind.Id);

    [Theory]
    [InlineData("Ozzie (pharm) is adjusting the insulin.", "pharm")]
    [InlineData("Wound care by protocol (dressing) daily.", "dressing")]
    [InlineData("Seen by cardiology (tachycardia) today.", "tachycardia")]
    public void Scan_LowerCaseWordInBracketsOrAfterBy_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Her aunt Winifred Hale is one hundred and two and still bakes.", "one hundred and two")]
    [InlineData("His grandmother Ida Moser, one hundred, came to the visit.", "one hundred")]
    [InlineData("Grandfather is a hundred this spring.", "a hundred")]
    public void Scan_HundredInWordsAfterPerson_IsAge(string text, string age) =>
        AssertMarked(text, age, PhiKind.Age);

    [Theory]
    [InlineData("Glucose was one hundred and ten after breakfast.", "hundred")]
    [InlineData("Walked one hundred feet with the walker.", "hundred")]
    public void Scan_HundredAsMeasure_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    private const string MarkupAddress =
        "<Address><AddressLine1>40 Quarry Hill Ln</AddressLine1><City>Elkwood</City><PostalCode>22718</PostalCode></Address>";

    [Fact]
    public void Scan_AddressLineElement_IsAddress() => AssertMarked(MarkupAddress, "40 Quarry Hill Ln", PhiKind.Address);

    [Fact]
    public void Scan_CityElement_IsLocation() => AssertMarked(MarkupAddress, "Elkwood", PhiKind.Location);

    [Fact]
    public void Scan_PostalCodeElement_IsZip() => AssertMarked(MarkupAddress, "22718", PhiKind.Zip);

    [Theory]
    [InlineData("<Drug><Strength>500</Strength><Form>Tablet</Form><City>", "Tablet")]
    [InlineData("<Drug><Strength>500</Strength><Form>Tablet</Form></Drug>", "500")]
    public void Scan_OtherMarkupElements_StayUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Her son found her on\nCedar Hollow Rd after the storm.", "Cedar Hollow Rd")]
    [InlineData("Lives alone off Quail Run Trail with two dogs.", "Quail Run Trail")]
    [InlineData("Home: Old Tannery Rd (no house number), Marlow.", "Old Tannery Rd")]
    public void Scan_RoadNamedWithoutNumber_IsAddress(string text, string road) =>
        AssertMarked(text, road, PhiKind.Address);

    [Theory]
    [InlineData("Started on Foley catheter care and Glasgow scale checks.", "Foley")]
    [InlineData("Plan: Road test after the seizure-free interval.", "Road")]
    [InlineData("Stepped on a nail at the Harbor Rd Clinic lot.", "Clinic")]
    public void Scan_ClinicalWordsNearRoadWords_StayUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("she is flying to spokane. back in two weeks", "spokane")]
    [InlineData("we see him at the clinic in bozeman, then home", "bozeman")]
    public void Scan_LowerCaseTownAfterToOrIn_IsLocation(string text, string town) =>
        AssertMarked(text, town, PhiKind.Location);

    [Theory]
    [InlineData("she went to bed. no fever", "bed")]
    [InlineData("pain is worse in flexion, better at rest", "flexion")]
    [InlineData("switched to lisinopril.", "lisinopril")]
    public void Scan_LowerCaseWordAfterToOrIn_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("(0010,0010) PatientName          QUILLER^BRAM^OTTOWAY", "BRAM")]
    [InlineData("(0010,0010) PatientName          QUILLER^BRAM^OTTOWAY", "OTTOWAY")]
    [InlineData("(0008,0090) ReferringPhysician   MARLOWE^TESS^^^", "TESS")]
    public void Scan_CaretNameParts_AreNames(string text, string part) =>
        AssertMarked(text, part, PhiKind.Name);

    [Theory]
    [InlineData("dictated m r i february nineteenth at the imaging center", "february nineteenth")]
    [InlineData("surgery booked march tenth at the surgery center", "march tenth")]
    public void Scan_SpokenMonthAndDayWithoutYear_IsDate(string text, string date) =>
        AssertMarked(text, date, PhiKind.Date);

    [Theory]
    [InlineData("you may first try the inhaler", "first")]
    [InlineData("they march second in line", "second")]
    public void Scan_VerbBeforeOrdinal_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Fact]
    public void Scan_YearAfterDayRange_IsDate() =>
        AssertMarked("Outreach clinic Oct 3-5, 2027 in the gym.", "2027", PhiKind.Date);

    [Fact]
    public void Scan_YearAfterCount_StaysUnmarked() =>
        AssertNotCovered("Smoked 10-20 cigarettes a day, 1998 to now.", "1998");

    [Theory]
    [InlineData("Video visit, meeting 917 4402 8813, passcode sent.", "917 4402 8813")]
    [InlineData("Join the meeting # 662 1093 8140 at noon.", "662 1093 8140")]
    [InlineData("Meeting ID: 844-0291-7736 for the family.", "844-0291-7736")]
    public void Scan_VideoMeetingNumber_IsId(string text, string id) =>
        AssertMarked(text, id, PhiKind.Id);

    [Fact]
    public void Scan_MeetingTimeAndCount_StayUnmarked() =>
        AssertNotCovered("Family meeting 1400 with 3 daughters present.", "1400");

    [Theory]
    [InlineData("Brenna")]
    [InlineData("Joy")]
    public void Scan_NameElementsInMarkup_AreNames(string value) =>
        AssertMarked("<Name><LastName>Quayle</LastName><FirstName>Brenna</FirstName><MiddleName>Joy</MiddleName></Name>", value, PhiKind.Name);

    [Fact]
    public void Scan_GroupElementInMarkup_IsHealthPlan() =>
        AssertMarked("<CardholderID>ZK2281034</CardholderID><GroupID>WESTRX4</GroupID>", "WESTRX4", PhiKind.HealthPlan);

    [Theory]
    [InlineData("school nurse asked for the mrn RQ 7731904 again", "RQ")]
    [InlineData("his mrn QX 5520931. sugar was high", "QX")]
    public void Scan_SitePrefixBeforeCuedRecordNumber_IsMarked(string text, string prefix) =>
        AssertCovered(text, prefix);

    [Fact]
    public void Scan_CueWordBeforeNumber_StaysUnmarked() =>
        AssertNotCovered("Glucose 145 mg/dL, MRN 00418822 on the label.", "mg");

    [Theory]
    [InlineData("She sings in the choir in Pelham Summit on Sundays.", "Pelham Summit")]
    [InlineData("A member of the community of Dorsey Village since birth.", "Dorsey Village")]
    [InlineData("Drove him to Lantern Bay for the ferry.", "Lantern Bay")]
    public void Scan_TwoWordTownEndingInPlaceWord_IsLocation(string text, string town) =>
        AssertMarked(text, town, PhiKind.Location);

    [Theory]
    [InlineData("History of Crohn disease and of Graves disease.", "Graves")]
    [InlineData("Ischemia of the Circle of Willis was excluded.", "Willis")]
    public void Scan_EponymAfterOf_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("we moved, now at 4410 s 21st by the school", "4410 s 21st")]
    [InlineData("New address 318 N. 3rd, same phone.", "318 N. 3rd")]
    public void Scan_HouseNumberDirectionAndOrdinalStreet_IsAddress(string text, string address) =>
        AssertMarked(text, address, PhiKind.Address);

    [Fact]
    public void Scan_CountBeforeOrdinal_StaysUnmarked() =>
        AssertNotCovered("gave 2 x 5th dose of the vaccine", "5th");

    [Fact]
    public void Scan_AddressDictatedDigitByDigit_IsAddress() =>
        AssertMarked("she lives at three one nine oak hollow road with her son period", "three one nine oak hollow road", PhiKind.Address);

    [Fact]
    public void Scan_SpokenCountAfterAt_StaysUnmarked() =>
        AssertNotCovered("he walks at two five minute intervals on the road", "road");
}
