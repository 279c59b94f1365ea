using XefAI.Data.Configuration;
using XefAI.Data.Deidentification;
using XefAI.Data.Tests.Fhir;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>The scanner's spans for a sentence, and the checks the pattern tests make of them.</summary>
internal static class PhiScans
{
    /// <summary>The default de-identifier with a test salt, as a call with no clinical context uses it.</summary>
    public static SafeHarborDataProtector Protector { get; } =
        new(FhirSources.Monitor(new DataOptions { PseudonymSalt = "a-test-salt-of-sufficient-length" }));

    /// <summary>One text protected as the only text of a call with no clinical context.</summary>
    public static string Protect(string text) => Protector.Begin(ClinicalContext.Empty).Protect(text);

    public static List<PhiSpan> Scan(string text)
    {
        var spans = new List<PhiSpan>();
        PhiScanner.Default.Scan(text, KnownPeople.None, spans, []);
        return spans;
    }

    /// <summary>Every letter and digit of <paramref name="phi"/> lies in a span of <paramref name="kind"/>.</summary>
    public static void AssertMarked(string text, string phi, PhiKind kind) => AssertEachCharacter(text, phi, s => s.Kind == kind);

    /// <summary>No span covers any part of the first <paramref name="word"/> in <paramref name="text"/>.</summary>
    public static void AssertNotCovered(string text, string word)
    {
        var start = text.IndexOf(word, StringComparison.Ordinal);
        Assert.True(start >= 0, "the word is not in the text");
        Assert.DoesNotContain(Scan(text), s => s.Start < start + word.Length && start < s.Start + s.Length);
    }

    /// <summary>Every letter and digit of <paramref name="phi"/> lies in a span of any kind.</summary>
    public static void AssertCovered(string text, string phi) => AssertEachCharacter(text, phi, static _ => true);

    private static void AssertEachCharacter(string text, string phi, Func<PhiSpan, bool> kind)
    {
        var spans = Scan(text);
        var start = text.IndexOf(phi, StringComparison.Ordinal);
        Assert.True(start >= 0, "the value is not in the text");
        for (var c = start; c < start + phi.Length; c++)
        {
            if (char.IsLetterOrDigit(text[c]))
            {
                Assert.Contains(spans, s => kind(s) && s.Start <= c && c < s.Start + s.Length);
            }
        }
    }
}
