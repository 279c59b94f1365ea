using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Gaps of the scanner that a blind corpus showed, each as a pattern of US clinical text on sentences written for this
/// test: rural boxes, identifiers a few words after their cue, plates, prefixed record numbers, cities after their cues,
/// short dates in date context, names in portal messages, name particles, and first names that are ordinary words.
/// </summary>
public sealed class PhiScannerGapTests
{
    [Theory]
    [InlineData("Next of kin: brother, Rt 4 Box 88, then the farm.", "Rt 4 Box 88")]
    [InlineData("Mail goes to RR 3 Box 42A since the flood.", "RR 3 Box 42A")]
    [InlineData("Lives at HC 61 Box 7 near the creek.", "HC 61 Box 7")]
    [InlineData("send letters to rural route 9, box 14 please", "rural route 9, box 14")]
    [InlineData("Statements to Star Route 2 Box 310.", "Star Route 2 Box 310")]
    public void Scan_RuralRouteWithBox_IsMarkedAsAddress(string text, string address) =>
        AssertMarked(text, address, PhiKind.Address);

    [Theory]
    [InlineData("RR 24 on room air, rt 2 toes dusky.")]
    [InlineData("Route 9 was closed; box 14 of the supplies.")]
    public void Scan_RouteWithoutBox_IsNotMarkedAsAddress(string text) =>
        Assert.DoesNotContain(Scan(text), s => s.Kind == PhiKind.Address);

    [Theory]
    [InlineData("State DOC # from his last sentence 552018 per records.", "552018")]
    [InlineData("Jail nurse confirmed inmate # 7731 at intake.", "7731")]
    [InlineData("Booking no 2025-00114, holding cell.", "2025-00114")]
    [InlineData("Offender ID 88213 on the wristband.", "88213")]
    public void Scan_CorrectionalNumbersAfterTheirCues_AreMarked(string text, string identifier) =>
        AssertMarked(text, identifier, PhiKind.Id);

    [Fact]
    public void Scan_NumberSignFarFromShortNumber_IsNotMarked()
    {
        const string text = "Dose # per protocol 2 tabs today.";

        Assert.Empty(Scan(text));
    }

    [Theory]
    [InlineData("Her tag on the pickup reads ZPX 5521 per security.", "ZPX 5521")]
    [InlineData("Car towed (old Buick, WV plate\nBKX 719) from the lot.", "BKX 719")]
    [InlineData("license plate is 7KLT093 on the van.", "7KLT093")]
    public void Scan_PlateAFewWordsAfterItsCue_IsMarkedAsVehicle(string text, string plate) =>
        AssertMarked(text, plate, PhiKind.Vehicle);

    [Fact]
    public void Scan_PlateCueBeforeOrdinaryWords_MarksNothing()
    {
        const string text = "The growth plate is open on the left and the tag was removed.";

        Assert.Empty(Scan(text));
    }

    [Fact]
    public void Scan_RecordNumberWithItsPrefix_IsMarkedWhole()
    {
        const string text = "Registered in triage, MR 4401276, and roomed.";

        AssertMarked(text, "MR 4401276", PhiKind.Mrn);
    }

    [Fact]
    public void Scan_TitleMrBeforeShortNumber_IsNotARecordNumber()
    {
        const string text = "Lesion MR 12 mm on the scan.";

        Assert.DoesNotContain(Scan(text), s => s.Kind == PhiKind.Mrn);
    }

    [Theory]
    [InlineData("MRN: A-1234 verified at the desk.", "A-1234")]
    [InlineData("Patient ID: KQT 448120 on the band.", "KQT 448120")]
    public void Scan_IdentifierWithLetterPrefixAfterCue_IsRemovedWhole(string text, string identifier)
    {
        var spans = Scan(text);
        var start = text.IndexOf(identifier, StringComparison.Ordinal);

        Assert.Contains(spans, s => s.Start <= start && start + identifier.Length <= s.Start + s.Length);
    }

    [Theory]
    [InlineData("Photo IMG-RXQ-20240101-007 uploaded to the chart.", "IMG-RXQ-20240101-007")]
    [InlineData("Armband BB-K55120 checked twice.", "BB-K55120")]
    [InlineData("Filed as CDC-AB-2025-0099 with the state.", "CDC-AB-2025-0099")]
    public void Scan_IdentifierWithSeveralLetterGroups_IsMarkedWhole(string text, string identifier) =>
        AssertMarked(text, identifier, PhiKind.Id);

    [Fact]
    public void Scan_VirusAndGeneNames_AreNotIdentifiers()
    {
        const string text = "COVID-19 and SARS-CoV-2 PCR negative; BRCA-1 and HER2-3 pending.";

        Assert.Empty(Scan(text));
    }

    [Theory]
    [InlineData("A roofer out of Cedar Bluff, here after a fall.", "Cedar Bluff")]
    [InlineData("They married at Grace Baptist in Jasper last spring.", "Jasper")]
    [InlineData("Pt from Marfa, drives in weekly for dialysis.", "Marfa")]
    [InlineData("Stays on County Rd 9 past the mill, Ogallala.", "Ogallala")]
    public void Scan_TownAfterItsCue_IsMarkedAsLocation(string text, string town) =>
        AssertMarked(text, town, PhiKind.Location);

