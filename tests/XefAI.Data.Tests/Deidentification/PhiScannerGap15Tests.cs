using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Round 15, on sentences written for this test: ISBT 128 blood-unit numbers with their flag, plates after a state's code
/// and a vehicle word, transcript speaker labels after a timestamp, names at the head of a handoff bullet before the age
/// and sex, and spoken numbers in lower-case dictation; and the words that stay.
/// </summary>
public sealed class PhiScannerGap15Tests
{
    [Theory]
    [InlineData("Transfused 1 unit PRBC, unit W1187 25 604412 K, no reaction.", "W1187 25 604412 K")]
    [InlineData("Platelets given (donation Q0031 26 118820 7) at 14:10.", "Q0031 26 118820 7")]
    public void Scan_BloodUnitNumber_IsMarkedWithItsFlag(string text, string unit) =>
        AssertCovered(text, unit);

    [Fact]
    public void Scan_LabValuesInARow_AreNotABloodUnit() =>
        AssertNotCovered("Lytes 12 140 4.1 102 24 18 1.0, A1C 7.2", "140");

    [Theory]
    [InlineData("Left the pickup in the ED lot, plate WI KRT 552, keys at desk.", "WI KRT 552")]
    [InlineData("Brother's truck, ND HVB 3092. He drives her home.", "ND HVB 3092")]
    [InlineData("Injured on his snowmobile, reg WI 8812 KE, near the lake.", "WI 8812 KE")]
    public void Scan_PlateAfterStateAndVehicleWord_IsMarked(string text, string plate) =>
        AssertMarked(text, plate, PhiKind.Vehicle);

    [Fact]
    public void Scan_StateAndCodeWithoutVehicleWord_IsNotAPlate() =>
        AssertNotCovered("Transferred from MN MRI 3 suite after the scan.", "MRI");

    [Theory]
    [InlineData("[00:02] OKAFOR: Can you see my screen?\n[00:05] PATIENT: yes I can.", "OKAFOR")]
    [InlineData("[01:15] BAKER: How is the new inhaler working?", "BAKER")]
    public void Scan_TranscriptSpeakerSurname_IsMarked(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Theory]
    [InlineData("[00:02] PATIENT: it hurts when I walk.", "PATIENT")]
    [InlineData("[10:40] INTERPRETER: she says yes.", "INTERPRETER")]
    [InlineData("Karyotype 46,XY[20] FISH: negative for BCR::ABL1.", "FISH")]
    public void Scan_TranscriptRoleOrHeading_IsNotAName(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("• Lindqvist, Aarne 84M rm 210 MRN 55102\n  - I: stable", "Aarne")]
    [InlineData("- Hope, Grant \"Buddy\" 71M bed 4\n  - P: CHF", "Grant \"Buddy\"")]
    [InlineData("• Mercy, Faith 45F rm 9", "Mercy, Faith")]
    public void Scan_NameAtHandoffBulletBeforeAgeAndSex_IsMarked(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Theory]
    [InlineData("• Plan, reviewed 3x daily with team", "Plan")]
    [InlineData("Grant writing, Hope 72M", "writing")]
    [InlineData("- Metformin, Lisinopril 20mg daily", "Lisinopril")]
    public void Scan_BulletWithoutAgeAndSex_IsNotAName(string text, string word) =>
        AssertNotCovered(text, word);

    private const string Dictation =
        "this is a dictation for a follow up visit the patient is doing well today and the plan is to continue the same medications "
        + "she lives at four two nine elm street in the town center and her workers comp claim number is w c two two eight four one "
        + "scratch that two two eight four seven period she was seen for maintenance of her knee brace and her main concern is stiffness "
        + "job number eight three one one six";

    [Fact]
    public void Scan_SpokenIdentifierAfterCue_IsMarkedWithItsLetters() =>
        AssertCovered(Dictation, "w c two two eight four one");

    [Fact]
    public void Scan_SpokenCorrection_TakesTheCorrectedKind() =>
        AssertCovered(Dictation, "two two eight four seven");

    [Fact]
    public void Scan_SpokenJobNumber_IsMarked() =>
        AssertCovered(Dictation, "eight three one one six");

    [Theory]
    [InlineData("maintenance")]
    [InlineData("main")]
    [InlineData("medications")]
    public void Scan_DictationWords_Stay(string word) =>
        AssertNotCovered(Dictation, word);

    [Theory]
    [InlineData("{ \"caseId\": \"WC-2025-77310\", \"status\": \"open\" }", "WC-2025-77310")]
    [InlineData("{\"encounterID\":\"E88214\"}", "E88214")]
    public void Scan_JsonValueAfterIdKey_IsMarked(string text, string value) =>
        AssertMarked(text, value, PhiKind.Id);

    [Theory]
    [InlineData("{ \"typeId\": \"referral\", \"priority\": \"routine\" }", "referral")]
    [InlineData("{ \"Id\": \"x\", \"dose\": \"500 mg\" }", "500")]
    public void Scan_JsonValueWithoutDigitOrKey_Stays(string text, string word) =>
        AssertNotCovered(text, word);

    [Fact]
    public void Scan_JsonAgeOverEightyNine_IsMarked() =>
        AssertMarked("{ \"relation\": \"aunt\", \"age\": 93, \"lives\": \"alone\" }", "93", PhiKind.Age);

    [Fact]
    public void Scan_JsonAgeUnderNinety_Stays() =>
        AssertNotCovered("{ \"relation\": \"aunt\", \"age\": 67, \"lives\": \"alone\" }", "67");

    [Theory]
    [InlineData("Wallowa Memorial Hospital Eye Clinic, Enterprise, OR\nVisit 12/02", "Enterprise")]
    [InlineData("Seen at Pioneer Memorial Clinic, Heppner, OR (outreach)", "Heppner")]
    public void Scan_TownBetweenFacilityAndState_IsCovered(string text, string town) =>
        AssertCovered(text, town);

    [Theory]
    [InlineData("Signed: Hope Grant, Clinic Nurse, RN\n", "Nurse")]
    [InlineData("Follow up with Valley Clinic, Sarah Oduya, MD\n", "Clinic")]
    public void Scan_WordsBeforeACredential_AreNotATown(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Symptoms began mid-June after the move.", "mid-June")]
    [InlineData("Last seen early-March by her PCP.", "early-March")]
    public void Scan_PartOfAMonth_IsMarked(string text, string date) =>
        AssertMarked(text, date, PhiKind.Date);

    [Fact]
    public void Scan_MidWordBeforeAWordThatIsNoMonth_Stays() =>
        AssertNotCovered("Pain is mid-back, worse with lifting.", "back");

    [Theory]
    [InlineData("Mother speaks Karen only; Karen interpreter by phone for the visit.", "Karen interpreter")]
    [InlineData("Family asks for discharge papers in Karen, please.", "Karen,")]
    [InlineData("Counts to 10 in English and Karen at school.", "Karen at")]
    [InlineData("Dev: runs, jumps, draws a circle.", "Dev")]
    [InlineData("CLAIM WORKSHEET / CMS-1500 (export)", "CMS-1500")]
    public void Scan_LanguageHeadingOrForm_Stays(string text, string word) =>
        AssertNotCovered(text, word);

    [Fact]
    public void Scan_KarenAsAName_IsStillMarked() =>
        AssertCovered("Spoke with her daughter Karen Lindqvist about the plan.", "Karen");
}
