using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using XefAI.Data.Configuration;

namespace XefAI.Data.Deidentification;

/// <summary>
/// The gateway's de-identifier: HIPAA Safe Harbor's identifiers are replaced by typed, numbered tokens in free text
/// and in FHIR resources sent as JSON, the people of the clinical context are found in any form, and each call keeps
/// its own token map in memory to put the values back into the answer.
/// </summary>
internal sealed class SafeHarborDataProtector : IDataProtector
{
    private readonly byte[] _dateShiftKey;
    private readonly IOptionsMonitor<DataOptions> _options;
    private readonly Func<string?, int> _dateShift;

    public SafeHarborDataProtector(IOptionsMonitor<DataOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;

        // Its own key, derived from the pseudonym salt: a shift must not be computable from a pseudonym or vice versa.
        var salt = options.CurrentValue.PseudonymSalt ?? string.Empty;
        _dateShiftKey = SHA256.HashData(Encoding.UTF8.GetBytes("xefai-date-shift:" + salt));
        _dateShift = DateShiftDays;

        // Load the word lists now, not on the first call.
        _ = Lexicon.Default;
    }

    public string Name => "safe-harbor";

    public bool DeIdentifies => true;

    public IReadOnlyList<string> Kinds => PhiKinds.AllLabels;

    public IDataProtection Begin(ClinicalContext context) => Begin(context, appId: null);

    /// <remarks>The texts found clean are remembered per app (<see cref="CleanTexts"/>).</remarks>
    public IDataProtection Begin(ClinicalContext context, string? appId)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = _options.CurrentValue;
        return new SafeHarborProtection(
            PhiScanner.Default, KnownPeople.From(context.People), _dateShift, context.PatientReference, options.MaxDeIdentifiedTextLength)
        {
            CleanScope = appId,
        };
    }

    /// <summary>
    /// Days every structured date of one patient moves by: the same for every call about that patient, so that
    /// intervals and the order of events survive; between 1 and 365 days either way, never zero.
    /// </summary>
    internal int DateShiftDays(string? patientReference)
    {
        if (string.IsNullOrWhiteSpace(patientReference))
        {
            var random = RandomNumberGenerator.GetInt32(1, 366);
            return RandomNumberGenerator.GetInt32(2) == 0 ? -random : random;
        }

        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_dateShiftKey, Encoding.UTF8.GetBytes(patientReference.Trim()), hash);
        var value = BitConverter.ToUInt32(hash);
        var days = (int)(value % 365) + 1;
        return (value & 0x8000_0000) == 0 ? -days : days;
    }
}
