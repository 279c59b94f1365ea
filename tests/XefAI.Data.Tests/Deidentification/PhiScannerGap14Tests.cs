using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Round 14 of places, streets, identifiers, ages, dates and names, on sentences written for this test: towns with
/// hyphens and particles, after a town label or key, after "from" with a verb of coming or a person, before a year; a
/// street suffix after a word a rule took, county roads by suffix and number, a trailer space, a hyphenated house number;
/// a number after '#' that follows a name; spelled ages after "is" or a relative; a day range's last day; a newborn's
/// hospital name; a nurse column; honorifics and holidays; and the words that stay.
/// </summary>
public sealed class PhiScannerGap14Tests
{
    [Theory]
    [InlineData("Her sister still works in Port-de-Paix with the kids.", "Port-de-Paix")]
    [InlineData("He trained in Aix-en-Provence before moving here.", "Aix-en-Provence")]
    [InlineData("Grandparents kept a farm outside Châlons-en-Champagne for years.", "Châlons-en-Champagne")]
    public void Scan_HyphenatedTownWithParticle_IsMarked(string text, string town) =>
        AssertMarked(text, town, PhiKind.Location);

    [Theory]
    [InlineData("Family met him at the church, then drove back from Hinesville yesterday.", "Hinesville")]
    [InlineData("Her son flew in from Tbilisi last week to help.", "Tbilisi")]
    [InlineData("A 64 yo fisherman, a man from Grand Isle, presents with cough.", "Grand Isle")]
    [InlineData("Cardiac device implanted in Wenzhou 2011, checked yearly.", "Wenzhou")]
    [InlineData("\"address\": {\"city\": \"Talofofo\", \"state\": \"GU\"}", "Talofofo")]
    [InlineData("VILLAGE: Umatac   PHONE on file", "Umatac")]
    public void Scan_TownAfterCue_IsMarked(string text, string town) =>
        AssertMarked(text, town, PhiKind.Location);

    [Theory]
    [InlineData("Pickup is on Dorsey Rd near the feed store.", "Dorsey Rd")]
    [InlineData("The family lives at the camp, Rd 148 & Ave 72, near the packing shed.", "Rd 148 & Ave 72")]
    [InlineData("Lives at 412 Pine St Spc 9, Delano CA 93215.", "Spc 9")]
    [InlineData("Pharmacy at 71-14 Main St, Flushing NY 11367.", "71-14 Main St")]
    public void Scan_StreetRound14_IsCovered(string text, string street) =>
        AssertCovered(text, street);

    [Theory]
    [InlineData("Interpreter Marisol Quintero (#38817) present for consent.", "38817")]
    [InlineData("Escort: two deputies (Hartley #20931, Vance #77410) stayed at bedside.", "77410")]
    public void Scan_NumberAfterHashAfterName_IsMarkedAsId(string text, string id) =>
        AssertMarked(text, id, PhiKind.Id);

    [Theory]
    [InlineData("Her great-aunt Rosalind is ninety-four and lives alone.", "ninety-four")]
    [InlineData("He cares for his father-in-law, ninety-two, at home.", "ninety-two")]
    public void Scan_SpelledAgeOverEightyNineAfterCue_IsMarkedAsAge(string text, string age) =>
        AssertMarked(text, age, PhiKind.Age);

    [Fact]
    public void Scan_LastDayOfRangeAfterMonth_IsMarkedAsDate() =>
        AssertMarked("Admitted to rehab Mar 4-11 for gait training.", "11", PhiKind.Date);

    [Fact]
    public void Scan_NewbornHospitalName_IsMarkedAsName() =>
        AssertMarked("Infant \"Baby Girl Tamarov\" to NICU for glucose checks.", "Baby Girl Tamarov", PhiKind.Name);

    [Fact]
    public void Scan_NurseColumnOfTable_IsMarkedAsName() =>
        AssertCovered("BED | PATIENT | NURSE | NOTES\n4 | HALE, ORIN | Autumn | stable overnight\n", "Autumn");

    [Theory]
    [InlineData("Seen in clinic after Purim, mood improved.", "Purim")]
    [InlineData("Family visited at Chuseok and brought food.", "Chuseok")]
    public void Scan_HolidayDatingCare_IsMarkedAsDate(string text, string holiday) =>
        AssertMarked(text, holiday, PhiKind.Date);

