using System.Text.RegularExpressions;

namespace XefAI.Governance.Tests;

/// <summary>Assertions on a verification that hold for a store of one chain and for one of a chain per writer.</summary>
internal static partial class VerificationAssert
{
    public static void AssertIntact(long records, AuditChainVerification actual)
    {
        Assert.True(actual.Valid, actual.Problem);
        Assert.Equal(records, actual.Records);
        Assert.Null(actual.FirstBrokenRecord);
        Assert.Null(actual.Problem);
    }

    /// <summary>
    /// Compares what every store reports. A PostgreSQL store names the record's chain too ("chain C, seq 3"); the
    /// record's id already tells which record it is, so the chain is left out of the comparison.
    /// </summary>
    public static void AssertBroken(AuditChainVerification expected, AuditChainVerification actual)
    {
        Assert.False(actual.Valid);
        Assert.Equal(expected, new AuditChainVerification(actual.Valid, actual.Records, actual.FirstBrokenRecord, actual.Problem is null ? null : ChainNamed().Replace(actual.Problem, "(seq")));
    }

    [GeneratedRegex(@"\(chain [^,]+, seq")]
    private static partial Regex ChainNamed();
}