    [Theory]
    [InlineData("Improvement in Breathing noted. Seen in Clinic today. Admitted from Triage.")]
    [InlineData("Her father died at 55 (in Vietnam); she moved here from Honduras.")]
    [InlineData("Ran out of Coumadin; fluent in Tagalog; works in Accounting.")]
    public void Scan_WordsAfterPlacePrepositions_AreNotMarkedAsLocation(string text) =>
        Assert.DoesNotContain(Scan(text), s => s.Kind == PhiKind.Location);

    [Theory]
    [InlineData("Echo 3/30 LVEF 55%, unchanged.", "3/30")]
    [InlineData("Labs 3/12 Hgb 9.8 and stable.", "3/12")]
    [InlineData("Buprenorphine last fill 1/10 per the state PDMP.", "1/10")]
    [InlineData("Seen on 3/4 for cough; DOS 3/4.", "3/4")]
    [InlineData("Symptoms from 3/4/25 to 3/9/25 per mom.", "3/4/25")]
    [InlineData("Her son's wedding is the 21st.", "21st")]
    [InlineData("Burned at a christmas eve party.", "christmas eve")]
    [InlineData("worse since thanksgiving per wife", "thanksgiving")]
    [InlineData("cough since october, no fever", "october")]
    public void Scan_ShortDateInDateContext_IsMarkedAsDate(string text, string date) =>
        AssertMarked(text, date, PhiKind.Date);

    [Theory]
    [InlineData("Take 3/4 tab at night; BP 120/80; 3/4 strength formula.")]
    [InlineData("Started on 1/2 tab daily; pain 8/10.")]
    [InlineData("He got the 2nd dose; the 3rd time he fell.")]
    [InlineData("We may go home; christmas tree lights were on.")]
    public void Scan_FractionsDosesAndOrdinals_AreNotDates(string text) =>
        Assert.DoesNotContain(Scan(text), s => s.Kind == PhiKind.Date);

    [Theory]
    [InlineData("hi dr patel, my sugar is high again. thx, -jen", "jen")]
    [InlineData("ok see you tmrw thanks -jen", "jen")]
    [InlineData("will bring the forms\n- mikey", "mikey")]
    [InlineData("this is mikey's mom, he has a fever", "mikey")]
    [InlineData("Dressing changed.\n-- rosa linda quintero, CWON APRN", "rosa linda quintero")]
    public void Scan_LowerCaseNameAfterGreetingSignOffOrDash_IsMarked(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Fact]
    public void Scan_LowerCaseHeaderNameBeforeRecordLabels_IsMarked()
    {
        const string text = "wound clinic visit\nwalter \"buck\" hargrove  mrn 55102934  dob 2/2/51\nulcer smaller";

        AssertMarked(text, "walter \"buck\" hargrove", PhiKind.Name);
        Assert.DoesNotContain(Scan(text), s => text.Substring(s.Start, s.Length) is "wound" or "clinic" or "ulcer" or "smaller");
    }

    [Theory]
    [InlineData("Maria de la Cruz came with her son.", "Maria de la Cruz")]
    [InlineData("Spoke with Ana de los Santos at noon.", "Ana de los Santos")]
    [InlineData("Consult by Dr. Willem van den Heuvel today.", "Willem van den Heuvel")]
    [InlineData("Pieter van der Berg signed the consent.", "Pieter van der Berg")]
    [InlineData("Brother José Luis del Río is the proxy.", "José Luis del Río")]
    public void Scan_NameWithParticles_IsMarkedWhole(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Fact]
    public void Scan_SpanishParticlesOutsideNames_AreKept()
    {
        const string text = "Paciente: Maria de la Cruz. Fecha de visita hoy; tel. de la hija en el chart; murió de infarto.";

        var spans = Scan(text);

        Assert.DoesNotContain(spans, s => s.Start > text.IndexOf("Fecha", StringComparison.Ordinal) && text.Substring(s.Start, s.Length) is "de" or "la");
    }

    [Theory]
    [InlineData("Mr. Will Barton came in with a cough.", "Will")]
    [InlineData("His daughter Grace drove him home.", "Grace")]
    [InlineData("Pt's wife Joy is at the bedside.", "Joy")]
    [InlineData("Seen with Rusty Keane, RN, at triage.", "Rusty")]
    [InlineData("Granddaughter Summer visited today.", "Summer")]
    [InlineData("Rich Delgado and Frank Ortiz came together.", "Frank")]
    [InlineData("June Sato and May Chen, the nieces, called.", "June")]
    [InlineData("June Sato and May Chen, the nieces, called.", "May")]
    public void Scan_OrdinaryWordAsFirstNameWithNameCue_IsMarkedAsName(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Theory]
    [InlineData("We will grace him with a pass; hope for PT eval; faith in his recovery; joy at discharge.")]
    [InlineData("Sandy soil, dusty road, rusty nail, frank blood, summer camp, rich foods.")]
    [InlineData("Mark the site; the bill was paid; art therapy; ray of light.")]
    public void Scan_OrdinaryWordsWithoutNameCue_AreNotNames(string text) =>
        Assert.DoesNotContain(Scan(text), s => s.Kind == PhiKind.Name);

    [Fact]
    public void Scan_MonthAfterPrepositionBeforeCapital_StaysADate()
    {
        const string text = "Admitted in June Sato was not yet born.";

        AssertMarked(text, "June", PhiKind.Date);
    }
}
