using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Round 23, on sentences written for this test: towns before a state's code or name, ZIP codes after a state on the
/// line before, counties after "county" or before "CO", aircraft registrations and plates, saints' days and feasts,
/// "Patient Brown called"; names written in Cyrillic or Greek look-alikes alone and numbers in small digits; and the
/// words that stay.
/// </summary>
public sealed class PhiScannerGap23Tests
{
    [Theory]
    [InlineData("Transferred from Garrison Valley Hospital, Tolna ND      To: Sunrise Manor", "Tolna")]
    [InlineData("Lives past the grain elevator, Fort Ransom ND; no phone at home.", "Fort Ransom")]
    [InlineData("Referring clinic: Eagle Pass Clinic, Quemado TX\nReason: cough", "Quemado")]
    public void Scan_TownBeforeStateCode_IsMarked(string text, string town) =>
        AssertCovered(text, town);

    [Theory]
    [InlineData("Started heparin, Lovenox SC; monitor platelets.", "Lovenox")]
    [InlineData("Discussed with Dr. Amos Keel, MD today.", "MD")]
    [InlineData("Findings: mild MR, Trace AR.", "Trace")]
    [InlineData("Oxygen weaned, Room air NC at night.", "Room")]
    public void Scan_WordBeforeCodeThatIsAlsoClinical_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Heart Institute - Omaha, Nebraska\nCONSULT NOTE", "Omaha")]
    [InlineData("She grew up in Bismarck, North Dakota and moved at 20.", "Bismarck")]
    public void Scan_TownBeforeStateName_IsMarked(string text, string town) =>
        AssertCovered(text, town);

    [Theory]
    [InlineData("Home 41 Ridge Rd, Bryson City NC\n28713; lives with son.", "28713")]
    [InlineData("ADDR|12 MAIN ST^^SPRINGFIELD^IL^62704|", "62704")]
    [InlineData("Moved in with her son at 88 W 4th, Fresno 93706 last year.", "93706")]
    public void Scan_ZipAfterStateOrTown_IsMarkedAsZip(string text, string zip) =>
        AssertMarked(text, zip, PhiKind.Zip);

    [Theory]
    [InlineData("Insulin glargine NC 12 units at night, total 20000 units.", "20000")]
    [InlineData("Platelets 150000 after transfusion.", "150000")]
    public void Scan_NumbersNotAfterAPlace_StayUnmarked(string text, string number) =>
        AssertNotCovered(text, number);

    [Theory]
    [InlineData("Home address on file; county Graham. Lives alone.", "Graham")]
    [InlineData("ADDRESS: 9 Elm St, Stuart NE 68780        HOLT CO\nCollected 08:10", "HOLT")]
    public void Scan_CountyAfterCueOrBeforeCo_IsMarked(string text, string county) =>
        AssertCovered(text, county);

    [Theory]
    [InlineData("Called the county Sheriff about the dog.", "Sheriff")]
    [InlineData("Uses the county Fair grounds shelter.", "Fair")]
    public void Scan_CountyWordBeforeOrdinaryWords_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Flown by air ambulance (aircraft N512TR) from the village.", "N512TR")]
    [InlineData("Medevac tail # N88Q landed at 14:10.", "N88Q")]
    [InlineData("If no ride, her son drives 7TRW552 (CA) to the clinic.", "7TRW552")]
    public void Scan_AircraftOrPlate_IsMarkedAsVehicle(string text, string vehicle) =>
        AssertMarked(text, vehicle, PhiKind.Vehicle);

    [Theory]
    [InlineData("Wants to walk in the procession on St. Anthony's Day with his cousins.", "St. Anthony's Day")]
    [InlineData("he fell on saint george's day at the church hall", "saint george's day")]
    [InlineData("Fasting ended after the Feast of Saint Nicholas last week.", "Feast of Saint Nicholas")]
    [InlineData("Hip pain worse since Feast Day dances at the pueblo.", "Feast Day")]
    public void Scan_SaintsDayOrFeast_IsMarkedAsDate(string text, string date) =>
        AssertMarked(text, date, PhiKind.Date);

