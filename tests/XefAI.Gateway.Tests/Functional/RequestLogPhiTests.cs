using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// A name or record number a caller puts in a URL (a path segment, a query, a broken request line) reaches no log line,
/// at the default levels or with every category turned up to Trace.
/// </summary>
public sealed class RequestLogPhiTests
{
    private const string Name = "Homer Simpson";
    private const string Mrn = "00482913";

    [Fact]
    public async Task AdminBody_BrokenChunkOnAPathNamingAPatient_WarningNamesTheRouteNotThePath()
    {
        var logs = new FakeLoggerProvider();
        await using var host = await GatewayHost.StartAsync(builder: b => b.Logging.AddProvider(logs));

        var answer = await SendRawAsync(host, $"POST /admin/use-cases/Homer-Simpson-{Mrn}/approve HTTP/1.1\r\nHost: {host.Address.Authority}\r\n"
            + $"Authorization: Bearer {GatewayHost.AdminKey}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nHomer\r\n0\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 400", answer, StringComparison.Ordinal);
        await AdminCalls.WaitUntilAsync(
            () => Task.FromResult(logs.Collector.GetSnapshot().Any(r => r.Level == LogLevel.Warning && r.Message.Contains("refused with 400", StringComparison.Ordinal))),
            "the refused body's warning");
        var warning = logs.Collector.GetSnapshot().Single(r => r.Level == LogLevel.Warning && r.Message.Contains("refused with 400", StringComparison.Ordinal));
        Assert.Contains("/admin/use-cases/{id}/{action}", warning.Message, StringComparison.Ordinal);
        AssertNoPhi(logs);
    }

    [Fact]
    public async Task Requests_WithEveryCategoryAtTrace_NoLineQuotesThePathQueryOrRequestLine()
    {
        var logs = new FakeLoggerProvider();
        await using var host = await GatewayHost.StartAsync(
            c =>
            {
                c["Logging"]!["LogLevel"]!["Default"] = "Trace";
                c["Logging"]!["LogLevel"]!["Microsoft"] = "Trace";
                c["Logging"]!["LogLevel"]!["Microsoft.AspNetCore"] = "Trace";
            },
            builder: b => b.Logging.AddProvider(logs));
        using var client = host.CreateClient();
        using var admin = host.CreateClient(GatewayHost.AdminKey);

        Assert.Equal(404, (int)(await client.GetAsync($"/v1/models/Homer%20Simpson?mrn={Mrn}")).StatusCode);
        Assert.Equal(404, (int)(await client.GetAsync($"/v1/chat/completions/Homer%20Simpson/{Mrn}")).StatusCode);
        Assert.Equal(200, (int)(await admin.GetAsync($"/admin/audit?patient={Mrn}")).StatusCode);
        var call = await client.PostChatAsync(GatewayCalls.ChatBody("summary", "Stable overnight."));
        Assert.Equal(200, call.Status);
        var refused = await SendRawAsync(host, $"GET /v1/Homer Simpson {Mrn} HTTP/1.1\r\nHost: {host.Address.Authority}\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400", refused, StringComparison.Ordinal);

        // The search finds what is there: the levels let ASP.NET Core's other debug lines through.
        await AdminCalls.WaitUntilAsync(
            () => Task.FromResult(logs.Collector.GetSnapshot().Any(r => r.Category == "Microsoft.AspNetCore.Server.Kestrel.Connections")),
            "Kestrel's connection lines");
        Assert.Contains(logs.Collector.GetSnapshot(), r => r.Level == LogLevel.Debug && r.Category!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        AssertNoPhi(logs);
    }

    private static void AssertNoPhi(FakeLoggerProvider logs)
    {
        foreach (var record in logs.Collector.GetSnapshot())
        {
            var text = record.Message + " " + record.Exception + " " + string.Join(' ', record.StructuredState?.Select(s => s.Value) ?? []);
            foreach (var secret in new[] { "Homer", "Simpson", Mrn })
            {
                Assert.False(text.Contains(secret, StringComparison.OrdinalIgnoreCase), $"{record.Category} logged '{secret}': {text}");
            }
        }
    }

    private static async Task<string> SendRawAsync(GatewayHost host, string request)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(host.Address.Host, host.Address.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                answer.Append(Encoding.UTF8.GetString(buffer, 0, read));
                if (answer.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // What arrived is the answer.
        }

        return answer.ToString();
    }
}
