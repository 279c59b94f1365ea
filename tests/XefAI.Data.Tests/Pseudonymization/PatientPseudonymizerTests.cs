using Microsoft.Extensions.Options;
using XefAI.Data.Configuration;
using XefAI.Data.Pseudonymization;

namespace XefAI.Data.Tests.Pseudonymization;

public sealed class PatientPseudonymizerTests
{
    private const string Salt = "test-salt-0123456789";

    [Fact]
    public void Pseudonymize_KnownSalt_IsHmacSha256Truncated()
    {
        // Expected value computed independently: python3 hmac.new(salt, reference, sha256).hexdigest()[:32]
        Assert.Equal("pp-04cbbe9ab2ab074fb1bf0fb389622274", Create(Salt).Pseudonymize("Patient/pat-4471"));
    }

    [Fact]
    public void Pseudonymize_SameSalt_IsDeterministicAcrossInstances()
    {
        Assert.Equal(Create(Salt).Pseudonymize("Patient/pat-4471"), Create(Salt).Pseudonymize("Patient/pat-4471"));
    }

    [Fact]
    public void Pseudonymize_OtherSalt_GivesOtherPseudonym()
    {
        var pseudonym = Create("another-salt-9876543210").Pseudonymize("Patient/pat-4471");

        Assert.Equal("pp-b0ac8cefb8f382bce32e43eae4ae7526", pseudonym);
        Assert.NotEqual(Create(Salt).Pseudonymize("Patient/pat-4471"), pseudonym);
    }

    [Fact]
    public void Pseudonymize_OtherPatient_GivesOtherPseudonym()
    {
        var pseudonymizer = Create(Salt);

        Assert.NotEqual(pseudonymizer.Pseudonymize("Patient/pat-4471"), pseudonymizer.Pseudonymize("Patient/pat-4472"));
    }

    [Fact]
    public void Pseudonymize_Output_HasPrefixAndHexOnlyAndNoIdentifier()
    {
        var pseudonym = Create(Salt).Pseudonymize("Patient/4471");

        Assert.Matches("^pp-[0-9a-f]{32}$", pseudonym);
        Assert.DoesNotContain("4471", pseudonym, StringComparison.Ordinal);
        Assert.DoesNotContain("Patient", pseudonym, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Pseudonymize_BlankReference_Throws(string reference)
    {
        Assert.Throws<ArgumentException>(() => Create(Salt).Pseudonymize(reference));
    }

    private static PatientPseudonymizer Create(string salt) =>
        new(Options.Create(new DataOptions { PseudonymSalt = salt }));
}
