using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

using Scan = XefAI.Data.Deidentification.Scan;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Gaps of the scanner that the seventh blind corpus showed, each as a pattern on sentences written for this test:
/// ordinary words taken for names in prompts and headings, and names inside file names.
/// </summary>
public sealed class PhiScannerGap7Tests
{
    [Theory]
    [InlineData("Echo showed mild AS and moderate MR. Nephrology (Dr. Whitcombe) advised holding the diuretic.", "Nephrology")]
    [InlineData("[00:01:10] DOCTOR: I think the rash is contact dermatitis.", "I")]
    [InlineData("[00:01:15] PATIENT: No. It started on Tuesday.", "No")]
    [InlineData("Subject: URGENT CONSULT — BRANNIGAN, OTTILIE", "URGENT")]
    [InlineData("RE: Second-level review of the denied claim", "Second")]
    [InlineData("Resident: Mabel Quist   Rm 212-A   Admit 04/05/2024", "Rm")]
    public void Scan_OrdinaryWordAfterACueOrBesideAName_IsNotAName(string text, string word) =>
        AssertNotMarked(text, word);

    [Fact]
    public void Scan_FunctionWordsInALowerCaseQuestion_AreNotNames()
    {
        const string text = "hey can you help me figure out a plan for mrs oyelowo-brant who's been on 20 mg of prednisone since last week "
            + "for her asthma flare, she says her sugars have been high and she wants to know if she can stop on her own before the trip";

        AssertMarked(text, "oyelowo-brant", PhiKind.Name);
        AssertNotMarked(text, "been");
        AssertNotMarked(text, " on ");
    }

    [Theory]
    [InlineData("2025-03-02  quintal_r_2025-03-02_heel.jpg  2.1 x 1.4 cm", "quintal_r")]
    [InlineData("Image saved as PAN_okonkwo_t_20250302.dcm for the chart.", "okonkwo_t")]
    public void Scan_SurnameAndInitialInAFileName_IsMarkedAsName(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Fact]
    public void Scan_ClinicalWordInAFileName_IsNotAName()
    {
        AssertNotMarked("Uploaded wound_l_2025-03-02.jpg to the media tab.", "wound");
    }

    [Theory]
    [InlineData("Lives with her son at 9 Priory Road, Taunton  TA1 4QF since the spring.", "TA1 4QF")]
    [InlineData("Forwarding address in London SW1A 2BX until March.", "SW1A 2BX")]
    [InlineData("Home: 18 rue des Pins, Gatineau QC J8Y 3R4.", "J8Y 3R4")]
    [InlineData("Mail to 7 Kelly St, Ballarat VIC 3350 please.", "3350")]
    public void Scan_PostcodeFromAbroad_IsMarkedAsZip(string text, string postcode) =>
        AssertMarked(text, postcode, PhiKind.Zip);

    [Fact]
    public void KeepsZip3_PostcodeFromAbroad_IsReplacedWhole()
    {
        Assert.False(Scan.KeepsZip3("SW1A 2BX"));
        Assert.True(Scan.KeepsZip3("02139"));
    }

    [Theory]
    [InlineData("CD4 count 350 and T2 weighted images; HbA1c 7.2; L5 2ND look.")]
    [InlineData("Gave 0.5 mg at 0900 and 0.25 mg at 1300.")]
    public void Scan_LabsAndLevels_AreNotPostcodesOrPhones(string text) =>
        Assert.DoesNotContain(Scan(text), s => s.Kind is PhiKind.Zip or PhiKind.Phone);

    [Theory]
    [InlineData("Her unit is 3/47 Chapel St, Windsor, with a lift.", "3/47 Chapel St")]
    [InlineData("Now at Flat 6, 21 Mill Lane with her sister.", "Flat 6, 21 Mill Lane")]
    public void Scan_UnitBeforeTheHouseNumber_IsPartOfTheAddress(string text, string address) =>
        AssertMarked(text, address, PhiKind.Address);

    [Theory]
    [InlineData("Her husband can be reached on 07911 123456 after five.", "07911 123456")]
    [InlineData("Mobile 0412 345 678, leave a message.", "0412 345 678")]
    [InlineData("Surgery on 020 7946 0321 for results.", "020 7946 0321")]
    [InlineData("Questions to the triage line x4471 any time.", "x4471")]
    [InlineData("Joindre Mme Caron au 819-555-0144 poste 318.", "819-555-0144 poste 318")]
    public void Scan_PhoneWrittenAbroadOrAsExtension_IsMarkedAsPhone(string text, string phone) =>
        AssertMarked(text, phone, PhiKind.Phone);

    [Theory]
    [InlineData("{\"content\":\"Triage this.\\nName: Wilhelmina Osei\\nAge: 97\\nMRN: 40012277\"}", "97")]
    [InlineData("Night report: Mr Castellanos-Reyes (Tito), 93, fell at 0300 without injury.", "93")]
    [InlineData("Seen today: Ms Abernathy, 101, for skin tears.", "101")]
    public void Scan_AgeOverEightyNineAfterALabelOrAName_IsMarkedAsAge(string text, string age) =>
        AssertMarked(text, age, PhiKind.Age);

    [Fact]
    public void Scan_EscapedLineBreakInJson_SeparatesTheLabelFromTheWordBefore()
    {
        const string text = "{\"content\":\"Patient: Wilhelmina Osei\\nMRN: 40012277\\nplease summarize\"}";

        AssertMarked(text, "40012277", PhiKind.Mrn);
        AssertNotMarked(text, "nMRN");
    }

    [Fact]
    public void Scan_NumberBetweenCommasAfterAWord_IsNoAge() =>
        Assert.DoesNotContain(Scan("Potassium, 95, was drawn; counts of 4, 95, 100 noted."), s => s.Kind == PhiKind.Age);

    [Theory]
    [InlineData("Cleaning with Grace (RDH) at 9:00, then the dentist.", "Grace")]
    [InlineData("Re: CONSULT — WISNIEWSKA, HALINA M  DOB 02/14/1948", "HALINA M")]
    public void Scan_NameAnOrdinaryWordWouldHide_IsMarkedByItsCue(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Theory]
    [InlineData("Dressing (RN) change daily.", "change")]
    public void Scan_WordsAroundParticlesOrCredentials_StayOrdinary(string text, string word) =>
        AssertNotMarked(text, word);

    [Theory]
    [InlineData("Home visit: gate code 8812# then the blue door.", "8812")]
    [InlineData("Spare key in the lockbox, code 3307, by the porch.", "3307")]
    [InlineData("Keypad 6190 opens the side entrance.", "6190")]
    public void Scan_AccessCodeAfterItsCue_IsMarkedAsId(string text, string code) =>
        AssertMarked(text, code, PhiKind.Id);

    [Fact]
    public void Scan_GateWithAShortNumber_IsNoIdentifier() =>
        Assert.DoesNotContain(Scan("Gait training with PT; gate 3 at the airport."), s => s.Kind == PhiKind.Id);

    private static void AssertNotMarked(string text, string word)
    {
        var spans = Scan(text);
        var start = text.IndexOf(word, StringComparison.Ordinal);
        Assert.True(start >= 0, "the word is not in the text");
        Assert.DoesNotContain(spans, s => s.Start < start + word.Length && start < s.Start + s.Length);
    }
}
