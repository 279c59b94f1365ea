namespace XefAI.Governance.Tests;

public sealed class AuditChainHasherTests
{
    [Fact]
    public void ComputeHash_SameInput_GivesSameHashEveryTime()
    {
        using var first = new AuditChainHasher();
        using var second = new AuditChainHasher();
        var entry = AuditEntries.Create(1);

        var hash = first.ComputeHash("aud_1", 1, entry, AuditChainHasher.GenesisHash);

        Assert.Equal(hash, first.ComputeHash("aud_1", 1, entry, AuditChainHasher.GenesisHash));
        Assert.Equal(hash, second.ComputeHash("aud_1", 1, entry with { Timestamp = entry.Timestamp.ToOffset(TimeSpan.FromHours(2)) }, AuditChainHasher.GenesisHash));
    }

    [Fact]
    public void ComputeHash_AnyFieldChanged_ChangesTheHash()
    {
        using var hasher = new AuditChainHasher();
        var entry = AuditEntries.Create(1);
        var original = hasher.ComputeHash("aud_1", 1, entry, AuditChainHasher.GenesisHash);

        string[] variants =
        [
            hasher.ComputeHash("aud_2", 1, entry, AuditChainHasher.GenesisHash),
            hasher.ComputeHash("aud_1", 2, entry, AuditChainHasher.GenesisHash),
            hasher.ComputeHash("aud_1", 1, entry, new string('1', 64)),
            hasher.ComputeHash("aud_1", 1, entry with { Timestamp = entry.Timestamp.AddTicks(1) }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash("aud_1", 1, entry with { AppId = null }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash("aud_1", 1, entry with { AppId = "" }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash("aud_1", 1, entry with { RiskTier = null }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash("aud_1", 1, entry with { StatusCode = 503 }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash("aud_1", 1, entry with { OutputTokens = 0 }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash("aud_1", 1, entry with { LatencyMs = BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(entry.LatencyMs) + 1) }, AuditChainHasher.GenesisHash),
        ];

        Assert.DoesNotContain(original, variants);
        Assert.Equal(variants.Length, variants.Distinct().Count());
    }
}
