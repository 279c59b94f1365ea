using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Round 11 of the de-identifier's name, age and date gaps, on sentences written for this test: names told by their
/// table heading or key, trailing initials and words between two parts of a name, ages after "EDAD:", a month's
/// abbreviation alone, and words the name and date rules took that are no one's.
/// </summary>
public sealed class PhiScannerGap11NamesTests
{
    private const string PsqlTable =
        " acct_no |  given_nm  |   family_nm    |    pcp\n"
        + "---------+------------+----------------+-------------\n"
        + " 4410021 | Joy        | Barrowclough   | Hendry, K\n"
        + " 4410087 | Sunny      | Mahlangu       | Pritchard, L\n";

    [Theory]
    [InlineData("Joy")]
    [InlineData("Sunny")]
    [InlineData("Barrowclough")]
    [InlineData("Mahlangu")]
    [InlineData("Hendry, K")]
    [InlineData("Pritchard, L")]
    public void Scan_CellUnderAPersonHeading_IsMarkedAsName(string name) =>
        AssertMarked(PsqlTable, name, PhiKind.Name);

    [Fact]
    public void Scan_CellUnderAnotherHeading_IsKept()
    {
        const string text = " med_nm   | route | status\n----------+-------+--------\n Heparin  | SC    | Active\n";
        AssertNotCovered(text, "Active");
        AssertNotCovered(text, "SC");
    }

    [Theory]
    [InlineData("{\"id\":\"77\",\"pt\":\"Thorvaldsen, Ingrid\",\"body\":\"refill please\"}", "Thorvaldsen, Ingrid")]
    [InlineData("{\"prescriber\":\"Grant Okwuosa\",\"drug\":\"lisinopril\"}", "Grant Okwuosa")]
    [InlineData("caseworker = \"Hope Abernathy-Lusk\"", "Hope Abernathy-Lusk")]
    public void Scan_QuotedValueOfAPersonKey_IsMarkedAsName(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Fact]
    public void Scan_TitleBeforeAKeyedName_StaysOutside()
    {
        const string text = "prescriber: \"Dr. Willa Ferncastle\"";
        AssertMarked(text, "Willa Ferncastle", PhiKind.Name);
        AssertNotCovered(text, "Dr.");
    }

    [Theory]
    [InlineData("Ordered by Fitzgerald-Moreau H  on the ward.", "Fitzgerald-Moreau H")]
    [InlineData("Attending: QUARTERMAINE, BEATRICE L\nService: medicine", "QUARTERMAINE, BEATRICE L")]
    [InlineData("Seen by Catriona Vandersloot J, MD", "Catriona Vandersloot J")]
    [InlineData("Copy to Dr. Halvorsen, D.\nNext: labs", "Halvorsen, D")]
    public void Scan_TrailingInitialAfterAName_IsInTheName(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Fact]
    public void Scan_TwinLetterAfterABabyName_IsKept()
    {
        const string text = "Twin A: Baby Boy Castellanos A, in pod 3.";
        AssertNotCovered(text, " A,");
    }

    [Theory]
    [InlineData("Referred by Rosalind Three Feathers, PA-C, last week.", "Rosalind Three Feathers")]
    [InlineData("PACIENTE: MORALES VDA. DE QUINTANA, LUZ MARIA", "MORALES VDA. DE QUINTANA")]
    [InlineData("Counselor Bridget O'Halloran called.", "O'Halloran")]
    public void Scan_WordBetweenPartsOfAName_IsInTheName(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Fact]
    public void Scan_AndBetweenTwoNames_IsKept()
    {
        const string text = "Discussed with Marguerite Fenwick and Tobias Fenwick today.";
        AssertNotCovered(text, "and");
    }

    [Theory]
    [InlineData("EDAD: 96 AÑOS", "96")]
    [InlineData("Age: 101", "101")]
    public void Scan_AgeAfterItsLabel_IsMarkedAsAge(string text, string age) =>
        AssertMarked(text, age, PhiKind.Age);

    [Fact]
    public void Scan_YoungAgeAfterItsLabel_IsKept() => AssertNotCovered("EDAD: 54 AÑOS", "54");

    [Theory]
    [InlineData("Last seen in Feb for her knee.", "Feb")]
    [InlineData("No falls since Aug, per daughter.", "Aug")]
    [InlineData("Holding statin until Sept.", "Sept")]
    [InlineData("Knee injection planned for mid-Nov if still painful.", "mid-Nov")]
    public void Scan_MonthAbbreviationAloneDatingCare_IsMarkedAsDate(string text, string month) =>
        AssertMarked(text, month, PhiKind.Date);

    [Theory]
    [InlineData("Her church friend Miss Philippa Draycott drove her in.", "Miss")]
    [InlineData("Pharmacist Lcda. Marisol Quiñones checked the list.", "Lcda")]
    [InlineData("Neighbor Doña Chela brings meals.", "Doña")]
    [InlineData("She asked to be called Aunty Leilani.", "Aunty")]
    public void Scan_TitleBeforeAName_StaysOutside(string text, string title) =>
        AssertNotCovered(text, title);

    [Theory]
    [InlineData("Coverage: Aetna TX PPO, ID W88120455, group 7741.", "PPO")]
    [InlineData("Coverage: Aetna TX PPO, ID W88120455, group 7741.", "ID")]
    [InlineData("A 12-mm Hasson port was placed under direct vision.", "Hasson")]
    [InlineData("A 12-mm Hasson port was placed under direct vision.", "port")]
    [InlineData("Warfarin 5 mg M-F, 2.5 mg Sa-Su per clinic.", "Sa-Su")]
    [InlineData("INVASIVE CARCINOMA, NOTTINGHAM GRADE 1 (5/9).", "5/9")]
    [InlineData("Short of breath on the 2nd flight of stairs.", "2nd")]
    [InlineData("Paciente / Patient: see below", "Paciente")]
    [InlineData("Geri consult requested for delirium.", "Geri")]
    [InlineData("Signed: Abernathy-Lusk, M.D.", "M.D")]
    public void Scan_WordsThatAreNoOnesIdentifier_AreKept(string text, string word) =>
        AssertNotCovered(text, word);
}
