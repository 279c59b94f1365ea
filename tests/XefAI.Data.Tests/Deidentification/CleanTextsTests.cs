using XefAI.Data.Deidentification;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// A text the scanner found clean while it knew nothing of the call is not scanned again: only while it still knows
/// nothing, only that exact text, and only its digest is kept.
/// </summary>
public sealed class CleanTextsTests
{
    private const string SystemPrompt =
        "You write clear, kind messages to patients at a sixth-grade reading level. Keep every answer under 120 words.";

    // "Tolliver" and "Brannock" name nobody to a scanner that knows nothing of the call.
    private const string Mentions =
        "Please ask tolliver about the dressing change and the new walker before the discharge meeting this afternoon.";

    [Fact]
    public void Scan_CleanTextTwice_IsRememberedOnceAndStillClean()
    {
        var scanner = new PhiScanner(Lexicon.Default);

        Assert.Empty(Scan(scanner, SystemPrompt));
        Assert.Equal(1, scanner.Clean.Count);
        Assert.True(CleanTexts.TryDigest(SystemPrompt, out var digest));
        Assert.True(scanner.Clean.Contains(digest));

        Assert.Empty(Scan(scanner, SystemPrompt));
        Assert.Equal(1, scanner.Clean.Count);
    }

    [Fact]
    public void Scan_TextWithPhi_IsNotRememberedAndIsFoundEachTime()
    {
        var scanner = new PhiScanner(Lexicon.Default);
        const string text = "Please draft a reply to the patient. Call 555-201-3344 with any questions about the lab results.";

        var first = Scan(scanner, text);
        var second = Scan(scanner, text);

        Assert.Contains(first, s => s.Kind == PhiKind.Phone);
        Assert.Equal(first, second);
        Assert.Equal(0, scanner.Clean.Count);
    }

    [Fact]
    public void Scan_ShortText_IsNotRemembered()
    {
        var scanner = new PhiScanner(Lexicon.Default);
        var text = SystemPrompt[..(CleanTexts.MinLength - 1)];

        Assert.Empty(Scan(scanner, text));
        Assert.Equal(0, scanner.Clean.Count);
    }

    [Fact]
    public void Scan_RememberedTextWithTheCallsPeopleKnown_FindsThem()
    {
        var scanner = new PhiScanner(Lexicon.Default);
        Assert.Empty(Scan(scanner, Mentions));
        Assert.Equal(1, scanner.Clean.Count);

        var known = KnownPeople.From([new ClinicalPerson("patient") { GivenNames = ["Hollis"], FamilyNames = ["Tolliver"] }]);
        var spans = new List<PhiSpan>();
        HashSet<string>? learned = null;
        scanner.Scan(Mentions, known, spans, ref learned);

        var at = Mentions.IndexOf("tolliver", StringComparison.Ordinal);
        Assert.Contains(spans, s => s.Kind == PhiKind.Name && s.Start == at && s.Length == "tolliver".Length);
    }

    [Fact]
    public void Scan_RememberedTextAfterTheCallLearnedAName_FindsIt()
    {
        var scanner = new PhiScanner(Lexicon.Default);
        Assert.Empty(Scan(scanner, Mentions));

        // An earlier text of the same call names the patient; the scanner learns the name words from it.
        HashSet<string>? learned = null;
        var first = new List<PhiSpan>();
        scanner.Scan("Patient: Hollis Tolliver, seen today for a leg wound.", KnownPeople.None, first, ref learned);
        Assert.NotNull(learned);
        Assert.NotEmpty(learned);

        var spans = new List<PhiSpan>();
        scanner.Scan(Mentions, KnownPeople.None, spans, ref learned);

        var at = Mentions.IndexOf("tolliver", StringComparison.Ordinal);
        Assert.Contains(spans, s => s.Kind == PhiKind.Name && s.Start == at);
    }

    // A remembered digest for a text that is not clean: whether the scan was skipped then shows in what it finds.
    private const string PhoneText = "Please draft a reply to the patient. Call 555-201-3344 with any questions about the lab results.";

    private static PhiScanner RememberingPhoneText()
    {
        var scanner = new PhiScanner(Lexicon.Default);
        Assert.True(CleanTexts.TryDigest(PhoneText, out var digest));
        scanner.Clean.Add(digest);
        return scanner;
    }

