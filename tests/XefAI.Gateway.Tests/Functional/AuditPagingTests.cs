using System.Text;
using Microsoft.Extensions.DependencyInjection;
using XefAI.Governance;
using XefAI.Testing;
using R4 = Hl7.Fhir.Model;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// Paging the audit trail through the admin API and FHIR: an opaque cursor in a next link, records found
/// exactly once however many share a timestamp, and a cursor the gateway did not write refused with a 400.
/// </summary>
public sealed class AuditPagingTests
{
    private const int Records = 3000;

    [Fact]
    public async Task QueryAudit_FollowingNextLinks_FindsEveryRecordExactlyOnce()
    {
        await using var host = await GatewayHost.StartAsync();
        using var admin = host.CreateClient(GatewayHost.AdminKey);
        var appended = await AppendSharingTimestampsAsync(host);

        var seen = new List<string>();
        string? next = "/admin/audit?limit=400";
        var pages = 0;
        while (next is not null)
        {
            var page = await admin.GetCallAsync(next);
            Assert.Equal(200, page.Status);
            seen.AddRange(page.Json["data"]!.AsArray().Select(r => (string)r!["id"]!));
            next = (string?)page.Json["next"];
            if (++pages == 1)
            {
                // Records committed while paging arrive in front of the cursor: no later page shows or loses anything for them.
                await AppendSharingTimestampsAsync(host, 50);
            }
        }

        Assert.Equal(seen.Count, seen.Distinct(StringComparer.Ordinal).Count());

        // Besides the records appended, only the configuration the gateway recorded at start.
        var configuration = await ConfigurationRecordAsync(admin);
        Assert.Contains(configuration, seen);
        seen.Remove(configuration);
        Assert.Equal(appended.Count, seen.Count);
        Assert.Subset(seen.ToHashSet(StringComparer.Ordinal), appended.ToHashSet(StringComparer.Ordinal));
        Assert.Equal(8, pages);
    }

    [Fact]
    public async Task SearchAuditEvents_FollowingNextLinks_FindsEveryRecordExactlyOnce()
    {
        await using var host = await GatewayHost.StartAsync();
        using var admin = host.CreateClient(GatewayHost.AdminKey);
        var appended = await AppendSharingTimestampsAsync(host);

        var seen = new List<string>();
        string? next = "/fhir/AuditEvent?date=ge2026-01-01&_count=700";
        while (next is not null)
        {
            var page = await admin.GetCallAsync(next);
            Assert.Equal(200, page.Status);
            var bundle = FhirR4Validation.ParseValid<R4.Bundle>(Encoding.UTF8.GetString(page.ResponseBody));
            seen.AddRange(bundle.Entry.Select(e => e.Resource!.Id!));
            next = bundle.Link.SingleOrDefault(l => l.Relation == "next")?.Url is { } link ? new Uri(link).PathAndQuery : null;

            // A page's total would be a lie about the whole search, so a paged search gives none.
            Assert.Null(bundle.Total);
        }

        Assert.Equal(seen.Count, seen.Distinct(StringComparer.Ordinal).Count());
        var configuration = (await ConfigurationRecordAsync(admin)).Replace('_', '-');
        Assert.Contains(configuration, seen);
        seen.Remove(configuration);
        Assert.Equal(appended.Select(id => id.Replace('_', '-')).Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("/admin/audit?cursor=")]
    [InlineData("/admin/audit?cursor=garbage")]
    [InlineData("/admin/audit?cursor=%25%25%25")]
    [InlineData("/admin/audit?cursor=AQAAAAAAAAAAAAAAAA")]
    [InlineData("/admin/audit?limit=1&cursor=TAMPERED")]
    [InlineData("/fhir/AuditEvent?_cursor=garbage")]
    [InlineData("/fhir/AuditEvent?_count=1&_cursor=TAMPERED")]
    public async Task QueryAudit_CursorNotWrittenByTheGateway_400Audited(string url)
    {
        await using var host = await GatewayHost.StartAsync();
        using var admin = host.CreateClient(GatewayHost.AdminKey);
        await AppendSharingTimestampsAsync(host, 3);
        if (url.Contains("TAMPERED", StringComparison.Ordinal))
        {
            // A real cursor with one character changed.
            var real = url.StartsWith("/fhir", StringComparison.Ordinal)
                ? new Uri(FhirR4Validation.ParseValid<R4.Bundle>(Encoding.UTF8.GetString((await admin.GetCallAsync("/fhir/AuditEvent?_count=1")).ResponseBody))
                    .Link.Single(l => l.Relation == "next").Url!).Query
                : (string)(await admin.GetCallAsync("/admin/audit?limit=1")).Json["next"]!;
            var cursor = real[(real.IndexOf("cursor=", StringComparison.Ordinal) + 7)..];
            var tampered = cursor[..5] + (cursor[5] == 'A' ? 'B' : 'A') + cursor[6..];
            url = url.Replace("TAMPERED", tampered, StringComparison.Ordinal);
        }

        var call = await admin.GetCallAsync(url);

        Assert.Equal(400, call.Status);
        var body = Encoding.UTF8.GetString(call.ResponseBody);
        Assert.Contains("cursor", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        var refusal = (await host.GetAuditRecordsAsync())[0];
        Assert.Equal("admin-refused", (string?)refusal["decision"]);
        Assert.Equal(400, (int?)refusal["statusCode"]);
    }

    /// <returns>The ids of the records appended, all sharing three timestamps.</returns>
    /// <summary>The id of the one configuration record the gateway wrote at start, found by the decision filter.</summary>
    private static async Task<string> ConfigurationRecordAsync(HttpClient admin)
    {
        var page = await admin.GetCallAsync("/admin/audit?decision=config_applied");
        Assert.Equal(200, page.Status);
        return (string)Assert.Single(page.Json["data"]!.AsArray())!["id"]!;
    }

    private static async Task<List<string>> AppendSharingTimestampsAsync(GatewayHost host, int count = Records)
    {
        var audit = host.Services.GetRequiredService<IAuditTrail>();
        var time = DateTimeOffset.UtcNow;
        var records = await Task.WhenAll(Enumerable.Range(0, count).Select(i => audit.AppendAsync(
            new AuditEntry
            {
                Timestamp = time.AddMilliseconds(i % 3),
                TraceId = $"paging-{i}",
                AppId = "test-app",
                UseCaseId = "summary",
                Decision = "answered",
                StatusCode = 200,
                LatencyMs = 1,
            },
            CancellationToken.None).AsTask()));
        return [.. records.Select(r => r.Id)];
    }
}
