using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.IdentityModel.Tokens;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.Hosting;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.CdsHooks;

/// <summary>The trusted EHRs of <c>CdsHooks:Clients</c>: every problem named at start-up, and a bad edit refused at reload.</summary>
public sealed class CdsClientsConfigurationTests
{
    [Fact]
    public async Task Start_ClientProblems_RefusesToStartNamingEveryOne()
    {
        using var rsa = RSA.Create(2048);
        var priv = rsa.ExportParameters(true);
        var error = await Assert.ThrowsAsync<GatewayConfigurationException>(() => GatewayHost.StartAsync(configuration =>
            configuration["CdsHooks"] = new JsonObject
            {
                ["Clients"] = new JsonObject
                {
                    ["unknown-app"] = new JsonObject { ["Issuer"] = "https://a.example.org", ["JwksUrl"] = "https://a.example.org/jwks", ["App"] = "no-such-app" },
                    ["plain-http"] = new JsonObject { ["Issuer"] = "https://b.example.org", ["JwksUrl"] = "http://b.example.org/jwks", ["App"] = "test-app" },
                    ["same-issuer"] = new JsonObject { ["Issuer"] = "https://b.example.org", ["JwksUrl"] = "https://b.example.org/jwks", ["App"] = "test-app" },
                    ["no-keys"] = new JsonObject { ["Issuer"] = "https://c.example.org", ["App"] = "test-app" },
                    ["private-key"] = new JsonObject
                    {
                        ["Issuer"] = "https://d.example.org",
                        ["App"] = "test-app",
                        ["Jwks"] = new JsonObject
                        {
                            ["keys"] = new JsonArray(new JsonObject
                            {
                                ["kty"] = "RSA",
                                ["kid"] = "k",
                                ["n"] = Base64UrlEncoder.Encode(priv.Modulus),
                                ["e"] = Base64UrlEncoder.Encode(priv.Exponent),
                                ["d"] = Base64UrlEncoder.Encode(priv.D),
                            }),
                        },
                    },
                },
            }));

        Assert.Contains("CdsHooks:Clients:unknown-app:App 'no-such-app' is not an app of Gateway:Clients", error.Message, StringComparison.Ordinal);
        Assert.Contains("CdsHooks:Clients:plain-http: JWK Set URL 'http://b.example.org/jwks' must be an absolute https URL", error.Message, StringComparison.Ordinal);
        Assert.Contains("CdsHooks:Clients:same-issuer:Issuer is also CdsHooks:Clients:plain-http's", error.Message, StringComparison.Ordinal);
        Assert.Contains("CdsHooks:Clients:no-keys has no keys", error.Message, StringComparison.Ordinal);
        Assert.Contains("CdsHooks:Clients:private-key:Jwks:Keys:0 holds private key material", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Base64UrlEncoder.Encode(priv.D), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reload_ClientNamingAnUnknownApp_RejectedAndTheLastGoodStays()
    {
        await using var host = await GatewayHost.StartAsync(
            configuration => configuration["CdsHooks"] = new JsonObject { ["Clients"] = Clients("test-app") },
            watchConfiguration: true);
        var before = host.Reloads;

        await host.RewriteConfigurationAsync(configuration => configuration["CdsHooks"] = new JsonObject { ["Clients"] = Clients("gone-app") });
        await host.WaitForReloadAsync(before, applied: false);

        var snapshots = (GatewaySnapshots)host.Services.GetService(typeof(GatewaySnapshots))!;
        Assert.Equal("test-app", snapshots.Current.CdsHooks.Clients["ehr"].App);
    }

    [Theory]
    [InlineData("https://ehr.example.org/jwks", true)]
    [InlineData("http://127.0.0.1:8080/jwks", true)]
    [InlineData("http://localhost/jwks", true)]
    [InlineData("http://ehr.example.org/jwks", false)]
    [InlineData("https://user:pw@ehr.example.org/jwks", false)]
    [InlineData("file:///etc/jwks", false)]
    [InlineData("/jwks", false)]
    public void IsAcceptableJwksUrl_HttpsOrLoopbackOnly(string url, bool acceptable) =>
        Assert.Equal(acceptable, CdsHooksOptionsValidator.IsAcceptableJwksUrl(url));

    [Fact]
    public void Validate_ClientOfAConfiguredApp_Passes()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new("Gateway:Clients:ehr-app:ApiKeySha256", new string('a', 64))])
            .Build();
        var options = new CdsHooksOptions();
        options.Clients["ehr"] = new CdsClientOptions { Issuer = "https://ehr.example.org", JwksUrl = "https://ehr.example.org/jwks", App = "ehr-app" };

        var result = new CdsHooksOptionsValidator(configuration).Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    private static JsonObject Clients(string app) => new()
    {
        ["ehr"] = new JsonObject { ["Issuer"] = "https://ehr.example.org", ["JwksUrl"] = "https://ehr.example.org/jwks", ["App"] = app },
    };
}