    [Theory]
    [InlineData("Admitted to St. Luke's Day Surgery for the biopsy.", "Day")]
    [InlineData("A feast of vegetables is fine on this diet.", "feast")]
    public void Scan_SaintOrFeastWordsAsPlaces_StayUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Patient Brown called this morning about the refill.", "Brown")]
    [InlineData("Pt Young states the pain is better.", "Young")]
    [InlineData("Seen at noon. Patient Rivers reports dizziness.", "Rivers")]
    public void Scan_CommonWordSurnameAfterPatientAtSentenceStart_IsMarkedAsName(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Theory]
    [InlineData("Patient Education was provided on inhaler use.", "Education")]
    [InlineData("Patient Portal has the results.", "Portal")]
    [InlineData("The Patient Safety officer called.", "Safety")]
    [InlineData("Patient Foley was removed at 06:00.", "Foley")]
    public void Scan_HeadingOrClinicalWordAfterPatient_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Please call \u041A\u0430\u0443 back today.", "\u041A\u0430\u0443")]
    [InlineData("\u041A\u0430\u0443 \u0421\u043E\u0445 called about the refill.", "\u0421\u043E\u0445")]
    [InlineData("Refill for \u041A\u0430\u0443 \u0421\u043E\u0445, please.", "\u041A\u0430\u0443")]
    public void Protect_NameOfLookAlikesAloneAmongLatinWords_IsReplaced(string text, string name)
    {
        var result = Protect(text);

        Assert.DoesNotContain(name, result, StringComparison.Ordinal);
        Assert.Contains("[NAME_", result, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\u0421\u043E\u043A \u0438 \u0432\u043E\u0434\u0430.")]
    [InlineData("\u0420\u0443\u043A\u0430 \u0431\u043E\u043B\u0438\u0442, \u0441\u043E\u043A \u043D\u0435\u0442.")]
    [InlineData("\u039A\u0391\u0399 \u03A4\u039F \u03A0\u0391\u0399\u0394\u0399.")]
    public void Protect_CyrillicOrGreekTextOfLookAlikeWords_StaysInItsScript(string text) =>
        Assert.Equal(text, Protect(text));

    [Theory]
    [InlineData("Call \u2076\u00B9\u2077-\u2075\u2075\u2075-\u2070\u00B9\u00B3\u2074 today.", "\u2075\u2075\u2075")]
    [InlineData("SSN \u2074\u00B9\u00B2-\u2075\u2076-\u2077\u2078\u00B2\u00B3 on file.", "\u2077\u2078\u00B2\u00B3")]
    [InlineData("Cell \u2086\u2081\u2087 \u2085\u2085\u2085 \u2080\u2081\u2083\u2084.", "\u2085\u2085\u2085")]
    public void Protect_PhoneOrSsnInSmallDigits_IsReplaced(string text, string part) =>
        Assert.DoesNotContain(part, Protect(text), StringComparison.Ordinal);

    [Theory]
    [InlineData("WBC 7.2 x 10\u2079/L, platelets 210 x 10\u2079/L.")]
    [InlineData("BSA 1.9 m\u00B2; eGFR 58 mL/min/1.73 m\u00B2.")]
    [InlineData("H\u2082O intake 2 L; CO\u2082 24.")]
    public void Protect_ExponentsAndFormulas_StayAsWritten(string text) =>
        Assert.Equal(text, Protect(text));

    [Theory]
    [InlineData("Grandson called Tinker (patient's nickname) twice from the road.", "Tinker")]
    [InlineData("Potassium 6.8 read back by Zdenka (RN, night shift) at 03:10.", "Zdenka")]
    [InlineData("Goes by \"Tiny Delgado\" at the shelter.", "Tiny Delgado")]
    public void Scan_NicknameOrNurseBeforeBracketOrInQuotes_IsMarkedAsName(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Theory]
    [InlineData("Family calls her \"Auntie Mele\" at home.", "Auntie")]
    [InlineData("Continue Lasix (RN, please weigh daily).", "Lasix")]
    [InlineData("Hold the Heparin (nickname for the drip) at 22:00.", "Heparin")]
    public void Scan_KinWordOrClinicalWordBeforeBracket_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Fact]
    public void Scan_TranscriptSpeakerSurnameOnTwoLines_IsMarkedAsName()
    {
        const string text = "Whitfield: How are you sleeping?\nPatient: Not well since the move.\nWhitfield: Any nightmares?";

        AssertMarked(text, "Whitfield", PhiKind.Name);
        Assert.Equal(2, Scan(text).Count(s => s.Kind == PhiKind.Name && text.AsSpan(s.Start, s.Length).SequenceEqual("Whitfield")));
    }

    [Fact]
    public void Scan_HeadingLabelOnTwoLines_StaysUnmarked()
    {
        const string text = "Plan: rest.\nAssessment: stable.\nPlan: follow up.";

        AssertNotCovered(text, "Plan");
    }

    [Theory]
    [InlineData("RENDERING NPI 1720394857 (STONE, HARMONY)\n", "STONE, HARMONY")]
    public void Scan_SurnameFirstInBracketsAfterNpi_IsMarkedAsName(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Theory]
    [InlineData("55012", "HEALTHPLAN")]
    [InlineData("XQ99182733", "HEALTHPLAN")]
    [InlineData("ROE", "NAME")]
    [InlineData("19700512", "DATE")]
    [InlineData("88 OAK ST", "ADDRESS")]
    [InlineData("AURORA", "LOCATION")]
    [InlineData("60505", "ZIP")]
    public void Scan_Hl7InsuranceSegment_MarksTheInsuredsFieldsByShape(string value, string kind)
    {
        Assert.True(PhiKinds.TryParseTokenName(kind, out var parsed));
        AssertMarked(Insurance, value, parsed);
    }

    [Theory]
    [InlineData("GRP")]
    [InlineData("SEL")]
    [InlineData("CHICAGO")]
    public void Scan_Hl7InsuranceSegment_LeavesLabelsCodesAndThePayersAddress(string word) =>
        AssertNotCovered(Insurance, word);

    [Fact]
    public void Scan_Hl7AddressCountyComponent_IsMarked() =>
        AssertCovered("PID|1||7781^^^H^MR||DOE^JOHN||19500101|M|||12 ELM ST^^SPRINGFIELD^IL^62704^USA^H^^SANGAMON||\n", "SANGAMON");

    private const string Insurance =
        "IN1|1|BCX01|BLUE CROSS|PO BOX 1^^CHICAGO^IL^60601||||GRP 55012|||||||ROE^JANE^Q|SEL|19700512|88 OAK ST^^AURORA^IL^60505|||||||||||||||||XQ99182733\n";

    [Theory]
    [InlineData("Consent read by the interpreter (ID\nKQ-5512) in Navajo.", "KQ-5512")]
    [InlineData("Coroner notified, declined, ref\nTX-ME-25-0042). No autopsy.", "TX-ME-25-0042")]
    [InlineData("HRN: 448812   DOB on file", "448812")]
    [InlineData("Resubmitted, orig ICN 2026114400871 per payer.", "2026114400871")]
    [InlineData("Holds a CDL Q1189 40021 77310 for the county.", "Q1189")]
    [InlineData("Plan: Tri-County Care   Group: KPX-PPO-17", "KPX-PPO-17")]
    public void Scan_IdentifierAfterCueOrOnTheLineAfterIt_IsCovered(string text, string value) =>
        AssertCovered(text, value);

    [Theory]
    [InlineData("Blood sample\n12-15 mL drawn from the port.", "12")]
    [InlineData("Reviewed the study\nT2-weighted images show no bleed.", "T2")]
    [InlineData("Pain is better, no\nSOB-related waking.", "SOB")]
    public void Scan_OrdinaryCueWordAtLineEnd_LeavesTheNextLine(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Asked for a school letter for the Bonifacio Day program (Nov 30) absence.", "Bonifacio Day")]
    [InlineData("Wants to go home for la Candelaria (Feb 2) with her sisters.", "la Candelaria")]
    [InlineData("Last seen here Sheridan Rodeo week with a sprained wrist.", "Sheridan Rodeo")]
    [InlineData("Wants to hear the drums from the Tanana Gathering again.", "Tanana Gathering")]
    public void Scan_NamedDayOrEvent_IsMarkedAsDate(string text, string date) =>
        AssertMarked(text, date, PhiKind.Date);

    [Theory]
    [InlineData("Started Eliquis (12/7) after the echo.", "Eliquis")]
    [InlineData("Flu Shot Clinic (10/3) staffed by students.", "Clinic")]
    [InlineData("Health Fair week screening found his BP high.", "Health")]
    public void Scan_DrugOrPlaceBeforeDateOrWeek_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("31  SIGNATURE: K. DUNMORE MD    DATE 12/02/26", "K. DUNMORE")]
    [InlineData("Verified by T. Okoro, RN at 02:10.", "T. Okoro")]
    public void Scan_InitialAndSurnameBeforeCredential_IsMarkedAsName(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Fact]
    public void Scan_Hl7NameRepetition_MarksTheSecondName() =>
        AssertMarked("PID|1||7781^^^H^MR||DOE^JOHN^Q^^^^L~DOE^JACK^^^^^N||19500101|M\n", "JACK", PhiKind.Name);

    [Fact]
    public void Scan_TranscriptLabelThatIsAlsoAWord_IsMarkedWhenTheNameIsElsewhere()
    {
        const string text = "Thompson: How are the nights?\nPt: Bad.\n\nRosalie Thompson, LCSW";

        Assert.Contains(Scan(text), s => s.Start == 0 && s.Kind == PhiKind.Name);
    }

    [Theory]
    [InlineData("Lives with her son at 1190 W 43rd, Tulsa, since the flood.", "1190 W 43rd")]
    [InlineData("Member address: 22 Ferncliff, Apt 2B, Lowell", "22 Ferncliff")]
    public void Scan_StreetWithoutSuffix_IsMarkedAsAddress(string text, string street) =>
        AssertMarked(text, street, PhiKind.Address);

    [Theory]
    [InlineData("Transfer to Ward 4 W 3rd floor after the scan.", "3rd")]
    [InlineData("Gave 2 Tylenol, Apt to repeat at 6.", "Tylenol")]
    [InlineData("Admitted to 5 West, Rm 512-B at 22:14.", "West")]
    public void Scan_FloorOrDrugBeforeUnitWord_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);
}
