using System.Text;
using XefAI.Data.Configuration;
using XefAI.Data.Deidentification;
using XefAI.Data.Tests.Fhir;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Input built to break a de-identifier: megabyte-long runs of what its rules look for. The scanner has no regular
/// expression and looks at a bounded window per token, so each of these takes milliseconds; the bound below is three
/// orders of magnitude above that (a loaded CI machine must never fail it) and far below what a quadratic matcher
/// needs for a megabyte (hours). Speed itself is measured by the benchmark, not here.
/// </summary>
public sealed class AdversarialInputTests
{
    private const int Megabyte = 1024 * 1024;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static readonly SafeHarborDataProtector Protector =
        new(FhirSources.Monitor(new DataOptions { PseudonymSalt = "a-test-salt-of-sufficient-length" }));

    public static TheoryData<string> Shapes() =>
    [
        "one-token", "digits", "digit-groups", "emails", "dots", "titles", "brackets", "parentheses", "slashes", "capitals", "mixed-scripts", "colons",
    ];

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task A_megabyte_built_to_blow_up_a_matcher_is_processed_and_leaks_nothing(string shape)
    {
        var text = Build(shape, Megabyte) + " Call Dr. Okonkwo at 617-555-0134 about SSN 123-45-6789.";

        var work = Task.Run(() => Protector.Begin(ClinicalContext.Empty).Protect(text));
        var finished = await Task.WhenAny(work, Task.Delay(Bound));

        Assert.Same(work, finished);
        var result = await work;
        Assert.DoesNotContain("617-555-0134", result, StringComparison.Ordinal);
        Assert.DoesNotContain("123-45-6789", result, StringComparison.Ordinal);
        Assert.DoesNotContain("Okonkwo", result, StringComparison.Ordinal);
    }

    internal static string Build(string shape, int size)
    {
        var piece = shape switch
        {
            "one-token" => "x",
            "digits" => "1",
            "digit-groups" => "1-1.1-",
            "emails" => "a@a.",
            "dots" => "a.",
            "titles" => "Dr. ",
            "brackets" => "[NAME_",
            "parentheses" => "((617)",
            "slashes" => "9/9/",
            "capitals" => "Mr Smith Jones ",
            "mixed-scripts" => "王Мария١٢x ",
            "colons" => "a:b:",
            _ => throw new ArgumentOutOfRangeException(nameof(shape)),
        };
        var builder = new StringBuilder(size + piece.Length);
        while (builder.Length < size)
        {
            builder.Append(piece);
        }

        return builder.ToString();
    }
}
