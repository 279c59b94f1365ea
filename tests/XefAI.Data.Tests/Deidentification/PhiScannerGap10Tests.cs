using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Round 10 of the de-identifier's gaps, on sentences written for this test: ages over 89 not written "N-year-old",
/// dates in spoken and partial forms, and words the name rules took that are no one's name.
/// </summary>
public sealed class PhiScannerGap10Tests
{
    [Theory]
    [InlineData("Client is 91 and wants to stay in her own home.", "91")]
    [InlineData("His mother was 96 when she moved in with them.", "96")]
    [InlineData("Visited Mrs. Okonkwo-Brandt, 98. Sleeping most of the day.", "98")]
    [InlineData("Seen with her aunt Rosalind Featherstone (ninety next month) who lives next door.", "ninety")]
    [InlineData("Discussed with Mr. Abernathy (102) and his son.", "102")]
    [InlineData("The patient is aged 93 and lives alone.", "93")]
    [InlineData("age: 94", "94")]
    [InlineData("Hi, my mother Gloria (she's 93) is confused since Friday.", "93")]
    [InlineData("Dad is fine, he’s 91 and still drives.", "91")]
    public void Scan_AgeOverEightyNineWithoutYearOld_IsMarkedAsAge(string text, string age) =>
        AssertMarked(text, age, PhiKind.Age);

    [Theory]
    [InlineData("She's 95% better since the tap.", "95")]
    [InlineData("It's 98 degrees in the ward.", "98")]
    public void Scan_ContractedIsBeforeANumberThatIsNotAnAge_IsKept(string text, string number) =>
        AssertNotCovered(text, number);

    // Karen is also a language of Myanmar, and both word lists that keep languages held it: a common American given
    // name went unmarked after a surname ("Kidder, Karen.") and alone ("Karen called back").
    [Theory]
    [InlineData("Kidder, Karen. SSN on file.", "Karen")]
    [InlineData("Karen called back about the refill.", "Karen")]
    [InlineData("Interpreter: Karen, by phone.", "Karen")]
    public void Scan_Karen_IsMarkedAsName(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Fact]
    public void Scan_AgeColumnOfATable_IsMarkedAsAge()
    {
        const string text = "Bed  Patient                 Age  Plan\n"
            + "3    Okafor, Adaeze          92   PT eval\n"
            + "4    Lindqvist, Marta        67   home\n";
        AssertMarked(text, "92", PhiKind.Age);
        AssertNotCovered(text, "67");
        AssertNotCovered(text, "3 ");
    }

    [Fact]
    public void Scan_AgeCellOfAPipeTable_IsMarkedAsAge()
    {
        const string text = "| Time | Patient | Age | Reason |\n|---|---|---|---|\n| 09:30 | Tobiasz Wren | 95 | INR |\n";
        AssertMarked(text, "95", PhiKind.Age);
    }

    [Theory]
    [InlineData("Pt is 92% on room air this morning.", "92")]
    [InlineData("Heart rate is 96 bpm and regular.", "96")]
    [InlineData("Sat is 94 on 2 L.", "94")]
    [InlineData("Moved to room 104, bed by the window.", "104")]
    [InlineData("Score was 98 out of 100 on the screen.", "98")]
    [InlineData("Weight is 95 kg today.", "95")]
    public void Scan_NumbersOverEightyNineThatAreNoAge_AreKept(string text, string number) =>
        AssertNotCovered(text, number);

    [Theory]
    [InlineData("Bonjour, could you translate this letter for me?", "Bonjour")]
    [InlineData("Cher confrère, je vous adresse ma patiente.", "Cher")]
    [InlineData("Elle vit seule depuis deux ans.", "Elle")]
    [InlineData("Bien cordialement, le médecin traitant.", "Bien")]
    [InlineData("Clinic does not run infusions on Saturdays, per the schedule.", "Saturdays")]
    [InlineData("Device: Heidelberg Spectralis OCT, serial on file.", "Heidelberg")]
    [InlineData("Device: Heidelberg Spectralis OCT, serial on file.", "Spectralis")]
    public void Scan_ForeignFunctionWordsWeekdayPluralsAndMakers_AreNotNames(string text, string word) =>
        Assert.DoesNotContain(Scan(text), s => s.Kind == PhiKind.Name && s.Start == text.IndexOf(word, StringComparison.Ordinal));

