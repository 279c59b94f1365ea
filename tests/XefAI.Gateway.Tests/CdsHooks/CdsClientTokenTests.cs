using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using XefAI.Gateway.Security;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.CdsHooks;

/// <summary>
/// CDS Hooks 2.0 client authentication against the running gateway: EHRs sign a JWT with keys generated here (RSA and
/// ECDSA), publish them as a JWK Set on a loopback WireMock, and call a CDS service with it. Every refusal is a 401
/// <c>invalid_token</c> in the CDS error shape, never a 500.
/// </summary>
public sealed class CdsClientTokenTests(CdsClientTokenTests.Fixture fixture) : IClassFixture<CdsClientTokenTests.Fixture>
{
    private const string Service = "chart-review";
    private const string Issuer = "https://ehr.example.org";
    private const string InlineIssuer = "https://inline-ehr.example.org";
    private const string DownIssuer = "https://down-ehr.example.org";
    private const string EhrApp = "ehr-app";

    private Fixture F { get; } = fixture;

    private string ServiceUrl => new Uri(F.Host.Address, $"/cds-services/{Service}").ToString();

    [Fact]
    public async Task Call_ValidRs384Token_AnswersCardsAndAuditsAsTheConfiguredApp()
    {
        var call = await CallAsync(F.Sign(F.Rsa, "RS384"));

        Assert.Equal(200, call.Status);
        var card = call.Json["cards"]!.AsArray().Single()!.AsObject();
        Assert.False(string.IsNullOrWhiteSpace((string?)card["summary"]));
        var record = await F.Host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("answered", (string?)record["decision"]);
        Assert.Equal(EhrApp, (string?)record["app"]);

        // Several EHRs may count as one app: the record says which one signed.
        Assert.Contains("cds_client:ehr", ((string?)record["reasons"] ?? string.Empty).Split(';'));
    }

    [Theory]
    [InlineData("ES384")]
    [InlineData("ES256")]
    public async Task Call_ValidEcToken_Answers(string algorithm)
    {
        var key = algorithm == "ES384" ? F.Ec384 : F.Ec256;

        var call = await CallAsync(F.Sign(key, algorithm));

        Assert.Equal(200, call.Status);
    }

    [Fact]
    public async Task Call_TokenWithTrailingSlashAudAndConfiguredJku_Answers()
    {
        var call = await CallAsync(F.Sign(F.Rsa, "RS256", audience: ServiceUrl + "/", jku: F.JwksUrl));

        Assert.Equal(200, call.Status);
    }

    [Fact]
    public async Task Call_IssuerWithInlineKeys_AnswersWithoutAnyFetch()
    {
        var call = await CallAsync(F.Sign(F.InlineEc, "ES384", issuer: InlineIssuer));

        Assert.Equal(200, call.Status);
    }

    [Fact]
    public async Task Discovery_ValidToken_ListsTheAppsServices()
    {
        using var client = F.Host.CreateClient(key: null);
        var discovery = new Uri(F.Host.Address, "/cds-services").ToString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", F.Sign(F.Rsa, "RS384", audience: discovery));

        var call = await client.GetCallAsync("/cds-services");

        Assert.Equal(200, call.Status);
        Assert.Contains(call.Json["services"]!.AsArray(), s => (string?)s!["id"] == Service);
    }

    [Fact]
    public async Task Feedback_ValidTokenOnTheEhrsOwnCard_IsRecordedAgainstItButAnotherAppsCardIsUnknown()
    {
        var answered = await CallAsync(F.Sign(F.Rsa, "RS384"));
        var card = answered.Header("X-XefAI-Audit-Id");
        using var keyed = F.Host.CreateClient();
        var otherAppsCard = (await keyed.PostJsonAsync($"/cds-services/{Service}", CdsHooksTests.PatientViewExample)).Header("X-XefAI-Audit-Id");
        var feedbackUrl = ServiceUrl + "/feedback";

        var own = await FeedbackAsync(F.Sign(F.Ec384, "ES384", audience: feedbackUrl), card!);
        var others = await FeedbackAsync(F.Sign(F.Ec384, "ES384", audience: feedbackUrl), otherAppsCard!);

        Assert.Equal(200, own.Status);
        Assert.Equal(404, others.Status);
        Assert.Equal("unknown_card", (string?)others.Json["error"]!["code"]);
        var record = (await F.Host.GetAuditRecordsAsync("cds-local")).First(r => (string?)r["decision"] == "feedback" && (string?)r["relatesTo"] == card);
        Assert.Equal(EhrApp, (string?)record["app"]);
        Assert.Contains("cds_client:ehr", ((string?)record["reasons"] ?? string.Empty).Split(';'));
    }

