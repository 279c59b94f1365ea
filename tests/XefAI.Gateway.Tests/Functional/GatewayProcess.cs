using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>The built gateway run as an operating-system process, as an operator or a container starts it.</summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();

    private GatewayProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        process.OutputDataReceived += (_, e) => Append(_output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(_error, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string StandardOutput
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    /// <summary>
    /// Starts the gateway on a free loopback port (given as <c>--urls</c>, or as <c>ASPNETCORE_URLS</c> when
    /// <paramref name="urlsInEnvironment"/>) with the given arguments and environment. The test process's
    /// DOTNET_USE_POLLING_FILE_WATCHER is not passed on, so the child watches files as a production gateway does.
    /// </summary>
    public static GatewayProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, bool urlsInEnvironment = false)
    {
        var port = FreeLoopbackPort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "XefAI.Gateway.dll"));
        if (!urlsInEnvironment)
        {
            start.ArgumentList.Add($"--urls=http://127.0.0.1:{port}");
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("DOTNET_USE_POLLING_FILE_WATCHER");
        start.Environment[GatewayHost.VendorKeyVariable] = GatewayHost.VendorKey;
        start.Environment["ASPNETCORE_URLS"] = urlsInEnvironment ? $"http://+:{port}" : null;
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        return new GatewayProcess(Process.Start(start)!, port);
    }

    /// <summary>Waits for the process to end by itself (within 60 s) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    /// <summary>Waits until <c>/healthz</c> answers 200 (within 60 s); fails if the process exits first.</summary>
    public async Task WaitUntilHealthyAsync()
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(5) };
        await AdminCalls.WaitUntilAsync(
            async () =>
            {
                Assert.False(_process.HasExited, $"the gateway process exited early:\n{StandardError}");
                try
                {
                    return (await client.GetAsync(new Uri("/healthz", UriKind.Relative))).IsSuccessStatusCode;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    return false;
                }
            },
            "the gateway process to be healthy",
            TimeSpan.FromSeconds(60));
    }

    /// <summary>The inotify instances the process holds (Linux: file descriptors linked to anon_inode:inotify).</summary>
    public int InotifyInstances() => Inotify.Count($"/proc/{_process.Id}/fd");

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static void Append(StringBuilder text, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (text)
        {
            text.AppendLine(line);
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Counts inotify instances, the per-user resource file watching spends on Linux.</summary>
internal static class Inotify
{
    public static int Count(string fdDirectory = "/proc/self/fd")
    {
        var count = 0;
        foreach (var fd in Directory.EnumerateFileSystemEntries(fdDirectory))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget == "anon_inode:inotify")
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // A descriptor closed between listing and reading it.
            }
        }

        return count;
    }
}
