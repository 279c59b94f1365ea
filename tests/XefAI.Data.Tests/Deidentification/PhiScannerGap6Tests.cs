using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Gaps of the scanner that the sixth blind corpus showed, each as a pattern of US clinical text on sentences written for
/// this test: abbreviated street words, streets named from the front, grid and military mail addresses.
/// </summary>
public sealed class PhiScannerGap6Tests
{
    [Theory]
    [InlineData("She lives at 1200 S. Main St., Apt. 4B with her son.", "1200 S. Main St., Apt. 4B")]
    [InlineData("Home is 2231 W. Saguaro Vista Dr in the west valley.", "2231 W. Saguaro Vista Dr")]
    [InlineData("Clinic moved to 5500 E. Martin Luther King Jr. Blvd., Suite 110 last year.", "5500 E. Martin Luther King Jr. Blvd., Suite 110")]
    [InlineData("Pharmacy at 73 N. Mt. Vernon Ave refilled it.", "73 N. Mt. Vernon Ave")]
    public void Scan_StreetWithAbbreviationsAndFullStops_IsMarkedAsAddress(string text, string address) =>
        AssertMarked(text, address, PhiKind.Address);

    [Theory]
    [InlineData("Widowed, lives alone at 1408 Rue Carmelite since spring.", "1408 Rue Carmelite")]
    [InlineData("Daughter's house, 88 Calle Sol Naciente, has stairs.", "88 Calle Sol Naciente")]
    [InlineData("Mailing: 410 Camino Real, Unit 3.", "410 Camino Real, Unit 3")]
    [InlineData("Vive en Calle Olivo 418, colonia Las Palmas.", "Calle Olivo 418")]
    [InlineData("Sister at 615 Ponce de Leon Pl NE, Atlanta.", "615 Ponce de Leon Pl NE")]
    [InlineData("Physical address BIA Route 41, House 18, Kyle SD.", "BIA Route 41, House 18")]
    public void Scan_StreetNamedByItsLeadingWord_IsMarkedAsAddress(string text, string address) =>
        AssertMarked(text, address, PhiKind.Address);

    [Fact]
    public void Scan_DoseThenVia_IsNotAnAddress()
    {
        var spans = Scan("Gave 2 via PEG, then 1 via NG Tube after Rue was fed.");

        Assert.DoesNotContain(spans, s => s.Kind == PhiKind.Address);
    }

    [Theory]
    [InlineData("Farm is at W156 N8480 Pilgrim Rd, Menomonee Falls.", "W156 N8480 Pilgrim Rd")]
    [InlineData("New address N52 W27111 Lawndale Ave per son.", "N52 W27111 Lawndale Ave")]
    public void Scan_WisconsinGridAddress_IsMarkedAsAddress(string text, string address) =>
        AssertMarked(text, address, PhiKind.Address);

    [Theory]
    [InlineData("Spouse deployed: PSC 817 Box 44, FPO AE 09622.", "PSC 817 Box 44")]
    [InlineData("Spouse deployed: PSC 817 Box 44, FPO AE 09622.", "FPO AE")]
    [InlineData("Alternate Unit 2050 Box 1193, APO AP 96278-2050.", "Unit 2050 Box 1193")]
    [InlineData("Send to CMR 480 Box 12, DPO AA 34001.", "DPO AA")]
    public void Scan_MilitaryMail_IsMarkedAsAddress(string text, string address) =>
        AssertMarked(text, address, PhiKind.Address);

    [Theory]
    [InlineData("Spouse deployed: PSC 817 Box 44, FPO AE 09622.", "09622")]
    [InlineData("Alternate Unit 2050 Box 1193, APO AP 96278-2050.", "96278-2050")]
    public void Scan_MilitaryPostOfficeZip_IsMarkedAsZip(string text, string zip) =>
        AssertMarked(text, zip, PhiKind.Zip);

