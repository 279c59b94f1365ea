using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Round 13 of the de-identifier's gaps, on chat prompts written for this test: names typed in lower case after "pt is"
/// or an introduction, two ordinary words as a name after "for" or "to" before an age, months and ordinary words used as
/// given names, imperative verbs before a name, lower-case towns after "lives in", and streets without their suffix.
/// </summary>
public sealed class PhiScannerChat13Tests
{
    [Theory]
    [InlineData("pt is oscar delgado 38yo m w/ cough x1wk", "oscar delgado")]
    [InlineData("patient is nadia petrov, 29f, 2nd trimester", "nadia petrov")]
    [InlineData("pt: walter king 80M fell at home", "walter king")]
    [InlineData("pt name helen park, needs refill", "helen park")]
    [InlineData("hi its rosa quintero, my daughter has a rash", "rosa quintero")]
    [InlineData("hello, it's gloria okafor again", "gloria okafor")]
    [InlineData("im tessa marlowe and i need my labs", "tessa marlowe")]
    [InlineData("he's my patient benjamin cho, 44, and his a1c is 9.2", "benjamin cho")]
    [InlineData("our patient doris whitlock needs a ride", "doris whitlock")]
    public void Scan_LowerCaseNameAfterACue_IsMarkedAsName(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Theory]
    [InlineData("pt is fine today, no complaints", "fine")]
    [InlineData("pt is doing well after the procedure", "doing")]
    [InlineData("its been three days of fever", "been")]
    [InlineData("i am will power personified", "will")]
    [InlineData("pt: ya thats it for now", "ya")]
    [InlineData("hi its mark on the skin that worries me", "mark")]
    [InlineData("my patient needs a ride home", "needs")]
    [InlineData("my patient will call back", "will")]
    public void Scan_WordAfterALowerCaseCue_IsKept(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Draft a note for Archer Cole (age 88) about his fall", "Archer Cole")]
    [InlineData("Summary for Chase Young III, admitted for CHF", "Chase Young")]
    [InlineData("Write a letter to Forest Gale, 61, about his results", "Forest Gale")]
    [InlineData("Question about Rusty Banks 70yo with gout", "Rusty Banks")]
    [InlineData("Discharge plan for Sterling Price Jr. after hip repair", "Sterling Price")]
    public void Scan_OrdinaryWordsAsANameAfterAPromptCue_AreMarkedAsName(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Fact]
    public void Scan_OrdinaryWordsAsAName_AreFoundAgainAlone()
    {
        const string text = "Instructions for Archer Cole (age 88). Archer lives alone; Archer's son visits.";
        AssertNameAt(text, text.IndexOf("Archer lives", StringComparison.Ordinal), "Archer".Length);
        AssertNameAt(text, text.IndexOf("Archer's", StringComparison.Ordinal), "Archer".Length);
    }

    [Theory]
    [InlineData("Apply for Grant funding (federal) next year", "Grant")]
    [InlineData("Note for Heart Failure (HFrEF) follow-up", "Heart")]
    [InlineData("Summary for Blue Sky clinic staff", "Blue")]
    [InlineData("Tell me about Power Plate (machine) exercise", "Power")]
    [InlineData("Reply to Front Desk, please", "Front")]
    public void Scan_CapitalizedPairWithoutAPersonsFollower_IsKept(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Her granddaughter April Stone is the POA.", "April Stone")]
    [InlineData("His wife May Chen brought his meds.", "May Chen")]
    [InlineData("Son August Reyes 41 will drive.", "August Reyes")]
    [InlineData("June Okafor, 58F, with COPD", "June Okafor")]
    [InlineData("Spoke to daughter June about meds.", "June")]
    public void Scan_MonthAsAGivenName_IsMarkedAsName(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Fact]
    public void Scan_MonthAsAGivenName_IsFoundAgainAsASubject()
    {
        const string text = "June Okafor, 58F, with COPD. June's husband is at bedside.";
        AssertNameAt(text, text.IndexOf("June's", StringComparison.Ordinal), "June".Length);
    }

    [Theory]
    [InlineData("Follow up on June 3rd with labs.", "June 3rd")]
    [InlineData("Last seen in April 2025 for a rash.", "April 2025")]
    [InlineData("Moved here in March Harlan was still in school.", "March")]
    [InlineData("Symptoms since August Lyme titer pending.", "August")]
    public void Scan_MonthWithADayOrYear_StaysADate(string text, string date) =>
        AssertMarked(text, date, PhiKind.Date);

    [Theory]
    [InlineData("Mammogram is due in April.", "April")]
    [InlineData("April Fools was a joke to her.", "Fools")]
    [InlineData("March Madness raised his BP.", "Madness")]
    public void Scan_MonthAsAMonth_IsNoName(string text, string word) =>
        Assert.DoesNotContain(Scan(text), s => s.Kind == PhiKind.Name && s.Start <= text.IndexOf(word, StringComparison.Ordinal)
            && text.IndexOf(word, StringComparison.Ordinal) < s.Start + s.Length);

    [Theory]
    [InlineData("Then Dawn called back about the rx.", "Dawn")]
    [InlineData("Hope is her daughter and the HCP.", "Hope")]
    [InlineData("Faith is the patient's sister.", "Faith")]
    [InlineData("Pt says Rose wants a call today.", "Rose")]
    [InlineData("Plan reviewed with Dawn (niece) at bedside.", "Dawn")]
    [InlineData("Rides arranged by Hope - daughter", "Hope")]
    [InlineData("Discussed with Summer, who agrees.", "Summer")]
    [InlineData("Refill sent per Misty.", "Misty")]
    [InlineData("cc: Rusty; Dr. Lowe", "Rusty")]
    public void Scan_OrdinaryWordAsAGivenName_IsMarkedAsName(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Theory]
    [InlineData("Pharmacy called back about the rx.", "Pharmacy")]
    [InlineData("Hope this helps with the plan.", "Hope")]
    [InlineData("Will you call me back?", "Will")]
    [InlineData("This is his daughter's phone.", "This")]
    [InlineData("Grant funding says no to it.", "Grant")]
    [InlineData("Dosed per Protocol, then rechecked.", "Protocol")]
    [InlineData("Spoke with Pharmacy, who will refill.", "Pharmacy")]
    [InlineData("Seen in Ortho (knee) clinic.", "Ortho")]
    public void Scan_OrdinaryWordBeforeAPersonsVerb_IsKept(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Tell Buck his potassium was fine.", "Tell")]
    [InlineData("Remind Buck about the fasting labs.", "Remind")]
    [InlineData("Thanks. Ask Buck to call back.", "Ask")]
    public void Scan_ImperativeVerbBeforeAKnownName_IsNotPartOfTheName(string text, string verb)
    {
        var known = KnownPeople.From([new ClinicalPerson("patient") { GivenNames = ["Buck"], FamilyNames = ["Harlan"] }]);
        var spans = new List<PhiSpan>();
        PhiScanner.Default.Scan(text, known, spans, []);

        var buck = text.IndexOf("Buck", StringComparison.Ordinal);
        var at = text.IndexOf(verb, StringComparison.Ordinal);
        Assert.Contains(spans, s => s.Kind == PhiKind.Name && s.Start == buck && s.Length == 4);
        Assert.DoesNotContain(spans, s => s.Start <= at && at < s.Start + s.Length);
    }

    [Theory]
    [InlineData("lives w/ her son in crow agency.", "crow agency")]
    [InlineData("pt is from box elder, visiting family", "box elder")]
    public void Scan_LowerCaseTownAfterLivesIn_IsMarkedAsLocation(string text, string town) =>
        AssertMarked(text, town, PhiKind.Location);

    [Theory]
    [InlineData("lives in a group home.", "group")]
    [InlineData("lives in assisted living.", "assisted")]
    [InlineData("lives in fear of falling.", "fear")]
    [InlineData("lives in poverty.", "poverty")]
    [InlineData("she is from out of state.", "out")]
    public void Scan_LowerCaseWordsAfterLivesIn_AreKept(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Address: 5420 Bissonnet, Houston, TX 77005", "5420 Bissonnet")]
    [InlineData("mail it to 17 Wexcombe, Laredo TX", "17 Wexcombe")]
    [InlineData("990 Old Quarry, Boise, Idaho", "990 Old Quarry")]
    public void Scan_StreetWithoutSuffixBeforeACityAndState_IsMarkedAsAddress(string text, string street) =>
        AssertMarked(text, street, PhiKind.Address);

    [Theory]
    [InlineData("Gloria lives with me at 2210 Magnolia in Slidell.", "2210 Magnolia")]
    [InlineData("He is living at 48 Cold Spring, near the quarry.", "48 Cold Spring")]
    [InlineData("Mom moved last year and now lives at 7 Larkspur.", "7 Larkspur")]
    public void Scan_StreetWithoutSuffixAfterLivesAt_IsMarkedAsAddress(string text, string street) =>
        AssertMarked(text, street, PhiKind.Address);

    [Theory]
    [InlineData("She lives alone; seen at 10 Tylenol doses a day.", "Tylenol")]
    [InlineData("Lives at home; walks at 3 Mph on the treadmill.", "Mph")]
    [InlineData("Lives with daughter. Arrived at 9 Monday.", "Monday")]
    public void Scan_NumberAfterAtWithoutLivesInTheSentence_IsNoStreet(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Gave 500 Tylenol, Motrin, PO q6h.", "Tylenol")]
    [InlineData("Scored 4 Braden, Morse 45 today.", "Braden")]
    [InlineData("Bed 12 North, Main TX unit.", "North")]
    public void Scan_NumberBeforeCapitalizedWords_IsNoStreet(string text, string word) =>
        AssertNotCovered(text, word);

    private static void AssertNameAt(string text, int start, int length)
    {
        Assert.True(start >= 0, "the word is not in the text");
        Assert.Contains(Scan(text), s => s.Kind == PhiKind.Name && s.Start == start && s.Length == length);
    }
}