    [Theory]
    [InlineData("Her fall was on the ninth of October, at home.", "the ninth of October")]
    [InlineData("Surgery is set for the 12th of January.", "12th of January")]
    [InlineData("They plan to travel in late August to see family.", "late August")]
    [InlineData("Repeat the echo in mid-September.", "mid-September")]
    [InlineData("Cough since 5th, worse at night.", "5th")]
    [InlineData("Creatinine 1.2 on 9/3; 1.6 the 21st; back to 1.3.", "21st")]
    [InlineData("Seen 22nd November 2026 in clinic.", "22nd November 2026")]
    [InlineData("Can we move her to the week of 11/16 instead?", "11/16")]
    [InlineData("Wound review held 28/10 with the nurse.", "28/10")]
    [InlineData("Last dose 07FEB2026, next cycle pending.", "07FEB2026")]
    public void Scan_SpokenAndPartialDates_AreMarkedAsDate(string text, string date) =>
        AssertMarked(text, date, PhiKind.Date);

    [Theory]
    [InlineData("Goals met: 4/6. Barriers: pain.", "4/6")]
    [InlineData("Scored 4/5 on the recall items.", "4/5")]
    [InlineData("She lives on the 3rd floor of the building.", "3rd")]
    [InlineData("Given on the 4th dose of the series.", "4th")]
    [InlineData("IOP 15/12 both eyes.", "15/12")]
    [InlineData("Restarted on 3/4 tab at night.", "3/4")]
    [InlineData("Fracture of the fifth of the metacarpals.", "fifth")]
    public void Scan_CountsAndOrdinalsThatAreNoDate_AreKept(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("K44-102233    KOWALCZYK, GENOWEFA / 00481122    Potassium 6.9", "KOWALCZYK, GENOWEFA")]
    [InlineData("K44-102234    EL-AMIN, RASHA / 00481190    Sodium 118", "EL-AMIN, RASHA")]
    [InlineData("Reviewers: Hope T. Okonjo, MD; Dr. Ames.", "Hope")]
    [InlineData("Result read back by clerk Grant at 03:10.", "Grant")]
    [InlineData("Spoke with Faith (the niece) by phone.", "Faith")]
    [InlineData("Message left by caller \"Peaches\" (aunt) for the nurse.", "Peaches")]
    [InlineData("Parents: Marta Jadwiga Nowicka and Piotr Nowicki.", "Jadwiga")]
    [InlineData("\"given\": [\"Halina\", \"Wiesława\"],", "Wiesława")]
    [InlineData("SURGEON: MARCEL ST. PIERRE, M.D.", "ST. PIERRE")]
    [InlineData("fixture = {\"first\": \"Daisy\", \"last\": \"Kealoha\"}", "Daisy")]
    [InlineData("record = {'given_name': 'Hazel'}", "Hazel")]
    [InlineData("Spanish interp, dtr Ngozi drives her.", "Ngozi")]
    [InlineData("Family asked for the chaplain, Fr. Bartosz paged.", "Bartosz")]
    public void Scan_NamesToldByWhatStandsAroundThem_AreMarkedAsName(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Theory]
    [InlineData("Signed: Paolo Reyes, RN, CCDS    3/14/71", "CCDS")]
    [InlineData("NAUSEA, VOMITING and diarrhea since Monday.", "NAUSEA")]
    [InlineData("Letter from Dr. Aoife Brennan MRCPI, IMC No. 40312.", "IMC")]
    [InlineData("Letter from Dr. Aoife Brennan MRCPI, IMC No. 40312.", "MRCPI")]
    [InlineData("Cleared by Ana Cruz, RN, Nurse on Duty, PRC Lic. 0661234.", "Duty")]
    [InlineData("Chair: M. Osei  |  Rad Onc: Kiri Walker  |  Path: J. Lee", "Rad")]
    [InlineData("Referred to the Consultant Rheumatologist at the clinic.", "Rheumatologist")]
    [InlineData("Therapy dog: \"Biscuit\" (beagle). Pt smiled when Biscuit visited.", "Biscuit")]
    [InlineData("The ward clerk will fax it tonight.", "will")]
    public void Scan_CredentialsLabelsAndAnimals_AreNotNames(string text, string word) =>
        Assert.DoesNotContain(Scan(text), s => s.Kind == PhiKind.Name && s.Start <= text.LastIndexOf(word, StringComparison.Ordinal)
            && text.LastIndexOf(word, StringComparison.Ordinal) < s.Start + s.Length);

    [Fact]
    public void Scan_PersonSharingAnAnimalsName_IsStillAName()
    {
        const string text = "Pt's own dog, \"Maple\", came in with daughter Maple Harlow. Maple (the daughter) asked for the chaplain.";
        var second = text.LastIndexOf("Maple", StringComparison.Ordinal);
        Assert.Contains(Scan(text), s => s.Kind == PhiKind.Name && s.Start == second);
        Assert.DoesNotContain(Scan(text), s => s.Kind == PhiKind.Name && s.Start == text.IndexOf("Maple", StringComparison.Ordinal));
    }
}
