using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace XefAI.Data.Tests.FhirServer;

/// <summary>
/// FHIR servers whose paging misbehaves, and tokens no HTTP header can carry (hostile testing, round 27). A raw socket
/// server on loopback, no FHIR server needed.
/// </summary>
public sealed class FhirServerHostilePagingTests
{
    [Fact]
    public async Task FetchAsync_NextLinkLoopingBackToTheFirstPage_ReadsEachPageOnce()
    {
        await using var server = new ScriptedServer(path => path.Contains("page=2", StringComparison.Ordinal)
            ? Page(["2"], next: "/fhir/Observation?patient=123")
            : Page(["1"], next: "/fhir/Observation?patient=123&page=2"));
        using var client = FhirServerClients.Create();

        var result = await client.FetchAsync(FhirServerClients.Request(server.BaseUrl, "token-1", "Observation?patient=123"), CancellationToken.None);

        var document = Assert.Single(result.Resources);
        using var json = JsonDocument.Parse(document.Json);
        Assert.Equal(["1", "2"], EntryIds(json));
        Assert.Equal(2, document.Pages);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task FetchAsync_PageRepeatingResourcesOfAnEarlierPage_KeepsEachResourceOnce()
    {
        // Page 3 is page 1 again under another URL, then links to page 2, already read.
        await using var server = new ScriptedServer(path => path switch
        {
            _ when path.Contains("page=2", StringComparison.Ordinal) => Page(["2", "3"], next: "/fhir/Observation?patient=123&page=3"),
            _ when path.Contains("page=3", StringComparison.Ordinal) => Page(["1", "2"], next: "/fhir/Observation?patient=123&page=2"),
            _ => Page(["1", "2"], next: "/fhir/Observation?patient=123&page=2"),
        });
        using var client = FhirServerClients.Create();

        var result = await client.FetchAsync(FhirServerClients.Request(server.BaseUrl, "token-1", "Observation?patient=123"), CancellationToken.None);

        using var json = JsonDocument.Parse(Assert.Single(result.Resources).Json);
        Assert.Equal(["1", "2", "3"], EntryIds(json));
        Assert.Equal(3, server.Requests.Count);
    }

    [Theory]
    [InlineData("token-1\r\nX-Injected: 1")]
    [InlineData("token-1\n")]
    [InlineData("token 1")]
    [InlineData("tok\u00e9n")]
    public async Task FetchAsync_TokenAHeaderCannotCarry_FailsInvalidTokenWithoutSendingAnything(string token)
    {
        await using var server = new ScriptedServer(_ => Page(["1"], next: null));
        using var client = FhirServerClients.Create();

        var ex = await Assert.ThrowsAsync<FhirServerException>(
            () => client.FetchAsync(FhirServerClients.Request(server.BaseUrl, token, "Patient/123"), CancellationToken.None));

        Assert.Equal(FhirServerErrorKind.InvalidToken, ex.Kind);
        Assert.DoesNotContain(token.Trim(), ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("token-1", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Patient/123", ex.Message, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    private static string Page(string[] ids, string? next)
    {
        var entries = string.Join(",", ids.Select(id => """{"resource":{"resourceType":"Observation","id":""" + "\"" + id + "\"" + ""","status":"final","code":{"text":"t"},"subject":{"reference":"Patient/123"}}}"""));
        var link = next is null ? "" : $$$""","link":[{"relation":"next","url":"{{{next}}}"}]""";
        return $$$"""{"resourceType":"Bundle","type":"searchset"{{{link}}},"entry":[{{{entries}}}]}""";
    }

    private static List<string> EntryIds(JsonDocument bundle) =>
        [.. bundle.RootElement.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("resource").GetProperty("id").GetString()!)];

    /// <summary>Answers each request (one per connection) with the page the script gives for its path.</summary>
    private sealed class ScriptedServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _serve;

        public ScriptedServer(Func<string, string> script)
        {
            _listener.Start();
            BaseUrl = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/fhir";
            _serve = Task.Run(() => ServeAsync(script));
        }

        public string BaseUrl { get; }

        public ConcurrentQueue<string> Requests { get; } = new();

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await _serve;
            }
            catch (OperationCanceledException)
            {
            }

            _stop.Dispose();
        }

        private async Task ServeAsync(Func<string, string> script)
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket socket;
                try
                {
                    socket = await _listener.AcceptSocketAsync(_stop.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                using (socket)
                {
                    var buffer = new byte[16384];
                    var received = 0;
                    while (received < buffer.Length)
                    {
                        var n = await socket.ReceiveAsync(buffer.AsMemory(received), _stop.Token);
                        received += n;
                        if (n == 0 || Encoding.ASCII.GetString(buffer, 0, received).Contains("\r\n\r\n", StringComparison.Ordinal))
                        {
                            break;
                        }
                    }

                    var requestLine = Encoding.ASCII.GetString(buffer, 0, received).Split("\r\n")[0];
                    var path = requestLine.Split(' ').ElementAtOrDefault(1) ?? "";
                    Requests.Enqueue(path);
                    var body = Encoding.UTF8.GetBytes(script(path));
                    var head = Encoding.ASCII.GetBytes(
                        $"HTTP/1.1 200 OK\r\nContent-Type: application/fhir+json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
                    await socket.SendAsync(head.Concat(body).ToArray());
                    socket.Shutdown(SocketShutdown.Both);
                }
            }
        }
    }
}
