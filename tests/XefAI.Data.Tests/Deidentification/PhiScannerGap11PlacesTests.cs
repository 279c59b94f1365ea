using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Round 11 of places and identifiers, on sentences written for this test: Hawaiian house numbers, a direction with its
/// full stop, streets without a number after "on" or "off", state highways and agency routes, Puerto Rico kilometre
/// addresses and urbanizaciones, a house number after "#", and aircraft tail numbers; and the words that stay.
/// </summary>
public sealed class PhiScannerGap11PlacesTests
{
    [Theory]
    [InlineData("Mailing address: 91-2205 Kaiwi St, Apt 3B, Kapolei", "91-2205 Kaiwi St, Apt 3B")]
    [InlineData("Lives at 45-118 Lilipuna Rd with her mother.", "45-118 Lilipuna Rd")]
    [InlineData("Dr. Omar Reyes\nLakeview Pediatrics\n318 W. 79th St, Suite 2\nChicago, IL 60620", "318 W. 79th St, Suite 2")]
    [InlineData("Return to 1200 N. Sheridan Ave after discharge.", "1200 N. Sheridan Ave")]
    public void Scan_HouseNumberBeforeHyphenOrDottedDirection_IsMarkedAsStreet(string text, string street) =>
        AssertMarked(text, street, PhiKind.Address);

    [Theory]
    [InlineData("He was found on S. Racine Ave by a neighbour.", "S. Racine Ave")]
    [InlineData("Her daughter lives off 71st St near the park.", "71st St")]
    [InlineData("The trailer is on Kanaka Neck Rd past the grain bins.", "Kanaka Neck Rd")]
    [InlineData("Fell at the bus stop on Liliuokalani IV Rd last night.", "Liliuokalani IV Rd")]
    [InlineData("Works at a warehouse on Cargo Dr, nights.", "Cargo Dr")]
    [InlineData("Plows are out; he lives on ND-22 north of town.", "ND-22")]
    [InlineData("His cabin is on BIA Route 12 past the school.", "BIA Route 12")]
    public void Scan_StreetWithoutNumberAfterOn_IsMarkedAsStreet(string text, string street) =>
        AssertMarked(text, street, PhiKind.Address);

    [Theory]
    [InlineData("Farmacia La Placita, Carr. 2 Km 14.7, Manati", "Carr. 2 Km 14.7")]
    [InlineData("VIVE EN URB. LAS LOMAS, CALLE 9 #12, BAYAMON", "URB. LAS LOMAS, CALLE 9 #12")]
    public void Scan_PuertoRicoAddress_IsMarkedAsStreet(string text, string street) =>
        AssertMarked(text, street, PhiKind.Address);

    [Theory]
    [InlineData("Flown by fixed-wing, tail N72KD, to Billings.", "N72KD")]
    [InlineData("Air ambulance (tail number N5512Q) landed at 0410.", "N5512Q")]
    public void Scan_TailNumber_IsMarkedAsVehicle(string text, string tail) =>
        AssertMarked(text, tail, PhiKind.Vehicle);

    [Theory]
    [InlineData("She was started on Heparin Dr. Patel agreed.", "Heparin")]
    [InlineData("Patient was put on Lasix Dr Smith ordered.", "Lasix")]
    [InlineData("Based on Dr. Kim's note the plan stands.", "Based")]
    [InlineData("Back on IV Fluids at 100 mL/hr.", "Fluids")]
    [InlineData("Continue on CT Day 3 per protocol.", "Day")]
    [InlineData("Tail of pancreas unremarkable; no tail N2 disease noted.", "pancreas")]
    [InlineData("Given 2 L. Oxygen on arrival.", "Oxygen")]
    public void Scan_ClinicalPhraseLikeAStreet_IsKept(string text, string word) =>
        AssertNotCovered(text, word);
}
