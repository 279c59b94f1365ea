using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Patterns of US clinical text the scanner must find (or leave), each on a sentence written for this test: ages over
/// 89 in words, loose street addresses, identifiers with letters after their cues, Spanish dates, and clinical codes
/// that are not identifiers.
/// </summary>
public sealed class PhiScannerPatternTests
{
    [Theory]
    [InlineData("Age: eighty-nine? No. Age: ninety-four, lives alone.", "ninety-four")]
    [InlineData("Widow, aged ninety one, walks with a cane.", "ninety one")]
    [InlineData("She is one hundred and two years old today.", "one hundred and two")]
    [InlineData("He turned one hundred three last week.", "one hundred three")]
    [InlineData("Her father died at 97 of a stroke.", "97")]
    [InlineData("Her aunt died last spring at 99 in her sleep.", "99")]
    [InlineData("Mother passed away in 2010 at age 93.", "93")]
    [InlineData("An uncle lived to 104 on the farm.", "104")]
    public void Scan_AgeOver89InWordsOrAfterDeath_IsMarkedAsAge(string text, string age) =>
        AssertMarked(text, age, PhiKind.Age);

    [Theory]
    [InlineData("Her grandson is 19 and the pain score was 9.")]
    [InlineData("Died at home, comfort care, 03:20.")]
    [InlineData("Ninety percent of the wound has healed.")]
    public void Scan_NumbersThatAreNoAge_AreNotMarkedAsAge(string text) =>
        Assert.DoesNotContain(Scan(text), s => s.Kind == PhiKind.Age);

    [Theory]
    [InlineData("Lives at 27 Hollowbrook with her son.", "27 Hollowbrook")]
    [InlineData("Address: 305 Quarry Hill, apt 3 (side door).", "305 Quarry Hill, apt 3")]
    [InlineData("Home is 19 Old Tannery on the left.", "19 Old Tannery")]
    [InlineData("She lives at 4410 Rt 38 past the church.", "4410 Rt 38")]
    [InlineData("Directions: take Route 202 north to the farm stand.", "Route 202")]
    [InlineData("Lives off Hwy 17 near the quarry.", "Hwy 17")]
    [InlineData("Address: 1200 County Road 9, Lot 14.", "1200 County Road 9, Lot 14")]
    [InlineData("Lives at 48 1/2 Mill St behind the store.", "48 1/2 Mill St")]
    [InlineData("Home: 881 Grand Concourse Ave, #7C, since May.", "881 Grand Concourse Ave, #7C")]
    [InlineData("Home: 12 Pine Ave, Apt 9D.", "12 Pine Ave, Apt 9D")]
    public void Scan_LooseStreetAddress_IsMarkedAsAddress(string text, string address) =>
        AssertMarked(text, address, PhiKind.Address);

    [Theory]
    [InlineData("Her daughter works at a bakery on Linwood Ave near the school.", "Linwood Ave")]
    [InlineData("The shelter on Garnet Street has a bed tonight.", "Garnet Street")]
    public void Scan_StreetNamedAfterPreposition_IsMarkedAsAddress(string text, string street) =>
        AssertMarked(text, street, PhiKind.Address);

    [Theory]
    [InlineData("Started on Lasix Dr. Amin's plan; on Tuesday Rd test normal.")]
    [InlineData("Route of administration: PO. Give 2 tabs by route 1 only if NPO.")]
    [InlineData("Lives at home with 2 cats.")]
    [InlineData("Small laceration on rt 4th finger, 2 rt 3rd toe.")]
    [InlineData("Pain at 7 Tuesday, better at 3 Wednesday.")]
    public void Scan_WordsLikeAddresses_AreNotMarkedAsAddress(string text) =>
        Assert.DoesNotContain(Scan(text), s => s.Kind == PhiKind.Address);

    [Fact]
    public void Scan_CityAndZipAfterAddressLine_MarksBoth()
    {
        const string text = "Home address:\n77 Linden Ave\nPottsville 17901\nPhone on file.";

        AssertMarked(text, "Pottsville", PhiKind.Location);
        AssertMarked(text, "17901", PhiKind.Zip);
    }

    [Theory]
    [InlineData("Court case # FD-24-00913 pending.", "FD-24-00913")]
    [InlineData("Probate docket 114-2024-PR-00072 closed.", "114-2024-PR-00072")]
    [InlineData("Claim number WC-3310-88A filed.", "WC-3310-88A")]
    [InlineData("Portal username jpark_1984 locked.", "jpark_1984")]
    [InlineData("Reset login: m.alvarez77 twice.", "m.alvarez77")]
    [InlineData("Verified SSN last 4 8812 with caller.", "8812")]
    [InlineData("Confirmed last four of SSN: 0447.", "0447")]
    [InlineData("Ring doorbell; car plate KZT 4418 in drive.", "KZT 4418")]
    [InlineData("Appeal filed, prior denial ref UR-772104 attached.", "UR-772104")]
    public void Scan_IdentifierWithLettersAfterCue_IsMarked(string text, string identifier) =>
        AssertCovered(text, identifier);

    [Theory]
    [InlineData("Fecha de nacimiento: 2 de marzo de 1948.", "2 de marzo de 1948")]
    [InlineData("Cita el 21 de septiembre.", "21 de septiembre")]
    [InlineData("Próxima visita: enero 9, 2026.", "enero 9, 2026")]
    [InlineData("Vacunada en diciembre de 2024.", "diciembre de 2024")]
    public void Scan_SpanishDate_IsMarkedAsDate(string text, string date) =>
        AssertMarked(text, date, PhiKind.Date);

    [Theory]
    [InlineData("Dx: closed fracture (S52.521A), DM2 (E11.9).")]
    [InlineData("Enrolled per NCT04412345 protocol.")]
    [InlineData("Glucose 104 (ref 70-99), TSH 2.1 (ref: 0.4-4.5).")]
    [InlineData("Mesh lot 7731920A, cat # 0112-4410, REF 88400-12 used.")]
    public void Scan_ClinicalCodesTrialIdsAndLots_AreNotMarked(string text) =>
        Assert.Empty(Scan(text));

    [Fact]
    public void Scan_Gs1UdiInBrackets_IsMarkedWholeAsDevice()
    {
        const string text = "Stent UDI (01)00614141999996(17)281130(10)B77310(21)SN44019 placed.";

        AssertMarked(text, "(01)00614141999996(17)281130(10)B77310(21)SN44019", PhiKind.Device);
    }

    [Fact]
    public void Scan_SerialNumberNextToLot_KeepsTheSerial()
    {
        const string text = "Pump lot 7731920A, serial SN 44A-9913027 implanted.";

        AssertCovered(text, "44A-9913027");
        Assert.DoesNotContain(Scan(text), s => text.Substring(s.Start, s.Length).Contains("7731920A", StringComparison.Ordinal));
    }
}
