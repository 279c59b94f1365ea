namespace XefAI.Governance;

/// <summary>When a shared token replay store prunes an id: only once it may be forgotten by every replica's clock.</summary>
internal static class TokenReplayPruning
{
    /// <summary>
    /// How far past its forget time an id is kept: the token lifetime a CDS client token may have (5 minutes) plus the
    /// largest <c>CdsHooks:ClockSkew</c> (5 minutes). A replica prunes by its own clock; one running minutes ahead of
    /// the others would otherwise delete the id of a token they still accept, and a replay sent to them would pass. A
    /// replica further ahead than this accepts no token from an issuer with a correct clock, so it never prunes.
    /// </summary>
    public static readonly TimeSpan ClockDisagreement = TimeSpan.FromMinutes(10);

    /// <summary>The forget time at or before which ids are pruned, on a replica whose clock reads <paramref name="now"/>.</summary>
    public static string PruneBefore(DateTimeOffset now) => GovernanceStateRows.FormatTime(now - ClockDisagreement);
}
