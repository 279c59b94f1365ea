using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Names whose words are also dictionary words, on sentences written for this test: the commonest American first names
/// and surnames in running text, names in lists, first names after a role, nicknames, names after a label.
/// </summary>
public sealed class PhiScannerGap9NamesTests
{
    [Theory]
    [InlineData("Patient John Smith presented with two days of cough.", "John Smith")]
    [InlineData("Patient Peter White presented to clinic today.", "Peter White")]
    [InlineData("Patient Heather Young presented after a fall.", "Heather Young")]
    [InlineData("Resident Carol Brooks was found on the floor.", "Carol Brooks")]
    [InlineData("Pt. Randy Cooper tolerated the procedure.", "Randy Cooper")]
    [InlineData("John Smith, 45M, presents with chest pain.", "John Smith")]
    [InlineData("Frank Miller (DOB 03/04/1951) seen for follow-up.", "Frank Miller")]
    [InlineData("Amber King MRN 4410982 arrived by ambulance.", "Amber King")]
    [InlineData("Jack Turner was seen in the ED overnight.", "Jack Turner")]
    [InlineData("Roger Hall is a 67-year-old man with COPD.", "Roger Hall")]
    [InlineData("Met with Terry Long and his wife.", "Terry Long")]
    [InlineData("Discussed the plan with Billy Reed, who agreed.", "Billy Reed")]
    [InlineData("Client Mason Ward reports better sleep.", "Mason Ward")]
    public void Scan_CommonFirstNameAndSurnameInRunningText_IsMarkedAsName(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Theory]
    [InlineData("We reviewed the Grace Period for the premium.", "Grace")]
    [InlineData("Mark Site before the procedure.", "Site")]
    [InlineData("Referred to Long Term Care for placement.", "Long")]
    [InlineData("Seen at Mark Hill today.", "Mark")]
    [InlineData("The Young Adult Clinic called.", "Young")]
    [InlineData("will mark white areas on the diagram", "white")]
    public void Scan_TitleCaseOrOrdinaryWords_AreKept(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Drove up from Sandy Springs for the visit.", "Sandy")]
    [InlineData("She moved to Grand Rapids and works there.", "Grand")]
    public void Scan_TownOfTwoNameWords_IsNotAName(string text, string word) =>
        Assert.DoesNotContain(Scan(text), s => s.Kind == PhiKind.Name && s.Start == text.IndexOf(word, StringComparison.Ordinal));

    [Theory]
    [InlineData("Rx filled - Okafor, Grant (DOB 02/11/1950) - counselled on bleeding.", "Grant")]
    [InlineData("Visit 0915   Dr. Mwangi   Okafor, Bogdan (44120871)   consent signed", "Bogdan")]
    [InlineData("Okafor, Pa Yeng (DOB 2019-05-01)  daughter  household", "Pa Yeng")]
    [InlineData("Okafor, Dana MRN 55102 seen in clinic", "Dana")]
    public void Scan_GivenNameAfterFoundSurnameAndComma_IsMarkedAsName(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Fact]
    public void Scan_OddRowOfANameList_IsMarkedAsName()
    {
        const string text = "Contact            Relation    Result\n"
            + "Okafor, Adaeze          wife        pos\n"
            + "Nguyen, Thanh           brother     neg\n"
            + "Garcia, Lucia           sister      neg\n"
            + "Okeke, Ugochukwu        co-worker   neg\n";
        AssertMarked(text, "Okeke, Ugochukwu", PhiKind.Name);
    }

    [Theory]
    [InlineData("Dr. Okafor, licsw, saw the patient", "licsw")]
    public void Scan_WordAfterANameAndComma_IsNotAGivenName(string text, string word) =>
        Assert.DoesNotContain(Scan(text), s => s.Kind == PhiKind.Name && s.Start == text.IndexOf(word, StringComparison.Ordinal));

    [Fact]
    public void Scan_ListOfClinicalPairs_IsKept()
    {
        const string text = "Okafor, Adaeze   wife\nNguyen, Thanh   brother\nAllergies, None\nCough, Fever\n";
        AssertNotCovered(text, "Allergies");
        AssertNotCovered(text, "Fever");
    }

    [Theory]
    [InlineData("Please ask Grant to call the family after rounds.", "Grant")]
    [InlineData("Faith (daughter) at bedside, updated on the plan.", "Faith")]
    [InlineData("Last seen in the dayroom by Hope (activities) at 17:20.", "Hope")]
    [InlineData("Meds delivered by driver Ivy; counselled by phone.", "Ivy")]
    [InlineData("No visitors per Joy's request.", "Joy")]
    public void Scan_FirstNameThatIsAWordAfterACueOrBeforeARole_IsMarkedAsName(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Theory]
    [InlineData("We have faith the night will be quiet.", "faith")]
    [InlineData("She applied for a Grant through the county.", "Grant")]
    [InlineData("Hope for the best, plan for the worst.", "Hope")]
    [InlineData("Bell's palsy on the left.", "Bell")]
    public void Scan_OrdinaryWordThatIsAFirstName_IsKept(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("402   Blessing \"Bee\" Okonjo-Hart 31F  sickle crisis", "Blessing \"Bee\" Okonjo-Hart")]
    [InlineData("403B  Keolani \"Keo\" Tuilagi  58F  post-op day 1", "Keolani \"Keo\" Tuilagi")]
    [InlineData("405   \"Big Tony\" - 55M ETOH withdrawal", "Big Tony")]
    public void Scan_NicknameInQuotesInsideAName_IsMarkedAsName(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Theory]
    [InlineData("Pain \"Severe\" Today per the scale", "Severe")]
    [InlineData("Started \"Normal\" Saline at 75 mL/h", "Saline")]
    public void Scan_QuotedWordBetweenOrdinaryWords_IsKept(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Athlete: Sione Taufa   DOB 6/2/2009   Student ID 10447", "Sione Taufa")]
    [InlineData("Patient: 'Ana Taufa\nVisit: concussion follow-up", "Ana Taufa")]
    [InlineData("Name: Rosalie Two Feathers\nDOB: 01/02/1950", "Rosalie Two Feathers")]
    [InlineData("Patient: Running Elk, Darla   DOB 10/10/1946   MRN 0071182", "Running Elk, Darla")]
    [InlineData("RPh on duty: Chiamaka Obiora, PharmD (lic. RPH.0342)", "Chiamaka Obiora")]
    [InlineData("copy to Efua Mensah-Boateng, FNP", "Efua Mensah-Boateng")]
    public void Scan_NameAfterAFieldLabelOrBeforeACredential_IsMarkedAsName(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Theory]
    [InlineData("Infant: Baby Girl Okafor   MRN 55102", "Baby Girl")]
    [InlineData("Client: Mira Patel Dermatology\nCase: 44", "Dermatology")]
    [InlineData("Patient: Alert And Oriented\nPlan: home", "Alert")]
    [InlineData("Examiner: Greer Okafor-Dunn, AuD, CCC-A", "AuD")]
    public void Scan_WordsAfterAFieldLabelOrACredentialThatAreNoName_AreNotNames(string text, string words) =>
        Assert.DoesNotContain(Scan(text), s => s.Kind == PhiKind.Name && s.Start == text.IndexOf(words, StringComparison.Ordinal));

    [Theory]
    [InlineData("code this visit: m. adebayo-kerr (mrn 5501234, dob 01.02.1990) seen today", "m. adebayo-kerr")]
    [InlineData("seen by me (r. whitcombe, PA-C) for a laceration", "r. whitcombe")]
    public void Scan_LowerCaseInitialAndSurnameBeforeACue_IsMarkedAsName(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Theory]
    [InlineData("Interpreter: Kinyarwanda, in person, Claudine Mukamana (ID 31)", "Kinyarwanda")]
    [InlineData("Emergency contact in India: father S. Raman, +91 98200 55501", "India")]
    [InlineData("tiene fiebre y tos. Ya le di acetaminofén.", "Ya")]
    [InlineData("Resident: Cornelius Abernathy-Vance   Room 118B   Age 90", "Room")]
    [InlineData("Therapy: daptomycin IV q24h via CADD Solis pump SN CS4-22091173", "Solis")]
    [InlineData("Chamber: monoplace #2 (Sechrist 3600H, SN 36H-009127)", "Sechrist")]
    [InlineData("seen today mister fairbrother comes in with his wife for follow up", "comes")]
    public void Scan_WordTakenForAName_IsNotAName(string text, string word) =>
        Assert.DoesNotContain(Scan(text), s => s.Kind == PhiKind.Name && s.Start <= text.IndexOf(word, StringComparison.Ordinal)
            && text.IndexOf(word, StringComparison.Ordinal) < s.Start + s.Length);

    [Fact]
    public void Scan_LowerCaseInitialBeforeAClinicalWord_IsKept() =>
        AssertNotCovered("e. coli and s. aureus (mrn pending)", "coli");
}