    [Fact]
    public void Scan_RememberedTextAfterTheCallLearnedNamesItCannotHold_IsNotScannedAgain()
    {
        // A conversation's names learned from a later message no longer cost a remembered system prompt its skip, even
        // where a word starts with a name's first letters but is not the name or its beginning ("question", "Questa").
        var scanner = RememberingPhoneText();
        HashSet<string>? learned = new(StringComparer.OrdinalIgnoreCase) { "Hollis", "Tolliver", "Questa", "Al" };

        var spans = new List<PhiSpan>();
        scanner.Scan(PhoneText, KnownPeople.None, spans, ref learned);

        Assert.Empty(spans);
    }

    [Theory]
    [InlineData("Tolliver", "Please draft a reply to tolliver. Call 555-201-3344 with any questions about the lab results.")]
    [InlineData("Tolliver", "Please draft a reply to the patient.\\nTolliver: call 555-201-3344 with any questions.")]
    [InlineData("Questionsworth", PhoneText)]
    [InlineData("Labrinth", PhoneText)]
    public void Scan_RememberedTextWithAWordALearnedNameBeginsWith_IsScanned(string name, string text)
    {
        // The name itself (after a JSON "\n" escape too), or a word the name begins with ("questions", "lab"): a rule
        // could take it for the name, so the text is scanned.
        var scanner = RememberingPhoneText();
        Assert.True(CleanTexts.TryDigest(text, out var digest));
        scanner.Clean.Add(digest);
        HashSet<string>? learned = new(StringComparer.OrdinalIgnoreCase) { name };

        var spans = new List<PhiSpan>();
        scanner.Scan(text, KnownPeople.None, spans, ref learned);

        Assert.Contains(spans, s => s.Kind == PhiKind.Phone);
    }

    [Fact]
    public void Scan_TextOneCharacterApartFromARememberedOne_IsScanned()
    {
        var scanner = new PhiScanner(Lexicon.Default);
        Assert.Empty(Scan(scanner, SystemPrompt));

        var changed = SystemPrompt.Replace("120 words.", "120 words. Call 555-201-3344.", StringComparison.Ordinal);
        Assert.Contains(Scan(scanner, changed), s => s.Kind == PhiKind.Phone);
    }

    [Fact]
    public void Add_BeyondCapacity_ForgetsAndStaysBounded()
    {
        var clean = new CleanTexts(capacity: 2);
        UInt128[] digests = [1, 2, 3];

        foreach (var digest in digests)
        {
            clean.Add(digest);
        }

        Assert.InRange(clean.Count, 1, 2);
        Assert.False(clean.Contains(1));
        Assert.True(clean.Contains(3));
    }

    [Fact]
    public void Scan_TextRememberedCleanForOneApp_IsScannedAgainForAnother()
    {
        var scanner = new PhiScanner(Lexicon.Default);
        Assert.Empty(Scan(scanner, SystemPrompt, "app-a"));
        Assert.True(CleanTexts.TryDigest(SystemPrompt, "app-a", out var forA));
        Assert.True(CleanTexts.TryDigest(SystemPrompt, "app-b", out var forB));
        Assert.True(scanner.Clean.Contains(forA));

        // App B's call finds nothing of app A's: it scans the text (and so remembers it for B too).
        Assert.False(scanner.Clean.Contains(forB));
        Assert.Empty(Scan(scanner, SystemPrompt, "app-b"));
        Assert.Equal(2, scanner.Clean.Count);
        Assert.True(scanner.Clean.Contains(forB));

        // Each app reuses its own.
        Assert.Empty(Scan(scanner, SystemPrompt, "app-a"));
        Assert.Equal(2, scanner.Clean.Count);
    }

    [Fact]
    public void Begin_ForAnApp_ItsCallsRememberCleanTextsUnderThatApp()
    {
        var scanner = new PhiScanner(Lexicon.Default);
        var protection = new SafeHarborProtection(scanner, KnownPeople.None, dateShiftDays: 10, maxLength: 100_000) { CleanScope = "app-a" };

        Assert.Equal(SystemPrompt, protection.Protect(SystemPrompt));

        Assert.True(CleanTexts.TryDigest(SystemPrompt, "app-a", out var forA));
        Assert.True(CleanTexts.TryDigest(SystemPrompt, out var forNoApp));
        Assert.True(scanner.Clean.Contains(forA));
        Assert.False(scanner.Clean.Contains(forNoApp));
    }

    private static List<PhiSpan> Scan(PhiScanner scanner, string text, string? app = null)
    {
        var spans = new List<PhiSpan>();
        HashSet<string>? learned = null;
        scanner.Scan(text, KnownPeople.None, spans, ref learned, app);
        return spans;
    }
}
