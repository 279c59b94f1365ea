using System.Net.Http.Json;
using System.Text.Json.Nodes;
using XefAI.Gateway.Tests.Functional;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.Hosting;

/// <summary>Every answer of the gateway carries its trace id as <c>x-request-id</c>, not only governed calls and 401s.</summary>
public sealed class RequestIdTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const string CallerTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

    [Theory]
    [InlineData("GET", "/admin/audit?limit=1", GatewayHost.AdminKey, 200)]
    [InlineData("GET", "/fhir/AuditEvent?_count=1", GatewayHost.AdminKey, 200)]
    [InlineData("GET", "/fhir/metadata", GatewayHost.AdminKey, 200)]
    [InlineData("GET", "/cds-services", GatewayHost.ClientKey, 200)]
    [InlineData("GET", "/v1/models", GatewayHost.ClientKey, 200)]
    [InlineData("GET", "/v1/reviews/rev_unknown", GatewayHost.ClientKey, 404)]
    [InlineData("GET", "/no/such/route", GatewayHost.ClientKey, 404)]
    [InlineData("DELETE", "/healthz", null, 405)]
    [InlineData("GET", "/healthz", null, 200)]
    [InlineData("GET", "/readyz", null, 200)]
    public async Task AnyRoute_AnswersWithAGeneratedRequestIdEqualToTheTraceId(string method, string path, string? key, int status)
    {
        using var client = fixture.Host.CreateClient(key);
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(status, (int)response.StatusCode);
        var requestId = Assert.Single(response.Headers.GetValues("x-request-id"));
        Assert.Matches("^[0-9a-f]{32}$", requestId);
        Assert.Equal(requestId, Assert.Single(response.Headers.GetValues("X-XefAI-Trace-Id")));
    }

    [Theory]
    [InlineData("/admin/audit?limit=1", GatewayHost.AdminKey)]
    [InlineData("/no/such/route", GatewayHost.ClientKey)]
    [InlineData("/cds-services", GatewayHost.ClientKey)]
    public async Task AnyRoute_WithCallerTraceParent_EchoesItsTraceId(string path, string key)
    {
        using var client = fixture.Host.CreateClient(key);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("traceparent", $"00-{CallerTraceId}-00f067aa0ba902b7-01");

        using var response = await client.SendAsync(request);

        Assert.Equal(CallerTraceId, Assert.Single(response.Headers.GetValues("x-request-id")));
    }

    [Fact]
    public async Task AnyRoute_WithMalformedTraceParent_GeneratesAnId()
    {
        using var client = fixture.Host.CreateClient(GatewayHost.AdminKey);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/audit?limit=1");
        request.Headers.TryAddWithoutValidation("traceparent", "00-not-a-trace-id-01");
        request.Headers.TryAddWithoutValidation("x-request-id", "Maria Gonzalez 1970-01-01");

        using var response = await client.SendAsync(request);

        Assert.Matches("^[0-9a-f]{32}$", Assert.Single(response.Headers.GetValues("x-request-id")));
    }

    [Fact]
    public async Task AdminRefusal_RecordsTheTraceIdItsAnswerCarries()
    {
        using var admin = fixture.Host.CreateClient(GatewayHost.AdminKey);

        // No reason: refused, and recorded as admin-refused before the answer is written.
        var refused = await admin.PostJsonAsync("/admin/use-cases/summary/suspend", null);

        Assert.Equal(400, refused.Status);
        var requestId = refused.Header("x-request-id");
        Assert.Matches("^[0-9a-f]{32}$", requestId);
        var page = (await admin.GetFromJsonAsync<JsonObject>("/admin/audit?decision=admin-refused&limit=1"))!;
        Assert.Equal(requestId, (string?)page["data"]![0]!["traceId"]);
    }
}
