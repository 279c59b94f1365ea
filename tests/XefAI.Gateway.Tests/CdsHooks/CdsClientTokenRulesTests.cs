using XefAI.Gateway.CdsHooks;

namespace XefAI.Gateway.Tests.CdsHooks;

/// <summary>The small rules under CDS client tokens: what is judged as a JWT, which URLs are the same audience, the replay guard.</summary>
public sealed class CdsClientTokenRulesTests
{
    [Theory]
    [InlineData("eyJhbGciOiJSUzM4NCJ9.eyJpc3MiOiJ4In0.c2ln", true)]
    [InlineData("eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.", true)]
    [InlineData("test-client-key-0001", false)]
    [InlineData("a.b", false)]
    [InlineData(".b.c", false)]
    [InlineData("a..c", false)]
    [InlineData("a.b.c.d", false)]
    [InlineData("a.b+.c", false)]
    public void LooksLikeJwt_ThreeBase64UrlSegments(string bearer, bool expected) =>
        Assert.Equal(expected, CdsClientTokens.LooksLikeJwt(bearer));

    [Theory]
    [InlineData("https://gw.example.org/cds-services/x", "https://gw.example.org/cds-services/x", true)]
    [InlineData("https://gw.example.org/cds-services/x/", "https://gw.example.org/cds-services/x", true)]
    [InlineData("HTTPS://GW.example.org:443/cds-services/x", "https://gw.example.org/cds-services/x", true)]
    [InlineData("https://gw.example.org/cds-services/X", "https://gw.example.org/cds-services/x", false)]
    [InlineData("https://gw.example.org/cds-services/y", "https://gw.example.org/cds-services/x", false)]
    [InlineData("https://gw.example.org:8443/cds-services/x", "https://gw.example.org/cds-services/x", false)]
    [InlineData("http://gw.example.org/cds-services/x", "https://gw.example.org/cds-services/x", false)]
    [InlineData("https://gw.example.org/cds-services/x?a=1", "https://gw.example.org/cds-services/x", false)]
    [InlineData("cds-services/x", "https://gw.example.org/cds-services/x", false)]
    public void SameUrl_SchemeHostPortAndPath(string claimed, string expected, bool same) =>
        Assert.Equal(same, CdsClientTokens.SameUrl(claimed, expected));

    [Fact]
    public void TryRecord_SameIdTwice_SecondIsReplayedUntilItsTokenExpires()
    {
        var clock = new Clock();
        var replays = new CdsTokenReplays(clock);

        Assert.Equal(CdsReplayVerdict.Recorded, replays.TryRecord("iss", "jti-1", clock.Now.AddMinutes(2)));
        Assert.Equal(CdsReplayVerdict.Replayed, replays.TryRecord("iss", "jti-1", clock.Now.AddMinutes(2)));
        Assert.Equal(CdsReplayVerdict.Recorded, replays.TryRecord("other-iss", "jti-1", clock.Now.AddMinutes(2)));

        clock.Now = clock.Now.AddMinutes(3);
        Assert.Equal(CdsReplayVerdict.Recorded, replays.TryRecord("iss", "jti-2", clock.Now.AddMinutes(2)));
        Assert.Equal(1, replays.Count);
    }

    [Fact]
    public void TryRecord_Full_RefusesNewIdsUntilOldOnesExpireButNeverForgetsALiveOne()
    {
        var clock = new Clock();
        var replays = new CdsTokenReplays(clock, capacity: 2);
        replays.TryRecord("iss", "a", clock.Now.AddMinutes(1));
        replays.TryRecord("iss", "b", clock.Now.AddMinutes(5));

        Assert.Equal(CdsReplayVerdict.Full, replays.TryRecord("iss", "c", clock.Now.AddMinutes(5)));
        Assert.Equal(CdsReplayVerdict.Replayed, replays.TryRecord("iss", "b", clock.Now.AddMinutes(5)));

        clock.Now = clock.Now.AddMinutes(2);
        Assert.Equal(CdsReplayVerdict.Recorded, replays.TryRecord("iss", "c", clock.Now.AddMinutes(5)));
        Assert.Equal(CdsReplayVerdict.Replayed, replays.TryRecord("iss", "b", clock.Now.AddMinutes(5)));
    }

    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
