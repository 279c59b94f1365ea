using XefAI.Gateway.Configuration;
using XefAI.Gateway.Security;

namespace XefAI.Gateway.Tests.Security;

/// <summary>
/// An app that only CDS Hooks clients call as has no API key: the Gateway section accepts it, and no bearer, empty or
/// not, is ever that app's key.
/// </summary>
public sealed class KeylessAppTests
{
    private const string KeyedApp = "keyed-app";
    private const string KeylessApp = "ehr-app";

    [Fact]
    public void Validate_AppWithoutKey_GatewaySectionAccepts()
    {
        var result = new GatewayOptionsValidator().Validate(null, Options());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not-a-hash")]
    public void Validate_KeyGivenButNotAHash_StillRefused(string hash)
    {
        var options = Options();
        options.Clients[KeylessApp].ApiKeySha256 = hash;

        var result = new GatewayOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains($"Gateway:Clients:{KeylessApp}:ApiKeySha256 must be the 64-character hex SHA-256", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Bearer    ")]
    [InlineData("Bearer null")]
    [InlineData("Bearer e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    public void TryAuthenticateClient_AnyBearer_NeverTheKeylessApp(string? authorization)
    {
        var keys = ApiKeyDirectory.From(Options());

        var authenticated = keys.TryAuthenticateClient(authorization, out var app);

        Assert.False(authenticated);
        Assert.Null(app);
    }

    [Fact]
    public void TryGetClient_KeylessApp_IsKnownForTokenAuthenticatedCalls()
    {
        var keys = ApiKeyDirectory.From(Options());

        Assert.True(keys.TryGetClient(KeylessApp, out var app));
        Assert.Equal(KeylessApp, app.Id);
        Assert.True(keys.TryAuthenticateClient("Bearer keyed-app-key", out var keyed));
        Assert.Equal(KeyedApp, keyed.Id);
    }

    private static GatewayOptions Options()
    {
        var options = new GatewayOptions();
        options.Clients[KeyedApp] = new ClientAppOptions { ApiKeySha256 = ApiKeyDirectory.HashKey("keyed-app-key"), UseCases = ["summary"] };
        options.Clients[KeylessApp] = new ClientAppOptions { UseCases = ["summary"] };
        return options;
    }
}