    [Fact]
    public void Scan_UnitOfBloodAndBoxOfGloves_IsNotAnAddress()
    {
        var spans = Scan("Transfused 1 unit. Unit 2 staff restocked box 4 of gloves.");

        Assert.DoesNotContain(spans, s => s.Kind == PhiKind.Address);
    }

    [Theory]
    [InlineData("date of birth is march third nineteen fifty-one comma", "march third nineteen fifty-one")]
    [InlineData("date of service december fourth two thousand twenty six period", "december fourth two thousand twenty six")]
    [InlineData("seen on july twenty-first twenty twenty five for follow up", "july twenty-first twenty twenty five")]
    [InlineData("we will see her back on the eighteenth period", "eighteenth")]
    public void Scan_SpokenDate_IsMarkedAsDate(string text, string date) =>
        AssertMarked(text, date, PhiKind.Date);

    [Theory]
    [InlineData("the lesion in the fourth ventricle was stable and she may march third in line")]
    [InlineData("on the fifth day she walked; two of three sets done")]
    public void Scan_OrdinalsThatCountThings_AreNotDates(string text) =>
        Assert.DoesNotContain(Scan(text), s => s.Kind == PhiKind.Date);

    [Theory]
    [InlineData("comma m r n four four seven one zero nine two period", "four four seven one zero nine two", "Mrn")]
    [InlineData("her callback number is five five five oh one six eight period", "five five five oh one six eight", "Phone")]
    [InlineData("callback is 5550168 area code six one eight period", "six one eight", "Phone")]
    [InlineData("social security number is one two three four five six seven eight nine", "one two three four five six seven eight nine", "Ssn")]
    public void Scan_DigitsSpokenOneByOne_AreMarkedByTheirCue(string text, string value, string kind) =>
        AssertMarked(text, value, Enum.Parse<PhiKind>(kind));

    [Fact]
    public void Scan_FewSpokenDigitsWithoutCue_AreNotMarked()
    {
        var spans = Scan("she took one or two tablets, then four five days later one more");

        Assert.Empty(spans);
    }

    [Theory]
    [InlineData("D O B : 0 7 / 1 4 / 1 9 5 5  Acct", "0 7 / 1 4 / 1 9 5 5")]
    [InlineData("Date of Visit : 10 / 22 / 26 signed", "10 / 22 / 26")]
    [InlineData("implanted O4 / 2 0 2 2 at outside hospital", "O4 / 2 0 2 2")]
    [InlineData("seen 1 0/2 2/ 2 6 in clinic", "1 0/2 2/ 2 6")]
    [InlineData("PMH: CABG 2022-06, opioid use disorder", "2022-06")]
    public void Scan_DateWhoseDigitsOcrSpacedOut_IsMarkedAsDate(string text, string date) =>
        AssertMarked(text, date, PhiKind.Date);

    [Theory]
    [InlineData("Strength 5 / 5 in all four, pain 3 / 10, BP 12 0 / 8 0.")]
    [InlineData("Took 1 / 2 tab then 2 / 4 doses.")]
    [InlineData("LABS: VBG 7.08 / 24 / 38, lactate 4.1.")]
    [InlineData("Lot 2022-06-A1 and part 1234-5678 were used; code 2021-15.")]
    public void Scan_SpacedFractionsAndScores_AreNotDates(string text) =>
        Assert.DoesNotContain(Scan(text), s => s.Kind == PhiKind.Date);

    [Fact]
    public void Scan_NameHyphenatedAcrossALineBreak_IsMarkedWhole()
    {
        const string text = "Mr. Cas-\ntaneda was seen today for follow up.";

        AssertMarked(text, "taneda", PhiKind.Name);
    }

