using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace XefAI.Testing;

/// <summary>Calls of the governance, review and FHIR endpoints, kept with their exact bytes like chat calls.</summary>
public static class AdminCalls
{
    /// <summary>POSTs a JSON body (or none) and keeps what came back.</summary>
    public static async Task<GatewayCall> PostJsonAsync(this HttpClient client, string path, string? json)
    {
        var bytes = json is null ? [] : Encoding.UTF8.GetBytes(json);
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (json is not null)
        {
            request.Content = new ByteArrayContent(bytes);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        var response = await client.SendAsync(request);
        return new GatewayCall(response, bytes, await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>POSTs <c>{"reason": …}</c> and, when given, the clinical sponsor the action is taken for.</summary>
    public static Task<GatewayCall> PostReasonAsync(this HttpClient client, string path, string reason, string? clinicalSponsor = null)
    {
        var body = new JsonObject { ["reason"] = reason };
        if (clinicalSponsor is not null)
        {
            body["clinicalSponsor"] = clinicalSponsor;
        }

        return client.PostJsonAsync(path, body.ToJsonString());
    }

    /// <summary>
    /// Approves (for its sponsor) and activates a tier-4 use case, as its governance committee would. A 503 (the state
    /// store did not answer within a test's short command timeout on a loaded runner; nothing changed) is tried again
    /// a few times: set-up is not what such a test is about.
    /// </summary>
    public static async Task ActivateTier4Async(this GatewayHost host, string useCaseId)
    {
        using var admin = host.CreateClient(GatewayHost.AdminKey);
        foreach (var (action, sponsor) in new[] { ("approve", GovernanceConfiguration.Tier4Sponsor), ("activate", (string?)null) })
        {
            var call = await admin.PostReasonAsync($"/admin/use-cases/{useCaseId}/{action}", "Test set-up", sponsor);
            for (var attempt = 1; attempt < 10 && call.Status == 503; attempt++)
            {
                await Task.Delay(250);
                call = await admin.PostReasonAsync($"/admin/use-cases/{useCaseId}/{action}", "Test set-up", sponsor);
            }

            if (call.Status != 200)
            {
                throw new InvalidOperationException($"{action} {useCaseId}: HTTP {call.Status} {System.Text.Encoding.UTF8.GetString(call.ResponseBody)}");
            }
        }
    }

    public static async Task<GatewayCall> GetCallAsync(this HttpClient client, string path)
    {
        var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        return new GatewayCall(response, [], await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>Audit records through the admin API, newest first, optionally of one use case.</summary>
    public static async Task<List<JsonObject>> GetAuditRecordsAsync(this GatewayHost host, string? useCase = null)
    {
        using var admin = host.CreateClient(GatewayHost.AdminKey);
        var query = useCase is null ? "/admin/audit?limit=1000" : $"/admin/audit?limit=1000&useCase={Uri.EscapeDataString(useCase)}";
        var page = (await admin.GetFromJsonAsync<JsonObject>(query))!;
        return [.. page["data"]!.AsArray().Select(r => r!.AsObject()).Where(r => IsNotAccess(r) && IsNotConfiguration(r))];
    }

    /// <summary>
    /// The gateway records its configuration at start and at each reload (<c>config_applied</c>, <c>config_rejected</c>);
    /// tests looking at the records of calls and actions skip them too.
    /// </summary>
    public static bool IsNotConfiguration(JsonObject record) => (string?)record["decision"] is not ("config_applied" or "config_rejected");

    /// <summary>
    /// Reads of the governance API leave <c>access</c> records; tests looking at the records of calls and actions
    /// skip them (including the ones their own reads left).
    /// </summary>
    public static bool IsNotAccess(JsonObject record) => (string?)record["decision"] != "access";

    /// <summary>Polls instead of sleeping a fixed time: a loaded machine is slow, and the test must not guess how slow.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what} did not happen within {(timeout ?? TimeSpan.FromSeconds(30)).TotalSeconds} s");
            await Task.Delay(100);
        }
    }
}
