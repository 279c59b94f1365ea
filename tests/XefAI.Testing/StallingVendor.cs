using System.Net;
using System.Net.Sockets;
using System.Text;

namespace XefAI.Testing;

/// <summary>
/// A vendor that misbehaves below what WireMock can script: it answers a request with headers and the first bytes
/// of a body, then goes silent with the connection open, as a hung upstream does. Counts the requests it took.
/// </summary>
public sealed class StallingVendor : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _connections = [];
    private readonly Task _accepting;
    private readonly string? _head;
    private readonly byte[] _firstBytes;
    private readonly byte[]? _trickle;
    private readonly TaskCompletionSource<string> _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _requests;

    /// <param name="contentType">Content type of the stalled answer (<c>text/event-stream</c> for a stream).</param>
    /// <param name="firstBytes">What is sent of the body before the silence.</param>
    /// <param name="trickle">
    /// Sent again and again, a fifth of a second apart, instead of silence (a stream only: each is a chunk of its own), e.g.
    /// a byte or a comment line that makes no event.
    /// </param>
    public StallingVendor(string contentType = "application/json", string firstBytes = "{", string? trickle = null)
    {
        _firstBytes = Encoding.UTF8.GetBytes(firstBytes);
        _trickle = trickle is null ? null : Encoding.UTF8.GetBytes(trickle);
        var length = contentType == "text/event-stream" ? "Transfer-Encoding: chunked" : "Content-Length: 100000";
        _head = $"HTTP/1.1 200 OK\r\nContent-Type: {contentType}\r\n{length}\r\n\r\n";
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>A vendor that takes each request and answers nothing, not even headers: a hung upstream before its answer.</summary>
    public static StallingVendor Silent() => new(silent: true);

    private StallingVendor(bool silent)
        : this()
    {
        if (silent)
        {
            _head = null;
        }
    }

    public string BaseAddress => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/v1";

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Ends the silence: sends <paramref name="rest"/> as the remainder of the body and closes it.</summary>
    public void Release(string rest) => _release.TrySetResult(rest);

    public void Configure(System.Text.Json.Nodes.JsonObject configuration) =>
        configuration["ReverseProxy"]!["Clusters"]!["vendor"]!["Destinations"]!["primary"]!["Address"] = BaseAddress;

    /// <summary>Points a cluster of the test configuration at this vendor, creating it (with the test key) if needed.</summary>
    public void Configure(System.Text.Json.Nodes.JsonObject configuration, string cluster)
    {
        var clusters = configuration["ReverseProxy"]!["Clusters"]!.AsObject();
        clusters[cluster] ??= new System.Text.Json.Nodes.JsonObject
        {
            ["Metadata"] = new System.Text.Json.Nodes.JsonObject { ["ApiKeyVariable"] = GatewayHost.VendorKeyVariable },
            ["Destinations"] = new System.Text.Json.Nodes.JsonObject { ["primary"] = new System.Text.Json.Nodes.JsonObject() },
        };
        clusters[cluster]!["Destinations"]!["primary"]!["Address"] = BaseAddress;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_connections)
        {
            foreach (var connection in _connections)
            {
                connection.Dispose();
            }
        }

        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping is the point.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            lock (_connections)
            {
                _connections.Add(client);
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        try
        {
            var stream = client.GetStream();
            var buffer = new byte[64 * 1024];
            var received = new StringBuilder();
            while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            Interlocked.Increment(ref _requests);
            if (_head is null)
            {
                await _release.Task.WaitAsync(_stop.Token);
                return;
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes(_head), _stop.Token);
            var body = _head.Contains("chunked", StringComparison.Ordinal)
                ? Encoding.ASCII.GetBytes($"{_firstBytes.Length:x}\r\n").Concat(_firstBytes).Concat("\r\n"u8.ToArray()).ToArray()
                : _firstBytes;
            await stream.WriteAsync(body, _stop.Token);
            await stream.FlushAsync(_stop.Token);

            // Silence (or a trickle), with the connection open, until the test releases the rest or ends.
            while (_trickle is not null && !_release.Task.IsCompleted)
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"{_trickle.Length:x}\r\n").Concat(_trickle).Concat("\r\n"u8.ToArray()).ToArray(), _stop.Token);
                await stream.FlushAsync(_stop.Token);
                await Task.WhenAny(_release.Task, Task.Delay(TimeSpan.FromMilliseconds(200), _stop.Token));
            }

            var rest = await _release.Task.WaitAsync(_stop.Token);
            var restBytes = Encoding.UTF8.GetBytes(rest);
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"{restBytes.Length:x}\r\n"), _stop.Token);
            await stream.WriteAsync(restBytes, _stop.Token);
            await stream.WriteAsync("\r\n0\r\n\r\n"u8.ToArray(), _stop.Token);
            await stream.FlushAsync(_stop.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The gateway gave up on us, or the test is over.
        }
    }
}
