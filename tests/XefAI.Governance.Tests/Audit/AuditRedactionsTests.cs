namespace XefAI.Governance.Tests;

/// <summary>The canonical, bounded, PHI-free form of an audit record's redaction counts.</summary>
public sealed class AuditRedactionsTests
{
    [Fact]
    public void Normalize_CountsOfAnyOrder_SortedByKindWithoutZeros()
    {
        var normalized = AuditRedactions.Normalize(new Dictionary<string, int> { ["name"] = 3, ["date"] = 2, ["phone"] = 0, ["mrn"] = 1 });

        Assert.Equal([new("date", 2), new("mrn", 1), new("name", 3)], normalized);
        Assert.Equal("date=2,mrn=1,name=3", AuditRedactions.Format(normalized));
        Assert.True(AuditRedactions.IsCanonical(AuditRedactions.Format(normalized)));
    }

    [Fact]
    public void Normalize_KindOutsideTheAlphabet_IsCountedAsOtherSoNoTextOfTheCallLeaks()
    {
        var normalized = AuditRedactions.Normalize(new Dictionary<string, int>
        {
            ["Alice Example"] = 1,
            ["NAME"] = 2,
            ["other"] = 1,
            [new string('a', 33)] = 4,
            ["zip_code"] = 1,
        });

        Assert.Equal("other=8,zip_code=1", AuditRedactions.Format(normalized));
    }

    [Fact]
    public void Normalize_MoreKindsThanTheBound_TheRestAreCountedAsOther()
    {
        var many = Enumerable.Range(0, 100).ToDictionary(i => "k" + (char)('a' + (i / 26)) + (char)('a' + (i % 26)), _ => 1);

        var normalized = AuditRedactions.Normalize(many);

        Assert.Equal(AuditRedactions.MaxKinds, normalized.Count);
        Assert.Equal(100, normalized.Sum(p => p.Value));
        Assert.Equal(100 - (AuditRedactions.MaxKinds - 1), normalized.Single(p => p.Key == AuditRedactions.OtherKind).Value);
        Assert.True(AuditRedactions.IsCanonical(AuditRedactions.Format(normalized)));
    }

    [Fact]
    public void Normalize_ExactlyTheBoundOfDistinctKinds_TheLastIsCountedAsOther()
    {
        var kinds = Enumerable.Range(0, AuditRedactions.MaxKinds).Select(i => "k" + (char)('a' + (i / 26)) + (char)('a' + (i % 26))).ToList();

        var normalized = AuditRedactions.Normalize(kinds.Select(k => new KeyValuePair<string, int>(k, 2)).ToList());

        Assert.Equal(AuditRedactions.MaxKinds, normalized.Count);
        Assert.Equal(2, normalized.Single(p => p.Key == AuditRedactions.OtherKind).Value);
        Assert.DoesNotContain(normalized, p => p.Key == kinds[^1]);
        Assert.True(AuditRedactions.IsCanonical(AuditRedactions.Format(normalized)));
    }

    [Fact]
    public void Normalize_AListWithRepeatsAndZeros_IsSummedAndOwnsItsCopy()
    {
        List<KeyValuePair<string, int>> counts = [new("name", 1), new("date", 0), new("name", 2), new("mrn", 1)];

        var normalized = AuditRedactions.Normalize(counts);
        counts[0] = new("zip", 9);

        Assert.Equal("mrn=1,name=3", AuditRedactions.Format(normalized));
    }

    [Fact]
    public void Normalize_DistinctCanonicalKinds_AreSortedIntoACopyTheCallerCannotChange()
    {
        KeyValuePair<string, int>[] counts = [new("phone", 1), new("date", 2), new("name", 3)];

        var normalized = AuditRedactions.Normalize(counts);
        counts[1] = new("zip", 9);

        Assert.Equal("date=2,name=3,phone=1", AuditRedactions.Format(normalized));
        Assert.Equal("phone", counts[0].Key);
    }

    [Fact]
    public void Normalize_Nothing_FormatsAsEmpty()
    {
        var normalized = AuditRedactions.Normalize(new Dictionary<string, int>());

        Assert.Empty(normalized);
        Assert.Equal("", AuditRedactions.Format(normalized));
        Assert.True(AuditRedactions.IsCanonical(""));
    }

    [Theory]
    [InlineData("name=1", true)]
    [InlineData("date=2,name=3", true)]
    [InlineData("date_of_birth=1,zip=2147483647", true)]
    [InlineData("name=3,date=2", false)]
    [InlineData("name=1,name=1", false)]
    [InlineData("name=0", false)]
    [InlineData("name=01", false)]
    [InlineData("name=+1", false)]
    [InlineData("name=2147483648", false)]
    [InlineData("name=", false)]
    [InlineData("=1", false)]
    [InlineData("name", false)]
    [InlineData(",", false)]
    [InlineData("name=1 ", false)]
    [InlineData("Name=1", false)]
    [InlineData("na me=1", false)]
    public void IsCanonical_OnlyWhatFormatWrites(string text, bool canonical) =>
        Assert.Equal(canonical, AuditRedactions.IsCanonical(text));
}
