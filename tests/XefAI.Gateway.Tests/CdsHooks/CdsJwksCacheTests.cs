using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.Tokens;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using XefAI.Gateway.CdsHooks;

namespace XefAI.Gateway.Tests.CdsHooks;

/// <summary>The EHRs' JWK Sets: kept, fetched again for a key id not yet seen (at most once per interval), never fatal.</summary>
public sealed class CdsJwksCacheTests : IDisposable
{
    private readonly WireMockServer _ehr = WireMockServer.Start();
    private readonly Clock _clock = new();
    private readonly CdsJwksCache _cache;

    public CdsJwksCacheTests() => _cache = new CdsJwksCache(_clock, NullLogger.Instance);

    private string Url => _ehr.Urls[0] + "/jwks";

    [Fact]
    public async Task GetKeys_UnknownKid_FetchesAgainOnlyOncePerInterval()
    {
        Publish("k1");
        Assert.Contains(await _cache.GetKeysAsync(Url, "k1", default) ?? [], k => k.KeyId == "k1");

        Publish("k1", "k2");
        var tooSoon = await _cache.GetKeysAsync(Url, "k2", default);
        _clock.Now += CdsJwksCache.MinRefreshInterval + TimeSpan.FromSeconds(1);
        var later = await _cache.GetKeysAsync(Url, "k2", default);

        Assert.DoesNotContain(tooSoon ?? [], k => k.KeyId == "k2");
        Assert.Contains(later ?? [], k => k.KeyId == "k2");
        Assert.Equal(2, _ehr.LogEntries.Count());
    }

    [Fact]
    public async Task GetKeys_KnownKid_NoFetchUntilTheSetIsStale()
    {
        Publish("k1");
        await _cache.GetKeysAsync(Url, "k1", default);
        await _cache.GetKeysAsync(Url, "k1", default);
        Assert.Single(_ehr.LogEntries);

        _clock.Now += CdsJwksCache.MaxAge + TimeSpan.FromSeconds(1);
        await _cache.GetKeysAsync(Url, "k1", default);

        Assert.Equal(2, _ehr.LogEntries.Count());
    }

    [Theory]
    [InlineData(500, "{}")]
    [InlineData(200, "this is not a JWK Set")]
    [InlineData(200, "{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\",\"kid\":\"k1\"}]}")]
    public async Task GetKeys_ServerFailsOrPublishesNothingUsable_NoKeysAndNoThrow(int status, string body)
    {
        _ehr.Given(Request.Create().WithPath("/jwks")).RespondWith(Response.Create().WithStatusCode(status).WithBody(body));

        var keys = await _cache.GetKeysAsync(Url, "k1", default);

        Assert.DoesNotContain(keys ?? [], k => k.KeyId == "k1");
    }

    [Fact]
    public async Task GetKeys_ServerGoesDown_TheLastGoodSetIsKept()
    {
        Publish("k1");
        await _cache.GetKeysAsync(Url, "k1", default);
        _ehr.Stop();
        _clock.Now += CdsJwksCache.MaxAge + TimeSpan.FromSeconds(1);

        var keys = await _cache.GetKeysAsync(Url, "k1", default);

        Assert.Contains(keys ?? [], k => k.KeyId == "k1");
    }

    [Fact]
    public async Task GetKeys_NothingListening_Null() =>
        Assert.Null(await _cache.GetKeysAsync("http://127.0.0.1:9/jwks", "k1", default));

    public void Dispose()
    {
        _cache.Dispose();
        _ehr.Dispose();
    }

    private void Publish(params string[] kids)
    {
        var keys = new JsonArray();
        foreach (var kid in kids)
        {
            using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var p = ec.ExportParameters(false);
            keys.Add(new JsonObject { ["kty"] = "EC", ["kid"] = kid, ["crv"] = "P-256", ["x"] = Base64UrlEncoder.Encode(p.Q.X), ["y"] = Base64UrlEncoder.Encode(p.Q.Y) });
        }

        _ehr.ResetMappings();
        _ehr.Given(Request.Create().WithPath("/jwks").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(new JsonObject { ["keys"] = keys }.ToJsonString()));
    }

    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
