using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using XefAI.Data.Configuration;

namespace XefAI.Data.Pseudonymization;

/// <summary>Keyed hash of a patient reference: stable per salt, not reversible without it.</summary>
internal sealed class PatientPseudonymizer : IPatientPseudonymizer
{
    private const string Prefix = "pp-";

    // 128 bits keep collisions out of reach for any realistic patient population while staying short in the audit trail.
    private const int PseudonymBytes = 16;

    private readonly byte[] _key;

    // IOptions, not IOptionsMonitor: a salt changed at run time would split one patient's audit history in two.
    public PatientPseudonymizer(IOptions<DataOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var salt = options.Value.PseudonymSalt;
        if (string.IsNullOrEmpty(salt))
        {
            throw new InvalidOperationException($"{DataOptions.SectionName}:{nameof(DataOptions.PseudonymSalt)} is not configured.");
        }

        _key = Encoding.UTF8.GetBytes(salt);
    }

    public string Pseudonymize(string patientReference)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(patientReference);

        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(patientReference.Trim()), hash);
        return Prefix + Convert.ToHexStringLower(hash[..PseudonymBytes]);
    }
}
