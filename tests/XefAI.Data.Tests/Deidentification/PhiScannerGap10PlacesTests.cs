using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Round 10 of places, phones and identifiers, on sentences written for this test: numbers printed in groups or read by
/// OCR after their cue, extensions, HL7 area codes, streets abroad, the cities and postcodes after a street, lower-case
/// cities, and identifiers that are none.
/// </summary>
public sealed class PhiScannerGap10PlacesTests
{
    [Theory]
    [InlineData("{\"policyNumber\": \"XKC4410923\", \"groupNumber\": \"88120\"}", "XKC4410923")]
    [InlineData("{\"policyNumber\": \"XKC4410923\", \"groupNumber\": \"88120\"}", "88120")]
    [InlineData("{'member_id': 'W44190233', 'plan': 'PPO'}", "W44190233")]
    [InlineData("  subscriberId = \"HMA88120441\"", "HMA88120441")]
    [InlineData("  cartaoSus: \"700 5023 8817 4426\",", "700 5023 8817 4426")]
    public void Scan_HealthPlanNumberAsKeyValue_IsMarkedAsHealthPlan(string text, string number) =>
        AssertMarked(text, number, PhiKind.HealthPlan);

    [Theory]
    [InlineData("{\"groupNumber\": \"12\", \"visits\": 3}", "12")]
    [InlineData("{\"member_count\": 4411, \"plan\": \"x\"}", "4411")]
    public void Scan_ShortOrOtherKeyValue_IsKept(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Adresse du patient, tél. 05 61 22 48 90, à rappeler", "05 61 22 48 90")]
    [InlineData("fille (portable 07 12 48 33 61) prévenue", "07 12 48 33 61")]
    [InlineData("Phone: 09 412 7730   Email on file", "09 412 7730")]
    [InlineData("Mobile: 0917 882 4410 (brother)", "0917 882 4410")]
    [InlineData("  Home Phone: ( 517 ) 555 - O193", "517 ) 555 - O193")]
    [InlineData("  Cell:  248 555 0l77", "248 555 0l77")]
    public void Scan_GroupedOrOcrPhoneAfterCue_IsMarkedAsPhone(string text, string phone) =>
        AssertMarked(text, phone, PhiKind.Phone);

    [Theory]
    [InlineData("SSN (optional):  412 - 33 - 90l7", "412 - 33 - 90l7")]
    [InlineData("SSN: 412 - 33 - 9O17 on the form", "412 - 33 - 9O17")]
    public void Scan_OcrSsnAfterCue_IsMarkedAsSsn(string text, string ssn) =>
        AssertMarked(text, ssn, PhiKind.Ssn);

    [Fact]
    public void Scan_ZipBrokenInTwoAfterCue_IsMarkedAsZip() =>
        AssertMarked("State: OH   Zip: 442 15   Phone below", "442 15", PhiKind.Zip);

    [Theory]
    [InlineData("paged unit clerk Dana Pruitt, 5W, x4471, no answer", "x4471")]
    [InlineData("PID|1||4471||DOE^JANE||||||||^PRN^PH^^1^313^5550172|", "313^5550172")]
    [InlineData("please change her cell, the 4419 number belongs to her ex now", "4419")]
    [InlineData("Contact: 0917 555 0142 (sister), 0928 555 0177 (work)", "0928 555 0177")]
    public void Scan_ExtensionAreaCodeOrSecondPhone_IsMarkedAsPhone(string text, string phone) =>
        AssertMarked(text, phone, PhiKind.Phone);

    [Theory]
    [InlineData("CPF: 412.880.517-33, RG on file", "412.880.517-33")]
    [InlineData("Aadhaar: 7312 8840 2291   Religion: Hindu", "7312 8840 2291")]
    public void Scan_NationalNumberAfterCue_IsMarkedAsId(string text, string id) =>
        AssertMarked(text, id, PhiKind.Id);

    [Theory]
    [InlineData("Numéro de sécurité sociale : 1 84 07 75 114 208 19.", "1 84 07 75 114 208 19")]
    [InlineData("Cartão SUS: 700 5023 8817 4426", "700 5023 8817 4426")]
    [InlineData("PPSN 4418820KA. GMS card 8841077T. Mobile on file", "8841077T")]
    [InlineData("Medicaid card: 55810347 verified at desk", "55810347")]
    public void Scan_HealthPlanNumberAbroad_IsMarkedAsHealthPlan(string text, string number) =>
        AssertMarked(text, number, PhiKind.HealthPlan);

    [Theory]
    [InlineData("domiciliée 8 rue du Vieux Moulin, 31000 Toulouse", "8 rue du Vieux Moulin")]
    [InlineData("Address: No. 14, 2nd Cross, 9th Main, Malleswaram, Bengaluru 560003", "No. 14, 2nd Cross, 9th Main")]
    [InlineData("Address: #42, 1st Floor, Sampige Road, Mysuru", "#42, 1st Floor, Sampige Road")]
    [InlineData("Address: Purok 5, Brgy. San-isidro, Dumangas, 5006 Iloilo", "Purok 5")]
    [InlineData("Endereço: Avenida Santos Dumont, 1188, apto 31 – Aldeota, Fortaleza", "Avenida Santos Dumont, 1188, apto 31")]
    [InlineData("Address: 204-19 rue Champlain, Gatineau QC", "204-19 rue Champlain")]
    public void Scan_StreetAbroad_IsMarkedAsAddress(string text, string street) =>
        AssertMarked(text, street, PhiKind.Address);

    [Theory]
    [InlineData("Address: 22 Totara Street, Fairfield, Hamilton 3214", "Fairfield")]
    [InlineData("Address: 22 Totara Street, Fairfield, Hamilton 3214", "Hamilton")]
    [InlineData("Address: 9 Kestrel Road, Rathmore, Co. Kerry, V93 K2P6", "Rathmore")]
    [InlineData("i live at 7720 Folsom Blvd #4 sacramento . call me", "sacramento")]
    [InlineData("Address: No. 14, 2nd Cross, 9th Main, Malleswaram, Bengaluru 560003", "Bengaluru")]
    [InlineData("Home: 1418 Larch Ln, Cedar Hill, TX 75104", "Cedar Hill")]
    [InlineData("Address: 2210 Nkosi Street, Zone 4, Meadowlands, Soweto, 1852", "Zone 4")]
    [InlineData("Address: 2210 Nkosi Street, Zone 4, Meadowlands, Soweto, 1852", "Meadowlands")]
    [InlineData("Address: Purok 5, Brgy. San-isidro, Dumangas, 5006 Iloilo", "San-isidro")]
    public void Scan_CityAfterStreet_IsMarkedAsLocation(string text, string city) =>
        AssertMarked(text, city, PhiKind.Location);

    [Theory]
    [InlineData("Address: 22 Totara Street, Fairfield, Hamilton 3214", "3214")]
    [InlineData("Address: 9 Kestrel Road, Rathmore, Co. Kerry, V93 K2P6", "V93 K2P6")]
    [InlineData("Address: No. 14, 2nd Cross, 9th Main, Malleswaram, Bengaluru – 560003", "560003")]
    [InlineData("domiciliée 8 rue du Vieux Moulin, 31000 Toulouse", "31000")]
    [InlineData("Address: 2210 Nkosi Street, Zone 4, Meadowlands, Soweto, 1852", "1852")]
    [InlineData("Address: Purok 5, Brgy. San-isidro, Dumangas, 5006 Iloilo", "5006")]
    [InlineData("Endereço: Avenida Santos Dumont, 1188, apto 31 – Aldeota, Fortaleza – CEP 60150-160", "60150-160")]
    [InlineData("Seen at Kilcolgan Surgery, Main Street, Kilcolgan, Co. Clare, V94 R2X8", "V94 R2X8")]
    public void Scan_PostcodeAfterStreet_IsMarkedAsZip(string text, string zip) =>
        AssertMarked(text, zip, PhiKind.Zip);

    [Theory]
    [InlineData("daughter flying in from anchorage tomorrow to help", "anchorage")]
    [InlineData("she moved here from sacramento last year", "sacramento")]
    [InlineData("Reunion trip in June (June 14th, Savannah), tolerated well", "Savannah")]
    public void Scan_LowerCaseOrBracketedCity_IsMarkedAsLocation(string text, string city) =>
        AssertMarked(text, city, PhiKind.Location);

    [Theory]
    [InlineData("escalated to charge RN per policy NUR-212 and noted", "NUR")]
    [InlineData("foley draining clear urine 30-50cc/hr overnight", "50cc")]
    [InlineData("SSN: XXX-XX-8812 (masked)", "XXX")]
    [InlineData("vomiting x4 since noon, called back", "x4")]
    [InlineData("cell count 120 340 560 on repeat", "340")]
    [InlineData("boarding at a secure anchorage for the boat", "anchorage")]
    [InlineData("12 Elm St, Apt 4, 2 weeks ago", "weeks")]
    [InlineData("ARRIVED: 11/30/71 09:14 via Norfolk County EMS", "via")]
    [InlineData("Home: 40 Pond Hill Rd, Sutton, Worcester County, MA", "County")]
    [InlineData("Address: 3 Aldridge Road, Leeds LS6 2QB, UK   Phone on file", "UK")]
    [InlineData("lives at 88 Orchard Rd, Benton     GPS 40.1123, -88.2210", "GPS")]
    [InlineData("gift card 100000 points redeemed", "100000")]
    [InlineData("Tribal affiliation: Sioux (enrolled), ICWA applies", "Sioux")]
    [InlineData("Tribal affiliation: Yankton Sioux, notice sent", "Sioux")]
    [InlineData("moved to 12 Oak St, 2019, then to Ohio", "2019")]
    [InlineData("Endereço: Avenida Santos Dumont, 1188, apto 31 – Aldeota, Fortaleza – CEP 60150-160", "CEP")]
    public void Scan_NotAnIdentifierOrPlace_IsKept(string text, string word) =>
        AssertNotCovered(text, word);

    [Fact]
    public void Scan_MaskedSsn_KeepsTheLastFour() =>
        AssertMarked("SSN: XXX-XX-8812 (masked)", "8812", PhiKind.Ssn);
}