    [Fact]
    public async Task Call_AppKey_StillAnswers()
    {
        using var client = F.Host.CreateClient();

        var call = await client.PostJsonAsync($"/cds-services/{Service}", CdsHooksTests.PatientViewExample);

        Assert.Equal(200, call.Status);
        var record = await F.Host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        var reasons = ((string?)record["reasons"] ?? string.Empty).Split(';');
        Assert.Contains($"cds_service:{Service}", reasons);
        Assert.DoesNotContain(reasons, r => r.StartsWith("cds_client:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Call_SameTokenTwice_SecondIsRefusedAsReplayed()
    {
        var token = F.Sign(F.Rsa, "RS384");
        Assert.Equal(200, (await CallAsync(token)).Status);

        var replayed = await CallAsync(token);

        AssertRefused(replayed, "jti was used before");
    }

    [Fact]
    public async Task Call_WrongAudience_Refused() =>
        AssertRefused(await CallAsync(F.Sign(F.Rsa, "RS384", audience: new Uri(F.Host.Address, "/cds-services/order-review").ToString())), "aud is not the URL");

    [Fact]
    public async Task Call_Expired_Refused()
    {
        var now = DateTimeOffset.UtcNow;
        AssertRefused(await CallAsync(F.Sign(F.Rsa, "RS384", issuedAt: now.AddMinutes(-4), expires: now.AddMinutes(-2))), "expired");
    }

    [Fact]
    public async Task Call_IssuedLongAgo_RefusedForItsLifetime()
    {
        var now = DateTimeOffset.UtcNow;
        AssertRefused(await CallAsync(F.Sign(F.Rsa, "RS384", issuedAt: now.AddMinutes(-10), expires: now.AddMinutes(1))), "longer than 5 minutes");
    }

    [Fact]
    public async Task Call_ExpiresTooFarAhead_Refused()
    {
        var now = DateTimeOffset.UtcNow;
        AssertRefused(await CallAsync(F.Sign(F.Rsa, "RS384", issuedAt: now, expires: now.AddMinutes(30))), "longer than 5 minutes");
    }

    [Fact]
    public async Task Call_UnknownIssuer_Refused() =>
        AssertRefused(await CallAsync(F.Sign(F.Rsa, "RS384", issuer: "https://stranger.example.org")), "iss is not a trusted");

    [Fact]
    public async Task Call_AlgNone_Refused()
    {
        var token = Unsigned(Header("none", "rsa-1"), Payload());

        AssertRefused(await CallAsync(token), "alg is not accepted");
    }

    [Fact]
    public async Task Call_Hs256SignedWithThePublicKey_Refused()
    {
        // The classic confusion: the RSA public key (as published) used as an HMAC secret.
        var secret = F.Rsa.ExportSubjectPublicKeyInfo();
        var signingInput = $"{Header("HS256", "rsa-1")}.{Payload()}";
        var token = $"{signingInput}.{Base64UrlEncoder.Encode(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signingInput)))}";

        AssertRefused(await CallAsync(token), "alg is not accepted");
    }

    [Fact]
    public async Task Call_JkuNotConfigured_RefusedAndNeverFetched()
    {
        using var attacker = WireMockServer.Start();
        var attackerJwks = attacker.Urls[0] + "/jwks";
        attacker.Given(Request.Create().WithPath("/jwks")).RespondWith(Response.Create().WithStatusCode(200).WithBody(F.Jwks));

        var call = await CallAsync(F.Sign(F.Rsa, "RS384", jku: attackerJwks));

        AssertRefused(call, "jku is not a JWK Set URL configured");
        Assert.Empty(attacker.LogEntries);
    }

    [Fact]
    public async Task Call_UnknownKid_Refused() =>
        AssertRefused(await CallAsync(F.Sign(RSA.Create(2048), "RS384", kid: "rotated-away")), "kid is not a key");

    [Fact]
    public async Task Call_SignedByAnotherKeyUnderAKnownKid_Refused() =>
        AssertRefused(await CallAsync(F.Sign(RSA.Create(2048), "RS384", kid: "rsa-1")), "signature does not verify");

    [Fact]
    public async Task Call_TamperedPayload_Refused()
    {
        var parts = F.Sign(F.Rsa, "RS384").Split('.');
        var claims = JsonNode.Parse(Base64UrlEncoder.Decode(parts[1]))!.AsObject();
        claims["sub"] = "someone-else";
        var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode(claims.ToJsonString())}.{parts[2]}";

        AssertRefused(await CallAsync(tampered), "signature does not verify");
    }

    [Fact]
    public async Task Call_JwksServerDown_Refused() =>
        AssertRefused(await CallAsync(F.Sign(F.Rsa, "RS384", issuer: DownIssuer)), "could not be fetched");

    [Fact]
    public async Task Call_NotAJwt_IsJudgedAsAnAppKey()
    {
        using var client = F.Host.CreateClient("not-a-key");

        var call = await client.PostJsonAsync($"/cds-services/{Service}", CdsHooksTests.PatientViewExample);

        Assert.Equal(401, call.Status);
        Assert.Equal("invalid_api_key", (string?)call.Json["error"]!["code"]);
    }

    [Fact]
    public async Task Refusal_CountedInAuthFailuresAndAuditedWithoutTheToken()
    {
        var token = F.Sign(F.Rsa, "RS384", issuer: "https://counted.example.org");
        AssertRefused(await CallAsync(token), "iss is not a trusted");

        await F.Host.Services.GetRequiredService<AuthenticationFailures>().FlushAsync(all: true);

        var refused = (await F.Host.GetAuditRecordsAsync())
            .Where(r => (string?)r["decision"] == AuthenticationFailures.AuditDecision)
            .Select(r => r.ToJsonString())
            .ToList();
        Assert.Contains(refused, r => r.Contains("invalid_token;route:cds_hooks", StringComparison.Ordinal));
        Assert.DoesNotContain(refused, r => r.Contains(token.Split('.')[1], StringComparison.Ordinal));
        using var scraper = F.Host.CreateClient(key: null);
        const string Refused = "(?m)^xefai_auth_failures_total\\{(?=[^}]*kind=\"invalid_token\")(?=[^}]*route=\"cds_hooks\")(?=[^}]*outcome=\"refused\")[^}]*\\} [1-9]";

        // The exporter caches a scrape briefly: poll for the count rather than sleep.
        var metrics = string.Empty;
        await AdminCalls.WaitUntilAsync(
            async () => System.Text.RegularExpressions.Regex.IsMatch(metrics = await scraper.GetStringAsync(new Uri("/metrics", UriKind.Relative)), Refused),
            "the refused token in xefai_auth_failures_total");
        Assert.Matches(Refused, metrics);
    }

    private static void AssertRefused(GatewayCall call, string reason)
    {
        Assert.Equal(401, call.Status);
        Assert.Equal("invalid_token", (string?)call.Json["error"]!["code"]);
        Assert.Contains(reason, (string?)call.Json["error"]!["message"], StringComparison.Ordinal);
        Assert.StartsWith("Bearer error=\"invalid_token\"", call.Response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    private static string Header(string alg, string kid) =>
        Base64UrlEncoder.Encode(new JsonObject { ["alg"] = alg, ["typ"] = "JWT", ["kid"] = kid }.ToJsonString());

    private string Payload()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return Base64UrlEncoder.Encode(new JsonObject
        {
            ["iss"] = Issuer,
            ["sub"] = "ehr-client",
            ["aud"] = ServiceUrl,
            ["iat"] = now,
            ["exp"] = now + 120,
            ["jti"] = Guid.NewGuid().ToString(),
        }.ToJsonString());
    }

    private async Task<GatewayCall> FeedbackAsync(string token, string card)
    {
        using var client = F.Host.CreateClient(key: null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.PostJsonAsync($"/cds-services/{Service}/feedback", $$"""{"feedback":[{"card":"{{card}}","outcome":"accepted"}]}""");
    }

    private static string Unsigned(string header, string payload) => $"{header}.{payload}.";

    [Fact]
    public async Task Call_TokenReplayedToAnotherReplicaOnTheSameStateStore_IsRefused()
    {
        // A second gateway on the fixture's governance state file, behind the same public URL as a load balancer gives.
        await using var replica = await GatewayHost.StartAsync(configuration =>
        {
            F.Configure(configuration);
            configuration["CdsHooks"]!["PublicBaseUrl"] = F.Host.Address.GetLeftPart(UriPartial.Authority);
        });
        var token = F.Sign(F.Rsa, "RS384");

        var first = await CallAsync(token);
        var replayed = await CallAsync(token, replica);
        var fresh = await CallAsync(F.Sign(F.Rsa, "RS384"), replica);

        Assert.Equal(200, first.Status);
        AssertRefused(replayed, "jti was used before");
        Assert.Equal(200, fresh.Status);
    }

    private async Task<GatewayCall> CallAsync(string token, GatewayHost? host = null)
    {
        using var client = (host ?? F.Host).CreateClient(key: null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.PostJsonAsync($"/cds-services/{Service}", CdsHooksTests.PatientViewExample);
    }

    public sealed class Fixture : IAsyncLifetime
    {
        public RSA Rsa { get; } = RSA.Create(2048);

        public ECDsa Ec384 { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        public ECDsa Ec256 { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        public ECDsa InlineEc { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        public WireMockServer JwksServer { get; } = WireMockServer.Start();

        public string JwksUrl => JwksServer.Urls[0] + "/ehr/jwks.json";

        public string Jwks { get; private set; } = string.Empty;

        public GatewayHost Host { get; private set; } = null!;

        /// <summary>The governance state file this gateway, and a replica a test starts, share.</summary>
        public string StatePath { get; } = Path.Combine(Path.GetTempPath(), "xefai-tests", Guid.NewGuid().ToString("N"), "governance.db");

        public async Task InitializeAsync()
        {
            Jwks = new JsonObject
            {
                ["keys"] = new JsonArray(Jwk(Rsa, "rsa-1"), Jwk(Ec384, "ec384-1"), Jwk(Ec256, "ec256-1")),
            }.ToJsonString();
            JwksServer.Given(Request.Create().WithPath("/ehr/jwks.json").UsingGet())
                .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Jwks));

            Host = await GatewayHost.StartAsync(Configure);
        }

        /// <summary>The fixture's gateway configuration: a second gateway started with it is a replica of the first.</summary>
        public void Configure(JsonObject configuration)
        {
            configuration["Governance"]!["Sqlite"] = new JsonObject { ["Path"] = StatePath };
            configuration["Data"]!["PromptsPath"] = Path.Combine(GatewayHost.RepositoryRoot, "config", "prompts");
            configuration["Gateway"]!["UnauthenticatedRequestsPerMinute"] = 10_000;
            // An EHR-only app: no API key, reached only through the CDS clients below.
            configuration["Gateway"]!["Clients"]![EhrApp] = new JsonObject { ["UseCases"] = new JsonArray() };
            configuration.AddUseCase("cds-local", GatewayHost.UseCase("Chart review, in process", 3, "active", "local"), "test-app", EhrApp)
                ["PromptTemplate"] = new JsonObject { ["Id"] = "chart-summary", ["Version"] = "1" };
            configuration["CdsHooks"] = new JsonObject
            {
                ["Services"] = new JsonObject
                {
                    [Service] = new JsonObject
                    {
                        ["UseCase"] = "cds-local",
                        ["Hook"] = "patient-view",
                        ["Description"] = "Summarizes the chart when a clinician opens it.",
                        ["Prefetch"] = new JsonObject { ["patientToGreet"] = "Patient/{{context.patientId}}" },
                    },
                },
                ["Clients"] = new JsonObject
                {
                    ["ehr"] = new JsonObject { ["Issuer"] = Issuer, ["Subject"] = "ehr-client", ["JwksUrl"] = JwksUrl, ["App"] = EhrApp },
                    ["inline-ehr"] = new JsonObject
                    {
                        ["Issuer"] = InlineIssuer,
                        ["Jwks"] = new JsonObject { ["keys"] = new JsonArray(Jwk(InlineEc, "inline-1")) },
                        ["App"] = EhrApp,
                    },

                    // Port 9 (discard) on loopback: nothing answers.
                    ["down-ehr"] = new JsonObject { ["Issuer"] = DownIssuer, ["JwksUrl"] = "http://127.0.0.1:9/jwks", ["App"] = EhrApp },
                },
            };
        }

        public async Task DisposeAsync()
        {
            await Host.DisposeAsync();
            JwksServer.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            var folder = Path.GetDirectoryName(StatePath)!;
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        /// <summary>A token as an EHR signs it; by default a good one for the service, valid for two minutes.</summary>
        public string Sign(
            AsymmetricAlgorithm key,
            string algorithm,
            string? audience = null,
            string issuer = Issuer,
            string? kid = null,
            string? jku = null,
            DateTimeOffset? issuedAt = null,
            DateTimeOffset? expires = null)
        {
            var now = DateTimeOffset.UtcNow;
            SecurityKey securityKey = key switch
            {
                RSA rsa => new RsaSecurityKey(rsa) { KeyId = kid ?? "rsa-1" },
                ECDsa ec => new ECDsaSecurityKey(ec) { KeyId = kid ?? (ReferenceEquals(ec, InlineEc) ? "inline-1" : ec.KeySize == 384 ? "ec384-1" : "ec256-1") },
                _ => throw new ArgumentException("RSA or ECDsa", nameof(key)),
            };
            var descriptor = new SecurityTokenDescriptor
            {
                Issuer = issuer,
                Audience = audience ?? new Uri(Host.Address, $"/cds-services/{Service}").ToString(),
                IssuedAt = (issuedAt ?? now).UtcDateTime,
                NotBefore = (issuedAt ?? now).UtcDateTime,
                Expires = (expires ?? now.AddMinutes(2)).UtcDateTime,
                Claims = new Dictionary<string, object> { ["sub"] = "ehr-client", ["jti"] = Guid.NewGuid().ToString() },
                SigningCredentials = new SigningCredentials(securityKey, algorithm),
                AdditionalHeaderClaims = jku is null ? null : new Dictionary<string, object> { ["jku"] = jku },
            };
            return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
        }

        private static JsonObject Jwk(AsymmetricAlgorithm key, string kid)
        {
            if (key is RSA rsa)
            {
                var p = rsa.ExportParameters(false);
                return new JsonObject { ["kty"] = "RSA", ["kid"] = kid, ["use"] = "sig", ["n"] = Base64UrlEncoder.Encode(p.Modulus), ["e"] = Base64UrlEncoder.Encode(p.Exponent) };
            }

            var ec = ((ECDsa)key).ExportParameters(false);
            return new JsonObject
            {
                ["kty"] = "EC",
                ["kid"] = kid,
                ["crv"] = ec.Q.X!.Length == 48 ? "P-384" : "P-256",
                ["x"] = Base64UrlEncoder.Encode(ec.Q.X),
                ["y"] = Base64UrlEncoder.Encode(ec.Q.Y),
            };
        }
    }
}
