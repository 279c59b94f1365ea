using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Round 19, on sentences written for this test: holidays of a word and "Day" or "Night", "Eid al-...", logins joined by
/// underscores or after a domain, a text thread's sender, two-word towns after a place's preposition; and the words that
/// stay.
/// </summary>
public sealed class PhiScannerGap19Tests
{
    [Theory]
    [InlineData("Fell at the parade on Memorial Day and waited to come in.", "Memorial Day")]
    [InlineData("last seen around labor day when the cough started", "labor day")]
    [InlineData("Admitted the morning after New Year's Night with chest pain.", "New Year's Night")]
    [InlineData("Symptoms began the week of St. Patrick's Day per wife.", "St. Patrick's Day")]
    [InlineData("Family gathered for Watch Night and she became dyspneic.", "Watch Night")]
    [InlineData("Travelled home for Eid al-Fitr and missed two dialysis runs.", "Eid al-Fitr")]
    [InlineData("Last dose before Obon, restarted after.", "Obon")]
    public void Scan_HolidayPhrase_IsMarked(string text, string holiday) =>
        AssertMarked(text, holiday, PhiKind.Date);

    [Theory]
    [InlineData("Started on day 3 of the course; the night nurse noted fever.", "day")]
    [InlineData("Keep a flag on the chart; day shift to follow up.", "flag")]
    [InlineData("Asked her to watch night sweats and weigh daily.", "watch")]
    [InlineData("Mother's day-to-day care is done by her son.", "Mother")]
    public void Scan_DayOrNightInASentence_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Abstracted by coder mk_ferreira for the claim.", "mk_ferreira")]
    [InlineData("Result verified. By chem_tlopez.", "chem_tlopez")]
    [InlineData("Report exported by svc_hl7_north at 04:10.", "svc_hl7_north")]
    [InlineData("Chart exported by NORTHMED\\jvarga7 at shift change.", "NORTHMED\\jvarga7")]
    [InlineData("Chart printed by corp\\aokafor22 for the transfer.", "corp\\aokafor22")]
    [InlineData("Printed 03/09/2026 06:15 by tnakashima", "tnakashima")]
    public void Scan_Login_IsMarked(string text, string login) =>
        AssertMarked(text, login, PhiKind.Id);

    [Theory]
    [InlineData("Printed 03/09/2026 06:15 by pharmacy", "pharmacy")]
    [InlineData("Reviewed by phone at 10:15 by the team.", "phone")]
    [InlineData("Set max_dose to 40 mg in the order.", "max_dose")]
    [InlineData("Saved under reports\\daily for the audit.", "reports")]
    public void Scan_NoLogin_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Fact]
    public void Scan_TextThreadSender_IsMarkedWithItsMentions()
    {
        const string text = "[3/2 6:10 pm] wanjiku: grandma fell again\n[3/2 6:12 pm] wanjiku: this is wanjiku, her granddaughter";
        AssertMarked(text, "wanjiku", PhiKind.Name);
        var spans = Scan(text);
        var last = text.LastIndexOf("wanjiku", StringComparison.Ordinal);
        Assert.Contains(spans, s => s.Kind == PhiKind.Name && s.Start <= last && last < s.Start + s.Length);
    }

    [Fact]
    public void Scan_CommonWordAfterBracketedTime_StaysUnmarked() =>
        AssertNotCovered("[3/2 6:10 pm] note: pain better after the dose", "note");

    [Theory]
    [InlineData("She drives down from Copper Harbor on weekends.", "Copper Harbor")]
    [InlineData("Lives at Second Mesa with her daughter.", "Second Mesa")]
    [InlineData("Labs at the Lake Orion draw station first.", "Lake Orion")]
    [InlineData("Grew up in Port Allen and moved north.", "Port Allen")]
    [InlineData("Born Tiraspol; emigrated 1998 with her parents.", "Tiraspol")]
    [InlineData("Pt born Kremenchuk, lived Zhytomyr until 2003.", "Zhytomyr")]
    public void Scan_TwoWordTownAfterPlaceCue_IsMarked(string text, string town) =>
        AssertMarked(text, town, PhiKind.Location);

    [Theory]
    [InlineData("Refills from the pharmacy on Hickory Road, open late.", "Hickory Road")]
    [InlineData("Lives off Cane Ridge Pike near the school.", "Ridge Pike")]
    [InlineData("Seen at the clinic on Murfreesboro Pike last year.", "Murfreesboro Pike")]
    public void Scan_StreetWithoutNumber_IsMarked(string text, string street) =>
        AssertMarked(text, street, PhiKind.Address);

    [Theory]
    [InlineData("Back on Room Air since Tuesday, walking the Hall.", "Room")]
    [InlineData("Wants to stay on Metoprolol Lane? no, metoprolol only.", "Metoprolol")]
    public void Scan_CapitalizedWordsAfterOn_StayUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Fact]
    public void Scan_SaintBeforeAPlace_IsCovered() =>
        AssertCovered("Moved to Chalmette in St. Bernard Parish after the storm.", "St. Bernard");

    [Theory]
    [InlineData("Transferred to Sunset Village Care Home for rehab.", "Sunset")]
    [InlineData("Pain in Right Knee since the fall.", "Right")]
    [InlineData("Went back to Main Street clinic for maintenance therapy.", "Main")]
    [InlineData("Improved in Grant Hope rehab on Lasix.", "Lasix")]
    [InlineData("Born Premature at 31 weeks, lived Alone since.", "Alone")]
    [InlineData("Lived With her daughter and Born There.", "With")]
    [InlineData("Moved from Boston and Metoprolol was stopped.", "Metoprolol")]
    public void Scan_NoTownAfterPlaceCue_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);
}
