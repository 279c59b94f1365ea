using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Gaps the earlier blind corpora left open, each as a pattern of US clinical text on sentences written for this test:
/// lower-case names after a cue, lower-case streets, provider names in HL7 order and result segments, holidays as dates.
/// </summary>
public sealed class PhiScannerGap8Tests
{
    [Theory]
    [InlineData("pt is maria lopez, 54 yo with chf", "maria lopez")]
    [InlineData("spoke with her daughter rosa about the plan", "rosa")]
    [InlineData("seen by nurse jen this morning", "jen")]
    [InlineData("mother: rosa", "rosa")]
    [InlineData("cc: dr smith", "smith")]
    [InlineData("the dr okafor note says to stop it", "okafor")]
    [InlineData("her husband harold drove her in", "harold")]
    [InlineData("pt: rosalind \"roz\" kettering, 34 y/o", "rosalind")]
    public void Scan_LowerCaseNameAfterCue_IsMarkedAsName(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Theory]
    [InlineData("she has been on the floor since noon", "been")]
    [InlineData("spoke with her daughter about the plan", "about")]
    [InlineData("pt is stable on room air", "stable")]
    [InlineData("the dr will call you tomorrow", "will")]
    [InlineData("her son mark the date on the calendar", "mark")]
    [InlineData("[04/03 16:12] pt: ya thats it", "ya")]
    [InlineData("pt has ms flare again", "flare")]
    public void Scan_OrdinaryLowerCaseWordAfterCue_IsKept(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("lives at 42 elm st with her husband", "42 elm st")]
    [InlineData("moved to 1208 n oak ave apt 3 last month", "1208 n oak ave apt 3")]
    [InlineData("new address is 7 birch rd.", "7 birch rd")]
    public void Scan_LowerCaseStreetWithNumberAndSuffix_IsMarkedAsAddress(string text, string address) =>
        AssertMarked(text, address, PhiKind.Address);

    [Theory]
    [InlineData("Advised to call 911 rather than drive given dizziness.")]
    [InlineData("take 2 tabs po daily for 3 days")]
    [InlineData("walked 6 min on the hall")]
    public void Scan_NumberBeforeWordsAndAVerb_IsNotAnAddress(string text) =>
        Assert.DoesNotContain(Scan(text), s => s.Kind == PhiKind.Address);

    [Theory]
    [InlineData("ORC|RE|ORD1|FIL1||CM||||202401011200|||12345^SMITH^JOHN^A^^DR", "SMITH^JOHN^A")]
    [InlineData("OBR|1|ORD1|FIL1|CBC^CBC|||202401011100|||||||||4567^JONES^MARY^^^DR", "JONES^MARY")]
    [InlineData("OBR|1|ORD1|FIL1|CBC^CBC||||||||||||||||||||||||4321^BROWN^ALICE~5678^GREEN^PAUL", "BROWN^ALICE")]
    [InlineData("OBR|1|ORD1|FIL1|CBC^CBC||||||||||||||||||||||||4321^BROWN^ALICE~5678^GREEN^PAUL", "GREEN^PAUL")]
    [InlineData("OBX|1|NM|WBC||7.2|K/uL|4-11||||F|||202401011200||8888^GREEN^PAUL", "GREEN^PAUL")]
    [InlineData("PV1|1|I|3W^301^A||||1111^WHITE^ROBERT^^^DR|2222^BLACK^SUSAN|3333^GRAY^TOM||||||||4444^KING^LISA", "WHITE^ROBERT")]
    [InlineData("PV1|1|I|3W^301^A||||1111^WHITE^ROBERT^^^DR|2222^BLACK^SUSAN|3333^GRAY^TOM||||||||4444^KING^LISA", "BLACK^SUSAN")]
    [InlineData("PV1|1|I|3W^301^A||||1111^WHITE^ROBERT^^^DR|2222^BLACK^SUSAN|3333^GRAY^TOM||||||||4444^KING^LISA", "GRAY^TOM")]
    [InlineData("PV1|1|I|3W^301^A||||1111^WHITE^ROBERT^^^DR|2222^BLACK^SUSAN|3333^GRAY^TOM||||||||4444^KING^LISA", "KING^LISA")]
    public void Scan_ProviderInHl7OrderOrVisitSegment_IsMarkedAsName(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Fact]
    public void Scan_Hl7ResultSegment_KeepsTheTestAndItsValue()
    {
        const string Text = "OBX|1|NM|WBC^White blood cells||7.2|K/uL|4-11||||F|||202401011200||8888^GREEN^PAUL";

        AssertNotCovered(Text, "White blood cells");
        AssertNotCovered(Text, "K/uL");
    }

    [Theory]
    [InlineData("Her wedding is on Valentine's Day; avoid procedures that week.", "Valentine's Day")]
    [InlineData("fell on new year's eve at home", "new year's eve")]
    [InlineData("Fireworks injury on the Fourth of July, 2019.", "Fourth of July, 2019")]
    [InlineData("Symptoms since New Year's Day.", "New Year's Day")]
    public void Scan_HolidayOfSeveralWordsAsADate_IsMarkedAsDate(string text, string date) =>
        AssertMarked(text, date, PhiKind.Date);

    [Theory]
    [InlineData("made a new year's resolution to quit smoking", "resolution")]
    [InlineData("made a new year's resolution to quit smoking", "year")]
    [InlineData("sent a valentine card to her mother", "valentine")]
    [InlineData("she bought a Christmas tree", "Christmas")]
    public void Scan_HolidayThing_IsNotADate(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Patient: Wash ington, Ge orge", "Wash ington")]
    [InlineData("Patient: Wash ington, Ge orge", "Ge orge")]
    [InlineData("Patient: Hen derson, Mar garet   DOB: 01/02/1950", "Mar garet")]
    public void Scan_NameSplitByOcrAfterALabel_IsMarkedAsName(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Theory]
    [InlineData("Name: Pat rick", "Pat rick")]
    public void Scan_TwoOrdinaryWordsAfterALabel_AreNotJoined(string text, string words) =>
        AssertNotCovered(text, words);

    [Theory]
    [InlineData("Originally from Port-au-Prince, Haiti.", "Port-au-Prince")]
    [InlineData("pt is from mogadishu, somalia", "mogadishu")]
    [InlineData("born in puebla, mexico, came to the us at 19", "puebla")]
    [InlineData("born in Kumasi, Ghana and moved here in 2005", "Kumasi")]
    public void Scan_CityAbroadBeforeItsCountry_IsMarkedAsLocation(string text, string city) =>
        AssertMarked(text, city, PhiKind.Location);

    [Theory]
    [InlineData("Originally from Port-au-Prince, Haiti.", "Haiti")]
    [InlineData("she was born in Mexico and raised here", "Mexico")]
    [InlineData("moved from Guatemala in 2019", "Guatemala")]
    [InlineData("pt is from mogadishu, somalia", "somalia")]
    public void Scan_Country_IsKept(string text, string country) =>
        AssertNotCovered(text, country);
}
