using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>A client that stalls mid-body is the client's problem: a 408 and one warning line, no stack trace.</summary>
public sealed class SlowClientTests
{
    [Fact]
    public async Task ChatCompletions_BodyStallsPastMinimumDataRate_Answers408AndLogsOneWarningWithoutStackTrace()
    {
        var logs = new FakeLoggerProvider();
        await using var host = await GatewayHost.StartAsync(builder: b =>
        {
            b.Logging.AddProvider(logs);
            b.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 100, gracePeriod: TimeSpan.FromSeconds(2)));
        });
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(host.Address.Host, host.Address.Port);
        var stream = tcp.GetStream();
        var head = $"POST /v1/chat/completions HTTP/1.1\r\nHost: {host.Address.Authority}\r\nAuthorization: Bearer {GatewayHost.ClientKey}\r\n"
            + "Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"model\":\"summary\",";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));

        // The rest of the body never comes: Kestrel gives up once the grace period has passed.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var answer = await ReadAnswerAsync(stream, timeout.Token);

        Assert.StartsWith("HTTP/1.1 408", answer, StringComparison.Ordinal);
        Assert.Contains("request_body_timeout", answer, StringComparison.Ordinal);
        await AdminCalls.WaitUntilAsync(
            () => Task.FromResult(logs.Collector.GetSnapshot().Any(r => r.Level >= LogLevel.Warning)),
            "the slow-client warning");
        var records = logs.Collector.GetSnapshot();
        var warning = Assert.Single(records, r => r.Level >= LogLevel.Warning);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Null(warning.Exception);
        Assert.DoesNotContain("\n", warning.Message, StringComparison.Ordinal);
        Assert.Contains("408", warning.Message, StringComparison.Ordinal);
    }

    private static async Task<string> ReadAnswerAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                answer.Append(Encoding.UTF8.GetString(buffer, 0, read));
                if (answer.ToString().Contains("}}", StringComparison.Ordinal))
                {
                    break;
                }
            }
        }
        catch (IOException)
        {
            // Kestrel may close the connection right after its answer.
        }

        return answer.ToString();
    }
}
