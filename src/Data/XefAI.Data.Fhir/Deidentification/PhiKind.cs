namespace XefAI.Data.Deidentification;

/// <summary>The kinds of identifier the de-identifier replaces, after HIPAA Safe Harbor's eighteen categories.</summary>
internal enum PhiKind : byte
{
    Name,
    Address,
    Location,
    Zip,
    Date,
    Age,
    Phone,
    Fax,
    Email,
    Ssn,
    Mrn,
    HealthPlan,
    Account,
    License,
    Vehicle,
    Device,
    Url,
    Ip,
    Biometric,
    Id,
}

internal static class PhiKinds
{
    private static readonly string[] Tokens =
    [
        "NAME", "ADDRESS", "LOCATION", "ZIP", "DATE", "AGE", "PHONE", "FAX", "EMAIL", "SSN", "MRN", "HEALTHPLAN", "ACCOUNT",
        "LICENSE", "VEHICLE", "DEVICE", "URL", "IP", "BIOMETRIC", "ID",
    ];

    private static readonly string[] Labels = [.. Tokens.Select(t => t.ToLowerInvariant())];

    public static int Count => Tokens.Length;

    /// <summary>Every kind's lower-case name, in the enum's order.</summary>
    public static IReadOnlyList<string> AllLabels => Labels;

    /// <summary>The upper-case name inside a token, e.g. <c>NAME</c> in <c>[NAME_1]</c>.</summary>
    public static string TokenName(this PhiKind kind) => Tokens[(int)kind];

    /// <summary>The lower-case name used for metrics and audit counts.</summary>
    public static string Label(this PhiKind kind) => Labels[(int)kind];

    public static bool TryParseTokenName(ReadOnlySpan<char> name, out PhiKind kind)
    {
        for (var i = 0; i < Tokens.Length; i++)
        {
            if (name.SequenceEqual(Tokens[i]))
            {
                kind = (PhiKind)i;
                return true;
            }
        }

        kind = default;
        return false;
    }
}

/// <summary>One identifier found in a text: where it is and what kind it is.</summary>
internal readonly record struct PhiSpan(int Start, int Length, PhiKind Kind)
{
    public int End => Start + Length;
}