    [Theory]
    [InlineData("Spoke with Inspector Halvorsen by phone at 14:20.", "Halvorsen")]
    [InlineData("Transported by Officers J. Brandt and K. Olsen to the unit.", "Brandt")]
    public void Scan_NameAfterOfficialsTitle_IsCovered(string text, string name) =>
        AssertCovered(text, name);

    [Theory]
    [InlineData("Patient Rosalind Achterberg (Roz) prefers a morning visit.", "Roz")]
    [InlineData("III-1 Menno 8, III-2 Aldus 5 - both unaffected.", "Aldus")]
    [InlineData("Kids: Marcelin (11) and Odile (6), both in school.", "Odile")]
    [InlineData("Visitors: boyfriend \"Peanut\" not on the list.", "Peanut")]
    [InlineData("Her name is Theodora Vance, goes by Teddi. Seen today.", "Teddi")]
    [InlineData("Handoff received from Jaelyn (night RN) at 0700.", "Jaelyn")]
    [InlineData("Counts correct (ST Grant Whitley, RN Tova Marsh).", "Grant")]
    public void Scan_NameRound14_IsCovered(string text, string name) =>
        AssertCovered(text, name);

    [Theory]
    [InlineData("{\"model\": \"x\", \"user\": \"clinic-ma-rdelgado\"}", "clinic-ma-rdelgado")]
    [InlineData("Report printed 11/02/2026 by user hosp\\kwatanabe.", "hosp\\kwatanabe")]
    [InlineData("List printed by mrivas07 at 19:02.", "mrivas07")]
    [InlineData("Release of information, form CDCR-2210-25-0044, signed.", "CDCR-2210-25-0044")]
    public void Scan_LoginOrPrefixedIdentifier_IsMarkedAsId(string text, string id) =>
        AssertMarked(text, id, PhiKind.Id);

    [Fact]
    public void Scan_NeighbourhoodInBracketsAfterZip_IsMarked() =>
        AssertMarked("Address: 12 Ash St, Fall River, MA 02720 (Flint Village)\n", "Flint Village", PhiKind.Location);

    [Fact]
    public void Scan_CommonWordStreetEndingItsClause_IsCovered() =>
        AssertCovered("Needs a ride; Water St, Tulare, after 3 pm.", "Water St");

    [Theory]
    [InlineData("Patient Lena Morrow (Lasix) dose was held overnight.", "Lasix")]
    [InlineData("Kids: Sodium (8) was low; potassium normal.", "Sodium")]
    [InlineData("The user interface was confusing.", "interface")]
    [InlineData("Needs a ride; Main St. Joseph clinic bus.", "Joseph")]
    public void Scan_WordsNearRound14NameCues_Stay(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Son-in-law Reb Yankel Gross visited.", "Reb")]
    [InlineData("Aunt Tante Marie Joseph brought her.", "Tante")]
    [InlineData("Bishop Eli Zook was informed of the plan.", "Bishop")]
    public void Scan_HonorificBeforeName_StaysOutOfTheName(string text, string title) =>
        AssertNotCovered(text, title);

    [Theory]
    [InlineData("Patient came from home with her daughter.", "home")]
    [InlineData("Discharged from Rehab after two weeks, doing well.", "Rehab")]
    [InlineData("Weaned from Lasix in 2019 without trouble.", "Lasix")]
    [InlineData("Surgery in Spring 2020 went well.", "Spring")]
    [InlineData("She has great faith and hope in her recovery.", "faith")]
    [InlineData("Grant application for the program was approved.", "Grant")]
    [InlineData("Routine maintenance of the pump is due.", "maintenance")]
    [InlineData("Room #4112 cleaned; bed #12 empty.", "4112")]
    [InlineData("Titrate Lasix to 40 mg, then reassess.", "40")]
    [InlineData("Her score is ninety percent of goal.", "ninety")]
    [InlineData("Takes Warfarin-de-novo protocol per card.", "Warfarin")]
    [InlineData("Assessed Jan 4-8 weeks after onset.", "8")]
    public void Scan_WordsRound14_Stay(string text, string word) =>
        AssertNotCovered(text, word);
}
