using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Round 28, on sentences written for this test: registration letters before a plate and boat registrations, buses, vans
/// and EMS units by number, member ids after a programme's name and group numbers, asset tags and numeric serials,
/// ages after "she's" and after a name and "now", surnames after a nickname, in a staff list and before a credential, a
/// hyphenated signature, a dashed US highway, a hyphenated street, town prefixes, a ZIP code on the line after a street;
/// and the clinical words and numbers that look like them and stay.
/// </summary>
public sealed class PhiScannerGap28Tests
{
    [Theory]
    [InlineData("His snowmobile (reg\nXT 6610 QL) went through the ice.", "XT 6610 QL")]
    [InlineData("His four-wheeler (Honda, ID reg\nQA 2291 LM) tipped on the ridge.", "QA 2291 LM")]
    [InlineData("Fell while loading his boat \"Sea Otter\" (WI 8812 BT) on Friday.", "WI 8812 BT")]
    [InlineData("Rides the school bus 14 home on weekdays.", "14")]
    [InlineData("Sent home by Elder Transit, van ET-B-311.", "ET-B-311")]
    [InlineData("Brought by the county EMS unit R-12 from the fairgrounds.", "R-12")]
    public void Scan_RegistrationOrNumberedVehicle_IsVehicle(string text, string vehicle) =>
        AssertMarked(text, vehicle, PhiKind.Vehicle);

    [Theory]
    [InlineData("Coverage: TennCare T44810297, renewed this year.", "T44810297")]
    [InlineData("mom says her IEHP # IX 5512 80341 is on the card", "IX 5512 80341")]
    [InlineData("Member ID: QRT55102934   Group: KLMD07   Copay 20.", "KLMD07")]
    [InlineData("{ \"groupNumber\": \"ACM-OPS-22\", \"plan\": \"PPO\" }", "ACM-OPS-22")]
    public void Scan_PlanIdAfterProgrammeOrGroup_IsHealthPlan(string text, string id) =>
        AssertMarked(text, id, PhiKind.HealthPlan);

    [Theory]
    [InlineData("Video cart asset KMC-TV-19 checked out to room 4.", "KMC-TV-19")]
    [InlineData("Loaner tablet asset BTH-TAB-44 issued for the visit.", "BTH-TAB-44")]
    [InlineData("Pump Medfusion 3500, s/n 4471093, flushed.", "4471093")]
    public void Scan_AssetTagOrNumericSerial_IsDevice(string text, string device) =>
        AssertMarked(text, device, PhiKind.Device);

    [Theory]
    [InlineData("grandma is moving in with us (shes 96) next week", "96")]
    [InlineData("Her great-aunt is frail; she's 102, still at home.", "102")]
    [InlineData("Her aunt \"Sissy\" Tallbear, now 94, lives next door.", "94")]
    public void Scan_AgeAfterPronounOrNow_IsAge(string text, string age) =>
        AssertMarked(text, age, PhiKind.Age);

    [Theory]
    [InlineData("Son \"Bo\" Tsosie at bedside, very helpful.", "Tsosie")]
    [InlineData("Staff   Techs: Yazzie, Nakai   Anesthesia: none", "Yazzie")]
    [InlineData("Staff   Techs: Yazzie, Nakai   Anesthesia: none", "Nakai")]
    [InlineData("R. Okafor-Lind, MD    12/03/2026 08:15", "R. Okafor-Lind")]
    public void Scan_SurnameInNameContexts_IsName(string text, string name) =>
        AssertMarked(text, name, PhiKind.Name);

    [Theory]
    [InlineData("Rolled the pickup on US-95 north of town.", "US-95")]
    [InlineData("Discharged to 4410 Bear-Creek Rd, her daughter's house.", "4410 Bear-Creek Rd")]
    [InlineData("Lives at 19 Pine Hollow Ln,\n40965 (mail to PO box).", "40965")]
    public void Scan_DashedHighwayHyphenatedStreetOrZip_IsCovered(string text, string phi) =>
        AssertCovered(text, phi);

    [Theory]
    [InlineData("Plan: bus 2 times a week is too much for her.", "2")]
    [InlineData("Group: A strep negative; group B pending.", "A")]
    [InlineData("HR now 94, BP 118/70 after fluids.", "94")]
    [InlineData("SpO2 she's 92% on room air now.", "92")]
    [InlineData("Nurses: Please call the charge nurse first.", "Please")]
    [InlineData("Transfer via EMS unit, mother with him.", "mother")]
    [InlineData("Unit of blood given at station 3 without reaction.", "3")]
    [InlineData("Parked out front, plate TX RMW-3318, keys with security.", "TX")]
    [InlineData("Reviewed at workstation RAD-CT-02 by the fellow.", "RAD")]
    [InlineData("Lives near Hartwell Lake, Oconee County, SC with his son.", "County")]
    public void Scan_LookAlikeInClinicalText_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);
}
