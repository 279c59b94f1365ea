using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace XefAI.Gateway.Tests.Monitoring;

/// <summary>
/// A throwaway Prometheus server: the machine's <c>prometheus</c> binary on a free loopback port, with its
/// configuration and TSDB in a temporary folder, killed (by its own process id) and the folder deleted on dispose.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly DirectoryInfo _folder;
    private readonly StringBuilder _log = new();
    private readonly HttpClient _client;

    private PrometheusServer(Process process, DirectoryInfo folder, Uri address)
    {
        _process = process;
        _folder = folder;
        _client = new HttpClient { BaseAddress = address };
    }

    /// <summary>What the server wrote to stdout and stderr so far, for a failure message.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>
    /// Starts a server on <paramref name="configuration"/> (written as <c>prometheus.yml</c> beside
    /// <paramref name="files"/>, copied in by name) and waits until it reports itself ready.
    /// </summary>
    public static async Task<PrometheusServer> StartAsync(string configuration, IEnumerable<string> files)
    {
        var folder = Directory.CreateTempSubdirectory("xefai-prometheus-");
        try
        {
            foreach (var file in files)
            {
                File.Copy(file, Path.Combine(folder.FullName, Path.GetFileName(file)));
            }

            var configPath = Path.Combine(folder.FullName, "prometheus.yml");
            await File.WriteAllTextAsync(configPath, configuration);
            var port = FreePort();
            var start = new ProcessStartInfo(PrometheusTools.Prometheus)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = folder.FullName,
            };
            start.ArgumentList.Add("--config.file=" + configPath);
            start.ArgumentList.Add("--storage.tsdb.path=" + Path.Combine(folder.FullName, "data"));
            start.ArgumentList.Add("--web.listen-address=127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture));
            var process = Process.Start(start) ?? throw new InvalidOperationException("prometheus did not start.");
            var server = new PrometheusServer(process, folder, new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"));
            process.OutputDataReceived += (_, e) => server.Append(e.Data);
            process.ErrorDataReceived += (_, e) => server.Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                await server.WaitUntilReadyAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }

            return server;
        }
        catch
        {
            TryDelete(folder);
            throw;
        }
    }

    /// <summary>
    /// Waits until an instant query returns at least one sample (the scrape interval decides when), and returns the
    /// samples as label sets with their values; fails with the server's log after <paramref name="timeout"/>.
    /// </summary>
    public async Task<IReadOnlyList<(JsonObject Labels, string Value)>> WaitForSamplesAsync(string query, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            var samples = await QueryAsync(query);
            if (samples.Count > 0)
            {
                return samples;
            }

            if (deadline.IsCancellationRequested || _process.HasExited)
            {
                throw new InvalidOperationException($"Prometheus returned no sample for {query} within {timeout}; its log:\n{Log}");
            }

            await Task.Delay(200, CancellationToken.None);
        }
    }

    /// <summary>An instant query through the HTTP API (<c>/api/v1/query</c>).</summary>
    public async Task<IReadOnlyList<(JsonObject Labels, string Value)>> QueryAsync(string query)
    {
        var json = await GetJsonAsync("api/v1/query?query=" + Uri.EscapeDataString(query));
        return [.. json["data"]!["result"]!.AsArray().Select(sample => (sample!["metric"]!.AsObject(), sample["value"]![1]!.GetValue<string>()))];
    }

    /// <summary>A GET of the HTTP API that must answer <c>"status": "success"</c>.</summary>
    public async Task<JsonObject> GetJsonAsync(string pathAndQuery)
    {
        var text = await _client.GetStringAsync(new Uri(pathAndQuery, UriKind.Relative));
        var json = JsonNode.Parse(text)!.AsObject();
        if ((string?)json["status"] != "success")
        {
            throw new InvalidOperationException($"Prometheus answered {pathAndQuery} with {text}");
        }

        return json;
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync();
        }
        finally
        {
            _process.Dispose();
            TryDelete(_folder);
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        using var deadline = new CancellationTokenSource(StartTimeout);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited with code {_process.ExitCode}; its log:\n{Log}");
            }

            try
            {
                using var response = await _client.GetAsync(new Uri("-/ready", UriKind.Relative), deadline.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                // Reported below.
            }

            if (deadline.IsCancellationRequested)
            {
                throw new InvalidOperationException($"prometheus was not ready within {StartTimeout}; its log:\n{Log}");
            }

            await Task.Delay(100, CancellationToken.None);
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void TryDelete(DirectoryInfo folder)
    {
        try
        {
            folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean; the test result stands.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
