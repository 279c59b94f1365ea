using XefAI.Data.Deidentification;

using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Round 20, on sentences written for this test: ages over 89 after a relative or in Spanish words, a month and a
/// two-digit year after a word of time, a town after a compass distance, an ordinal street after a compass letter, a
/// farm-to-market road, festivals ending in "Days", "All Saints"; and the words that stay.
/// </summary>
public sealed class PhiScannerGap20Tests
{
    [Theory]
    [InlineData("Her aunt 94 in Laredo still cooks for the family.", "94")]
    [InlineData("Lives with his grandmother (101), who cannot drive.", "101")]
    [InlineData("His uncle is 96 and shares the trailer.", "96")]
    public void Scan_AgeAfterRelative_IsMarked(string text, string age) =>
        AssertMarked(text, age, PhiKind.Age);

    [Theory]
    [InlineData("Su abuela tiene noventa y cuatro y vive sola.", "noventa y cuatro")]
    [InlineData("la tia, noventa y ocho, no puede venir", "noventa y ocho")]
    public void Scan_SpanishAgeOverEightyNine_IsMarked(string text, string age) =>
        AssertMarked(text, age, PhiKind.Age);

    [Theory]
    [InlineData("Mother 92% saturation on room air at the visit.", "92")]
    [InlineData("Brother 95 kg, needs bariatric bed.", "95")]
    [InlineData("Sister 98.6 F at home per report.", "98")]
    [InlineData("Father 120/80 on his home cuff.", "120")]
    public void Scan_MeasureAfterRelative_IsNotAnAge(string text, string number) =>
        Assert.DoesNotContain(Scan(text), s => s.Kind == PhiKind.Age && text.Substring(s.Start, s.Length).Contains(number, StringComparison.Ordinal));

    [Theory]
    [InlineData("Lisinopril held since 11/88 for cough.", "11/88")]
    [InlineData("Last colonoscopy in 3/97, normal.", "3/97")]
    public void Scan_MonthAndTwoDigitYearAfterCue_IsMarked(string text, string date) =>
        AssertMarked(text, date, PhiKind.Date);

    [Theory]
    [InlineData("GP review in 1/52 with bloods.", "1/52")]
    [InlineData("Pain scored in 3/10 range.", "3/10")]
    [InlineData("ANA positive at 1/80 dilution.", "1/80")]
    public void Scan_FractionOrWeeks_IsNotAMonthYear(string text, string fraction) =>
        AssertNotCovered(text, fraction);

    [Fact]
    public void Scan_TownAfterCompassDistance_IsMarked() =>
        AssertMarked("She lives three miles south of Quillanby on the ranch.", "Quillanby", PhiKind.Location);

    [Theory]
    [InlineData("Pain two inches south of Poupart ligament.", "Poupart")]
    [InlineData("Lesion lies just east of Midline structures.", "Midline")]
    public void Scan_AnatomyAfterCompass_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Fact]
    public void Scan_OrdinalStreetAfterCompassLetter_IsMarked() =>
        AssertMarked("We moved him to 218 S Fourth in town last week.", "218 S Fourth", PhiKind.Address);

    [Fact]
    public void Scan_FarmToMarketRoad_IsMarked() =>
        AssertMarked("Old place is off FM 1809, past the gin.", "FM 1809", PhiKind.Address);

    [Theory]
    [InlineData("Run 2   131/76  2.2    FM 1030  400  600", "1030")]
    [InlineData("FM 40% via mask after extubation.", "40")]
    public void Scan_FmNotARoad_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("Wound check after Frontier Days when she rode in the parade.", "Frontier Days")]
    [InlineData("Flare began right before Sweet Corn Days in town.", "Sweet Corn Days")]
    [InlineData("Confused since All Saints when she cleaned the graves.", "All Saints")]
    public void Scan_FestivalThatDatesCare_IsMarked(string text, string festival) =>
        AssertMarked(text, festival, PhiKind.Date);

    [Theory]
    [InlineData("She does well in Activity Days at school.", "Activity")]
    [InlineData("Hospital Days: 4", "Hospital")]
    [InlineData("Mass at All Saints Church on Sundays.", "Saints")]
    [InlineData("for the fifty five days before it he fasts", "fifty")]
    public void Scan_DaysOrSaintsNotAFestival_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Theory]
    [InlineData("She drives into Quellport every Friday for groceries.", "Quellport")]
    [InlineData("Lives in the hollow above Tarnsville with her sister.", "Tarnsville")]
    public void Scan_TownAfterMotionWord_IsMarked(string text, string town) =>
        AssertMarked(text, town, PhiKind.Location);

    [Theory]
    [InlineData("Progressed into Tylenol toxicity despite counselling.", "Tylenol")]
    [InlineData("Potassium above Normal on repeat.", "Normal")]
    public void Scan_KnownWordAfterMotionWord_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);

    [Fact]
    public void Scan_PatientAgeWithSemicolon_IsMarked() =>
        AssertMarked("Notes: pt 97; daughter handles the bills.", "97", PhiKind.Age);

    [Fact]
    public void Scan_PatientNumberAsMeasure_StaysUnmarked() =>
        AssertNotCovered("pt 94% on 2L, comfortable.", "94");

    [Theory]
    [InlineData("Brought over from Little Torch Key by boat.", "Little Torch Key")]
    [InlineData("Ashes to be scattered past Crane Island at dawn.", "Crane Island")]
    public void Scan_TownEndingInPlaceWord_IsMarked(string text, string town) =>
        AssertMarked(text, town, PhiKind.Location);

    [Theory]
    [InlineData("Diagnosis: Heat Island exposure at work.", "Heat")]
    [InlineData("Key Island findings were discussed.", "Key")]
    public void Scan_StateOrSentenceStartBeforePlaceWord_StaysUnmarked(string text, string word) =>
        AssertNotCovered(text, word);
}
