using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Round 9 of places, identifiers and dates, each as a pattern of US clinical text on sentences written for this test:
/// streets as machine values and with possessives, street corners, postal codes after their key, codes after a cue,
/// phones split by a line wrap, timestamps, year-months, and year ranges that are no identifier.
/// </summary>
public sealed class PhiScannerGap9PlacesTests
{
    [Theory]
    [InlineData("Patient/1 address.line=77 Mokuleia Loop Apt 2, address.city=Hilo", "77 Mokuleia Loop Apt 2")]
    [InlineData("{\"line\": [\"15 Quail Hollow Dr\"], \"city\": \"Macon\"}", "15 Quail Hollow Dr")]
    [InlineData("  street: \"230 Birchwood Ct, Unit 4\"", "230 Birchwood Ct")]
    [InlineData("mailed to 41 Miller's Pond Rd on Monday", "41 Miller's Pond Rd")]
    public void Scan_StreetAsValueOrWithPossessive_IsMarkedAsAddress(string text, string street) =>
        AssertMarked(text, street, PhiKind.Address);

    [Theory]
    [InlineData("address.postalCode=30214, telecom.phone=x", "30214")]
    [InlineData("{\"postalCode\": \"60617\"}", "60617")]
    public void Scan_PostalCodeAfterItsKey_IsMarkedAsZip(string text, string zip) =>
        AssertMarked(text, zip, PhiKind.Zip);

    [Theory]
    [InlineData("picked up at the corner of Maple Ave and Fulton St by EMS", "Maple Ave")]
    [InlineData("picked up at the corner of Maple Ave and Fulton St by EMS", "Fulton St")]
    [InlineData("struck at the intersection of Elm and Grove, per police", "Elm")]
    [InlineData("struck at the intersection of Elm and Grove, per police", "Grove")]
    [InlineData("Pickup point: Linden Blvd / Sutter Ave, 0800", "Linden Blvd")]
    [InlineData("Pickup point: Linden Blvd / Sutter Ave, 0800", "Sutter Ave")]
    public void Scan_StreetCorner_MarksBothStreets(string text, string street) =>
        AssertMarked(text, street, PhiKind.Address);

    [Theory]
    [InlineData("the corner of the bed was wet", "bed")]
    [InlineData("pain at the corner of the mouth", "mouth")]
    [InlineData("Ratio 3 / 4 by report", "4")]
    public void Scan_CornerWithoutStreets_IsKept(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Security officer on scene, badge HPD-41, took report", "HPD-41")]
    [InlineData("courier (tech id MRT-207) delivered the pump", "MRT-207")]
    [InlineData("Interpreter by phone (ID LNG-VRI-88)", "LNG-VRI-88")]
    [InlineData("Unit DIN: W1207 25 330918 4 hung at 14:10", "W1207 25 330918 4")]
    [InlineData("Claim no. (C-file): C 31 602 118   rating pending", "C 31 602 118")]
    [InlineData("FRESHWAY PHARMACY STORE #2281 - refill log", "2281")]
    [InlineData("Registry ID: QKPT442, listed", "QKPT442")]
    [InlineData("deputy responded, badge 1930, no charges", "1930")]
    public void Scan_CodeAfterCue_IsMarkedAsId(string text, string id) =>
        AssertMarked(text, id, PhiKind.Id);

    [Theory]
    [InlineData("ICD-10 code: E11.9, type 2 diabetes", "E11")]
    [InlineData("visit #2 of 6 for PT", "2")]
    [InlineData("cycle 3 of FOLFOX given today", "3")]
    [InlineData("Served US Navy 1969-1973 as a machinist", "1969")]
    public void Scan_ClinicalCodeCountOrYearRange_IsKept(string text, string word) =>
        AssertNotCovered(text, word);

    [Fact]
    public void Scan_PhoneSplitAfterItsHyphen_IsMarkedAsPhone() =>
        AssertMarked("Daughter can be reached at 505-555-\n0192 most evenings.", "505-555-\n0192", PhiKind.Phone);

    [Theory]
    [InlineData("effectiveDateTime=2025-08-09T16:42:05-06:00, status", "2025-08-09T16:42:05-06:00")]
    [InlineData("received: 2025-08-09T16:42:05Z", "2025-08-09T16:42:05Z")]
    [InlineData("insulin glargine (started 2018-11), metformin", "2018-11")]
    public void Scan_TimestampOrYearMonth_IsMarkedAsDate(string text, string date) =>
        AssertMarked(text, date, PhiKind.Date);

    [Theory]
    [InlineData("grandma says at ninety one she's earned her cake", "ninety one")]
    [InlineData("at ninety-four, he still walks to church", "ninety-four")]
    public void Scan_AgeOverEightyNineInWordsBeforeAPerson_IsMarkedAsAge(string text, string age) =>
        AssertMarked(text, age, PhiKind.Age);

    [Fact]
    public void Scan_RateAtNinetyInWords_IsKept() =>
        AssertNotCovered("heart rate holding at ninety two this morning", "ninety");
}
