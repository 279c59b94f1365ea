using System.Text;
using XefAI.Data.Configuration;
using XefAI.Data.Deidentification;
using XefAI.Data.Tests.Fhir;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// Random text built from the pieces the rules look for (digits, separators, titles, months, names, brackets, other
/// scripts): the de-identifier never fails with anything but a refusal, and what it returns gives the original back.
/// </summary>
public sealed class DeidentifierFuzzTests
{
    private static readonly string[] Pieces =
    [
        "1", "12", "123", "2024", "00482913", "-", "/", ".", ",", ":", "#", "(", ")", "[", "]", "_", "@", "'", "\"", " ", " ", " ", "\n",
        "Dr.", "Mr", "Ms.", "MRN", "SSN", "fax", "phone", "DOB", "on", "the", "of", "March", "May", "Jan", "14th", "Maria", "Lopez",
        "O'Brien", "Smith-Jones", "de", "la", "Will", "Parkinson", "disease", "mg", "BP", "pain", "NAME_", "[NAME_1]", "www.", "http://",
        "example.org", "St", "Street", "Apt", "IL", "62704", "x", "ninety", "years", "old", "王", "Мария", "é", "Ñ", "\t", "RN", "PO", "Box",
    ];

    private static readonly SafeHarborDataProtector Protector =
        new(FhirSources.Monitor(new DataOptions { PseudonymSalt = "a-test-salt-of-sufficient-length" }));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Random_text_is_protected_without_failing_and_restores_to_itself(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 400; round++)
        {
            var builder = new StringBuilder();
            var length = random.Next(1, 120);
            for (var i = 0; i < length; i++)
            {
                builder.Append(Pieces[random.Next(Pieces.Length)]);
                if (random.Next(3) == 0)
                {
                    builder.Append(' ');
                }
            }

            var text = builder.ToString();
            var protection = Protector.Begin(ClinicalContext.Empty);

            var result = protection.Protect(text);

            // One call's tokens for one person's name share the case of its first sighting.
            Assert.Equal(text, protection.Restore(result), ignoreCase: true);
        }
    }
}
