using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Round 26, on sentences written for this test: a year and month, a yearly event after "the", a possessive day, a
/// holiday named with its weekday, a holiday's weekend, a service vehicle's unit code and an aircraft's tail number, the
/// tails of streets, a rural box, a compound surname, a FHIR address's district; and the clinical words, ranges and
/// codes that look like them and stay.
/// </summary>
public sealed class PhiScannerGap26Tests
{
    [Theory]
    [InlineData("Last retinal photo 2022-05, next due in a year.", "2022-05")]
    [InlineData("Meyer,Tomas,1951,2018-11,no change", "2018-11")]
    [InlineData("Knee replaced (1997-04) on the right.", "1997-04")]
    public void Scan_YearAndMonth_IsDate(string text, string date) =>
        AssertMarked(text, date, PhiKind.Date);

    [Theory]
    [InlineData("He coached there in the 2015-16 season.", "2015")]
    [InlineData("Reference ranges per guideline version 2021-10-15 rev 3.", "rev")]
    public void Scan_YearRangeThatCouldBeMonth_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("She twisted her ankle at the Harvest Moon Fair last week.", "Harvest Moon Fair")]
    [InlineData("Asthma worse after the Salmon Bake Festival smoke.", "Salmon Bake Festival")]
    [InlineData("Cut his hand during the Big Sky Fair last August.", "Big Sky Fair")]
    [InlineData("Family will be away for the Bear Dance Days.", "Bear Dance Days")]
    public void Scan_YearlyEventAfterThe_IsDate(string text, string date) =>
        AssertMarked(text, date, PhiKind.Date);

    [Theory]
    [InlineData("We will be at Pioneer's Day, so call us after.", "Pioneer's Day")]
    [InlineData("Fell on Ash Wednesday while shoveling.", "Ash Wednesday")]
    [InlineData("Admitted the day after Good Friday with chest pain.", "Good Friday")]
    public void Scan_NamedDay_IsDate(string text, string date) =>
        AssertMarked(text, date, PhiKind.Date);

    [Theory]
    [InlineData("Booked at St. Luke's Day Surgery for the scope.", "Surgery")]
    [InlineData("Pain is worse on Friday evenings after work.", "evenings")]
    [InlineData("Plan reviewed at the Tumor Board on Tuesday.", "Board")]
    [InlineData("Her glucose was checked at the Health Fair in the gym.", "Health")]
    [InlineData("Gave her the Senior Games Days sign-up sheet.", "Games")]
    public void Scan_ServiceOrHabitBesideDay_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Arrived via Big Horn Ambulance unit BHA-6 at 02:10.", "BHA-6")]
    [InlineData("Taken home by the tribal transit van KT-12 this morning.", "KT-12")]
    [InlineData("Teacher: Mr. Yazzie    Bus: #22", "#22")]
    [InlineData("Fire rescue arrived, unit KCFD Engine 4, and started CPR.", "KCFD Engine 4")]
    [InlineData("Flown out by Life Flight N417MT to the trauma center.", "N417MT")]
    public void Scan_ServiceVehicle_IsVehicle(string text, string vehicle) =>
        AssertMarked(text, vehicle, PhiKind.Vehicle);

    [Theory]
    [InlineData("Transfused 2 unit PRBC, Hgb 9.1 after.", "PRBC")]
    [InlineData("Fitted for an N95 mask before the TB room visit.", "N95")]
    [InlineData("Admitted to unit 4W, bed 12, on telemetry.", "4W")]
    [InlineData("Report given to the ICU unit RN at shift change.", "RN")]
    public void Scan_UnitOrMaskLookingLikeVehicle_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Lives on 88th Ave NE with her sister.", "88th Ave NE")]
    [InlineData("Address: 4100 52nd St SW, Minot", "4100 52nd St SW")]
    [InlineData("Mailing: Box 318, Lodge Grass, MT 59050", "Box 318")]
    [InlineData("Second home: 512 E Broadway, Culbertson", "512 E Broadway")]
    public void Scan_StreetWithoutUsualShape_IsAddress(string text, string street) =>
        AssertMarked(text, street, PhiKind.Address);

    [Theory]
    [InlineData("Home: 22 Birch Ave #3, Havre, MT", "#3")]
    [InlineData("Address: 9 County Rd 17, Froid, MT", "17")]
    public void Scan_NumberAfterStreet_IsAddress(string text, string part) =>
        AssertMarked(text, part, PhiKind.Address);

    [Theory]
    [InlineData("Wound: 2 cm x 1 cm, 3 S Lateral edge, clean.", "Lateral")]
    [InlineData("Given 500 mL NS bolus, then 20 mEq KCl.", "NS")]
    [InlineData("BP 128/76 on 3rd day of therapy, no PRN doses.", "day")]
    public void Scan_ClinicalTextLookingLikeStreet_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Sex: F     Age at admission: 94     Code status: DNR", "94")]
    [InlineData("Thank you for the help. I am 91. -- Walt", "91")]
    [InlineData("Her grandmother is 98, and still walks to church.", "98")]
    public void Scan_OldAgeAfterLabelOrSpeaker_IsAge(string text, string age) =>
        AssertMarked(text, age, PhiKind.Age);

    [Theory]
    [InlineData("Oxygen saturation is 92. Repeat on room air.", "92")]
    [InlineData("Age: 44     Weight (kg): 96", "96")]
    [InlineData("His heart rate is 104, regular.", "104")]
    public void Scan_MeasureLookingLikeOldAge_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Address: 77 Blue Heron Way #6, Wolf Point, MT", "#6")]
    [InlineData("Lives off 5 Crooked Pine Rd, Harlem, MT 59526", "Pine Rd")]
    [InlineData("we r at 4420 w 147th since monday", "147th")]
    [InlineData("Picked up by Valley Ambulance unit VA-9.", "VA-9")]
    public void Scan_StreetsAndUnitsBeforePunctuation_AreMarked(string text, string phi) =>
        AssertCovered(text, phi);

    [Theory]
    [InlineData("ok we go to my sister for eid al fitr, back sunday", "eid al fitr")]
    [InlineData("he fasts on arafat day so no metformin that morning", "arafat day")]
    [InlineData("Interviews held May 4 and 6, 2026 at the jail.", "May 4 and 6, 2026")]
    public void Scan_FeastsAndSecondDays_AreDates(string text, string date) =>
        AssertMarked(text, date, PhiKind.Date);

    [Theory]
    [InlineData("Labs on May 4 and 6 units of insulin given.", "units")]
    [InlineData("Clinic was busy on May 4 and 12 patients waited over an hour.", "12")]
    public void Scan_WordsNearFeastsOrDays_StayUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Fact]
    public void Scan_SecondWordOfCompoundSurname_IsName() =>
        AssertMarked("Daughter Marlene Many Feathers drove her in.", "Feathers", PhiKind.Name);

    [Fact]
    public void Scan_FhirAddressDistrict_IsLocation() =>
        AssertMarked("\"address\": [ { \"city\": \"Chinle\", \"district\": \"Apache\", \"state\": \"AZ\" } ]", "Apache", PhiKind.Location);

    [Theory]
    [InlineData("Red blood cells transfused; White Blood Cell count normal.", "Blood")]
    [InlineData("Glasgow Coma Scale 15, no Babinski sign.", "Coma")]
    public void Scan_ColourWordsInClinicalText_StayUnmarked(string text, string word) =>
        AssertNotCovered(text, word);
}
