using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using XefAI.Testing;
using static XefAI.Testing.VendorStreams;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// The audit trail's promise for streams: no first byte without a committed opening record, and no
/// <c>[DONE]</c> without a committed closing record.
/// </summary>
public sealed class AuditFailClosedStreamTests
{
    [Fact]
    public async Task Stream_OpeningRecordCannotBeCommitted_Returns503AndNoStream()
    {
        using var vendor = new FakeVendor().StreamsEvents(FirstChunk + Rest);
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(vendor.Configure));
        using var client = host.CreateClient();
        await using var blocker = await LockAuditDatabaseAsync(host);

        var call = await client.PostChatAsync(StreamBody);

        Assert.Equal(503, call.Status);
        Assert.Equal("application/json", call.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("audit_unavailable", (string?)call.Json["error"]!["code"]);
        Assert.DoesNotContain("Hello", Encoding.UTF8.GetString(call.ResponseBody), StringComparison.Ordinal);
        Assert.Null(call.Header("X-XefAI-Audit-Id"));
    }

    [Fact]
    public async Task Stream_ClosingRecordCannotBeCommitted_EndsWithAuditUnavailableAndNoDone()
    {
        await using var vendor = new StallingVendor("text/event-stream", FirstChunk);
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(vendor.Configure));
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(StreamBody) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.NotNull(response.Headers.GetValues("X-XefAI-Audit-Id").Single());
        await using var body = await response.Content.ReadAsStreamAsync();
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (!received.ToString().Contains("Hello", StringComparison.Ordinal))
        {
            received.Append(Encoding.UTF8.GetString(buffer, 0, await body.ReadAsync(buffer)));
        }

        // The opening record is committed (the stream started); now the store stops taking writes, and the vendor finishes.
        await using (await LockAuditDatabaseAsync(host))
        {
            vendor.Release(Rest);
            int read;
            while ((read = await body.ReadAsync(buffer)) > 0)
            {
                received.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }
        }

        var text = received.ToString();
        Assert.DoesNotContain("[DONE]", text, StringComparison.Ordinal);
        var lastEvent = text.TrimEnd().Split("\n\n").Last();
        Assert.Equal("audit_unavailable", (string?)JsonNode.Parse(lastEvent["data: ".Length..])!["error"]!["code"]);
    }

    /// <summary>Holds the SQLite write lock from another connection, as another process would, until disposed.</summary>
    private static async Task<SqliteConnection> LockAuditDatabaseAsync(GatewayHost host)
    {
        var blocker = new SqliteConnection($"Data Source={host.AuditDatabasePath};Pooling=False");
        await blocker.OpenAsync();
        await using var begin = blocker.CreateCommand();
        begin.CommandText = "BEGIN EXCLUSIVE;";
        await begin.ExecuteNonQueryAsync();
        return blocker;
    }
}