    [Theory]
    [InlineData("Acct OF-8812047 Hatfield, Loretta", "OF-8812047", "Account")]
    [InlineData("Copay card 6015 2200 4471 9833 on file.", "6015 2200 4471 9833", "Account")]
    [InlineData("free with the card we gave you (card # 4100 8826 1193).", "4100 8826 1193", "Account")]
    [InlineData("Stipend $75 loaded to ClinCard #4829 1003 7712.", "4829 1003 7712", "Account")]
    [InlineData("Veteran: Two Bulls   Last4 7731   EDIPI 1288409913", "7731", "Ssn")]
    [InlineData("verified caller by DOB and last 4 7731 today", "7731", "Ssn")]
    [InlineData("STUDY UID: 1.2.840.113619.2.55.3.604688119.971.1764712345.226", "1.2.840.113619.2.55.3.604688119.971.1764712345.226", "Id")]
    [InlineData("export generated 2026-12-05 by svc_pophealth nightly", "svc_pophealth", "Id")]
    public void Scan_NumberNamedByTheWordBeforeIt_IsMarked(string text, string value, string kind) =>
        AssertMarked(text, value, Enum.Parse<PhiKind>(kind));

    [Theory]
    [InlineData("Over the last 4 days she drank 1500 mL; copay card pending, copay $25.")]
    [InlineData("In the last 4 2000 steps a day was the goal.")]
    public void Scan_LastFourDaysAndCopayAmounts_AreNotIdentifiers(string text) =>
        Assert.DoesNotContain(Scan(text), s => s.Kind is PhiKind.Ssn or PhiKind.Account);

    [Theory]
    [InlineData("From: Jasmine Holloway, MA    To: Dr. Wendell Ashgrove    Sent 12/03", "To")]
    [InlineData("Referring VA: VA Black Hills Health Care System; seen by VA psychologist Dr Renata Iyer.", "VA")]
    [InlineData("Acct 8812066 SPC Ruiz Betancourt, Emilio (active duty)", "SPC")]
    [InlineData("kim lor rn: arne haugland dob 6/6/49 mrn 7790441 in case", "dob")]
    [InlineData("Portal message MSG-88213409 from SSG Ortiz", "SSG")]
    [InlineData("ORDERING: YAZZIE, CLARENCE MD    READING: KRISHNAMURTHY, ANAND MD", "READING")]
    public void Scan_WordsThatAreNoIdentifier_AreLeftUnmarked(string text, string word)
    {
        var spans = Scan(text);
        var start = text.IndexOf(word, StringComparison.Ordinal);
        while (start >= 0)
        {
            Assert.DoesNotContain(spans, s => s.Start <= start && start < s.Start + s.Length);
            start = text.IndexOf(word, start + 1, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("From: Jasmine Holloway, MA    To: Dr. Wendell Ashgrove    Sent 12/03", "Wendell Ashgrove")]
    [InlineData("Portal message MSG-88213409 from SSG Ortiz", "MSG-88213409")]
    [InlineData("Acct 8812066 SPC Ruiz Betancourt, Emilio (active duty)", "Ruiz Betancourt, Emilio")]
    public void Scan_ValueNextToAWordTakenBack_StaysMarked(string text, string value) =>
        Assert.Contains(Scan(text), s => s.Start <= text.IndexOf(value, StringComparison.Ordinal) && text.IndexOf(value, StringComparison.Ordinal) < s.Start + s.Length);

    [Fact]
    public void Scan_NameSpelledLetterByLetter_IsMarkedAsName()
    {
        const string text = "her last name is spelled f a i r c h i l d period";

        AssertMarked(text, "f a i r c h i l d", PhiKind.Name);
    }

    [Fact]
    public void Scan_LettersWithoutANameOrSpellingCue_AreNotMarked()
    {
        const string text = "Pa tient : CASTANEDA , ROGELIO M D O B : 07/14/1955; grades a b c d e were used";

        Assert.DoesNotContain(Scan(text), s => s.Kind == PhiKind.Name && s.Start >= text.IndexOf(" D O B", StringComparison.Ordinal));
    }
}
