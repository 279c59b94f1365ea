using Microsoft.Extensions.DependencyInjection;
using XefAI.Governance;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// A stream cut by a crash keeps only its opening record; the next start-up closes it as interrupted, once,
/// and leaves alone the streams whose closing record is on the trail.
/// </summary>
public sealed class InterruptedStreamTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "xefai-tests", "interrupted-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task StartUp_OpeningRecordWithoutClosing_ClosedAsInterruptedExactlyOnceChainValid()
    {
        Directory.CreateDirectory(_directory);
        string crashed, answered, failed;
        await using (var first = await StartAsync())
        {
            var audit = first.Services.GetRequiredService<IAuditTrail>();
            var crashedOpening = await audit.AppendAsync(Opening("trace-crashed"), CancellationToken.None);
            crashed = crashedOpening.Id;

            // A stream that ended well, and one that failed: their closing records name how, so they stay as they are.
            var answeredOpening = await audit.AppendAsync(Opening("trace-answered"), CancellationToken.None);
            answered = answeredOpening.Id;
            await audit.AppendAsync(
                Opening("trace-answered") with { Decision = "answered", Reasons = $"stream_opened_by:{answered}" }, CancellationToken.None);
            var failedOpening = await audit.AppendAsync(Opening("trace-failed"), CancellationToken.None);
            failed = failedOpening.Id;
            await audit.AppendAsync(
                Opening("trace-failed") with { Decision = "failed", Reasons = "vendor_error", StatusCode = 502 }, CancellationToken.None);
        }

        for (var restart = 0; restart < 2; restart++)
        {
            await using var host = await StartAsync();
            using var admin = host.CreateClient(GatewayHost.AdminKey);
            var records = await host.GetAuditRecordsAsync();

            var closing = Assert.Single(records, r => (string?)r["decision"] == "interrupted");
            Assert.Equal($"stream_interrupted;opened_by:{crashed}", (string?)closing["reasons"]);
            Assert.Equal("trace-crashed", (string?)closing["traceId"]);
            Assert.Equal("test-app", (string?)closing["app"]);
            Assert.Equal("summary", (string?)closing["useCase"]);
            Assert.Equal(500, (int?)closing["statusCode"]);
            Assert.True((bool?)closing["streamed"]);
            Assert.DoesNotContain(records, r => ((string?)r["reasons"])?.Contains(answered, StringComparison.Ordinal) == true && (string?)r["decision"] == "interrupted");
            Assert.DoesNotContain(records, r => ((string?)r["reasons"])?.Contains(failed, StringComparison.Ordinal) == true);
            Assert.True((bool?)(await admin.GetCallAsync("/admin/audit/verify")).Json["valid"]);
            Assert.Equal(200, (await admin.GetCallAsync($"/fhir/AuditEvent/{(string)closing["id"]!}")).Status);
        }
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow machine is left for the OS to clean.
        }
    }

    // Every host has its own folder (disposing one deletes it); the audit database outlives them all.
    private Task<GatewayHost> StartAsync() =>
        GatewayHost.StartAsync(c => c["Audit"]!["Sqlite"]!["Path"] = Path.Combine(_directory, "audit.db"));

    private static AuditEntry Opening(string traceId) => new()
    {
        Timestamp = DateTimeOffset.UtcNow.AddMinutes(-1),
        TraceId = traceId,
        AppId = "test-app",
        UseCaseId = "summary",
        RiskTier = 2,
        Decision = "streaming",
        StatusCode = 200,
        Provider = "openai",
        Deployment = "vendor",
        Model = "gpt-4o-mini",
        LatencyMs = 3,
        Streamed = true,
    };
}
