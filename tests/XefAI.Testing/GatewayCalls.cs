using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace XefAI.Testing;

/// <summary>What a call returned, with the exact bytes sent and received so tests can check the audit hashes.</summary>
public sealed record GatewayCall(HttpResponseMessage Response, byte[] RequestBody, byte[] ResponseBody)
{
    public int Status => (int)Response.StatusCode;

    public JsonObject Json => JsonNode.Parse(ResponseBody)!.AsObject();

    public string? Header(string name) => Response.Headers.TryGetValues(name, out var values) ? values.First() : null;

    public string RequestSha256 => Convert.ToHexStringLower(SHA256.HashData(RequestBody));

    public string ResponseSha256 => Convert.ToHexStringLower(SHA256.HashData(ResponseBody));
}

public static class GatewayCalls
{
    public static string ChatBody(string model, string content) => new JsonObject
    {
        ["model"] = model,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = content }),
    }.ToJsonString();

    public static Task<GatewayCall> PostChatAsync(this HttpClient client, string body, Action<HttpRequestMessage>? configure = null) =>
        client.PostOpenAIAsync("/v1/chat/completions", body, configure);

    public static Task<GatewayCall> PostEmbeddingsAsync(this HttpClient client, string body, Action<HttpRequestMessage>? configure = null) =>
        client.PostOpenAIAsync("/v1/embeddings", body, configure);

    public static Task<GatewayCall> PostResponsesAsync(this HttpClient client, string body, Action<HttpRequestMessage>? configure = null) =>
        client.PostOpenAIAsync("/v1/responses", body, configure);

    private static async Task<GatewayCall> PostOpenAIAsync(this HttpClient client, string path, string body, Action<HttpRequestMessage>? configure)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        configure?.Invoke(request);
        var response = await client.SendAsync(request);
        return new GatewayCall(response, bytes, await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>Calls the clinical task API of a use case, keeping the exact bytes sent and received.</summary>
    /// <param name="query">The query string, without the <c>?</c>: task parameters with a Bundle as the body.</param>
    /// <param name="contentType">The request's content type; null sends none.</param>
    public static async Task<GatewayCall> PostInvokeAsync(
        this HttpClient client, string useCase, string body, string? query = null, string? contentType = "application/fhir+json")
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var path = $"/v1/use-cases/{Uri.EscapeDataString(useCase)}/invoke" + (query is null ? string.Empty : "?" + query);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(bytes) };
        if (contentType is not null)
        {
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        var response = await client.SendAsync(request);
        return new GatewayCall(response, bytes, await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>Reads one audit record through the admin API, as a governance reviewer would.</summary>
    public static async Task<JsonObject> GetAuditRecordAsync(this GatewayHost host, string auditId)
    {
        using var admin = host.CreateClient(GatewayHost.AdminKey);
        return (await admin.GetFromJsonAsync<JsonObject>($"/admin/audit/{auditId}"))!;
    }

    /// <summary>Every audit record of one trace (a streamed call has an opening and a closing record), oldest first.</summary>
    public static async Task<List<JsonObject>> GetAuditRecordsOfTraceAsync(this GatewayHost host, string traceId)
    {
        using var admin = host.CreateClient(GatewayHost.AdminKey);
        var page = (await admin.GetFromJsonAsync<JsonObject>("/admin/audit?limit=1000"))!;
        return page["data"]!.AsArray()
            .Select(r => r!.AsObject())
            .Where(r => (string?)r["traceId"] == traceId)
            .OrderBy(r => (long)r["sequence"]!)
            .ToList();
    }

    /// <summary>
    /// A record's reasons without the configuration a call's record ends with (<c>config:&lt;sha256&gt;</c>, alone or
    /// after <c>;</c>): what tests of an outcome compare; null when nothing else is there.
    /// </summary>
    public static string? ReasonsBeforeConfiguration(this JsonObject record)
    {
        var reasons = (string?)record["reasons"];
        if (reasons is null)
        {
            return null;
        }

        var at = reasons.StartsWith("config:", StringComparison.Ordinal) ? 0 : reasons.LastIndexOf(";config:", StringComparison.Ordinal);
        return at < 0 ? reasons : at == 0 ? null : reasons[..at];
    }

    /// <summary>The configuration hash a call's record names (<c>config:&lt;sha256&gt;</c> in its reasons), or null.</summary>
    public static string? ConfigurationOf(this JsonObject record) =>
        ((string?)record["reasons"])?.Split(';').LastOrDefault(r => r.StartsWith("config:", StringComparison.Ordinal))?["config:".Length..];

    /// <summary>Outcomes of the attempts a record lists, in order.</summary>
    public static List<string?> AttemptOutcomes(this JsonObject record) =>
        record["attempts"]!.AsArray().Select(a => (string?)a!["outcome"]).ToList();

    /// <summary>Configures the resilience settings of a test gateway.</summary>
    public static void Resilience(this JsonObject configuration, int maxRetries = 2, string attemptTimeout = "00:00:10", int breakerMinimumThroughput = 100) =>
        configuration["Gateway"]!["Resilience"] = new JsonObject
        {
            ["MaxRetries"] = maxRetries,
            ["RetryBaseDelay"] = "00:00:00.050",
            ["AttemptTimeout"] = attemptTimeout,
            ["BreakerMinimumThroughput"] = breakerMinimumThroughput,
        };

    /// <summary>The newest audit record, for calls whose answer carried no audit id header.</summary>
    public static async Task<JsonObject> GetLatestAuditRecordAsync(this GatewayHost host)
    {
        using var admin = host.CreateClient(GatewayHost.AdminKey);
        var page = (await admin.GetFromJsonAsync<JsonObject>("/admin/audit?limit=100"))!;
        return page["data"]!.AsArray().Select(r => r!.AsObject()).First(r => AdminCalls.IsNotAccess(r) && AdminCalls.IsNotConfiguration(r));
    }
}
