using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using XefAI.Gateway.Hosting;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// Every response, success or error, streamed or not, carries headers that keep PHI out of caches, frames and
/// content sniffing; HSTS over HTTPS.
/// </summary>
public sealed class SecurityHeadersTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    public static TheoryData<string, string, string?, string?, int> Routes => new()
    {
        { "POST", "/v1/chat/completions", GatewayHost.ClientKey, ChatBody("summary", "Stable. Discharged home."), 200 },
        { "POST", "/v1/chat/completions", null, ChatBody("summary", "Stable."), 401 },
        { "POST", "/v1/chat/completions", GatewayHost.ClientKey, ChatBody("summary", new string('a', 1_100_000)), 413 },
        { "POST", "/v1/chat/completions", GatewayHost.ClientKey, "{ not json", 400 },
        { "GET", "/v1/models", GatewayHost.ClientKey, null, 200 },
        { "GET", "/v1/use-cases", GatewayHost.ClientKey, null, 200 },
        { "GET", "/admin/audit?limit=1", GatewayHost.AdminKey, null, 200 },
        { "GET", "/admin/audit?limit=1", null, null, 401 },
        { "GET", "/fhir/AuditEvent?date=ge2999-01-01", GatewayHost.AdminKey, null, 200 },
        { "GET", "/fhir/AuditEvent", GatewayHost.ClientKey, null, 401 },
        { "GET", "/metrics", null, null, 200 },
        { "GET", "/healthz", null, null, 200 },
        { "GET", "/readyz", null, null, 200 },
        { "GET", "/no-such-endpoint", null, null, 404 },
        { "DELETE", "/healthz", null, null, 405 },
        { "POST", "/metrics", null, null, 405 },
        { "DELETE", "/metrics", null, null, 405 },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Response_EveryRouteFamilyAndError_CarriesSecurityHeaders(string method, string path, string? key, string? body, int status)
    {
        using var client = fixture.Host.CreateClient(key);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
        AssertSecurityHeaders(response);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"), "HSTS over plain HTTP");
    }

    [Fact]
    public async Task Response_Streamed_CarriesSecurityHeaders()
    {
        using var client = fixture.Host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(
                """{"model":"summary","stream":true,"messages":[{"role":"user","content":"Stable. Discharged home."}]}""",
                Encoding.UTF8,
                "application/json"),
        };

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        AssertSecurityHeaders(response);
    }

    [Fact]
    public async Task Response_ExceptionHandlerClearsTheResponse_HeadersStillSent()
    {
        // The gateway's endpoints do not throw on purpose, so a small host with the same order shows a 500's headers.
        var builder = WebApplication.CreateBuilder(["--urls=http://127.0.0.1:0", "--hostBuilder:reloadConfigOnChange=false"]);
        await using var app = builder.Build();
        app.UseSecurityHeaders();
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = context => context.Response.WriteAsync("failed") });
        app.MapGet("/boom", IResult () => throw new InvalidOperationException("boom"));
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

        using var response = await client.GetAsync(new Uri("/boom", UriKind.Relative));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        AssertSecurityHeaders(response);
        await app.StopAsync();
    }

    [Fact]
    public async Task Response_OverHttps_CarriesStrictTransportSecurity()
    {
        using var certificate = SelfSignedLoopbackCertificate();
        await using var host = await GatewayHost.StartAsync(builder: b => b.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate))));
        Assert.Equal("https", host.Address.Scheme);
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert?.Thumbprint == certificate.Thumbprint };
        using var client = new HttpClient(handler) { BaseAddress = host.Address };

        foreach (var path in new[] { "/healthz", "/v1/models", "/no-such-endpoint" })
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

            Assert.Equal([SecurityHeaders.StrictTransportSecurity], response.Headers.GetValues("Strict-Transport-Security"));
            AssertSecurityHeaders(response);
        }
    }

    private static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        Assert.Equal(["nosniff"], Values(response, "X-Content-Type-Options"));
        Assert.Equal(["no-store"], Values(response, "Cache-Control"));
        Assert.Equal(["no-referrer"], Values(response, "Referrer-Policy"));
        Assert.Equal(["DENY"], Values(response, "X-Frame-Options"));
        Assert.Equal(["frame-ancestors 'none'"], Values(response, "Content-Security-Policy"));
    }

    private static string[] Values(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? [.. values] : [];

    private static X509Certificate2 SelfSignedLoopbackCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));

        // Kestrel needs the private key in a form the platform's TLS stack can use: a PKCS#12 round trip gives that.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null);
    }
}
