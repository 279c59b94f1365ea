namespace XefAI.Governance;

/// <summary>
/// The ids of single-use client tokens (a CDS Hooks client JWT's <c>iss</c> and <c>jti</c>) already accepted, kept in
/// the governance state database so that every replica sharing it refuses a token another one accepted. Each id is
/// kept until its token could no longer be accepted anyway, then pruned.
/// </summary>
public interface ITokenReplayStore
{
    /// <summary>Records the token's id unless it is recorded already and not yet forgotten.</summary>
    /// <param name="forgetAfter">When the id may be forgotten: the token's expiry plus the clock skew allowed.</param>
    /// <returns>True when this call recorded it (first use); false when it was recorded before (a replay).</returns>
    ValueTask<bool> TryRecordAsync(string issuer, string tokenId, DateTimeOffset forgetAfter, CancellationToken cancellationToken);
}
