using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace XefAI.Testing;

/// <summary>
/// A real FHIR R4 server for tests: <c>tests/fhir-server/server.mjs</c> (Medplum's FHIR router over its in-memory
/// repository, with Medplum's sample patients: Homer Simpson is <c>Patient/123</c>) run by Node on a free loopback
/// port, behind a bearer token. The process is killed on dispose, and exits by itself when the test process goes
/// (it watches its stdin).
/// </summary>
/// <remarks>
/// Test-framework neutral, like <c>PostgresServer</c>: a test project turns <see cref="UnavailableReason"/> into
/// a skip with its own attribute, unless <see cref="RequireVariable"/> demands the tests run (and fail).
/// </remarks>
public sealed class MedplumFhirServer : IAsyncDisposable
{
    /// <summary>Set to <c>1</c> (as CI does) to fail, rather than skip, the tests when Node or the server's packages are missing.</summary>
    public const string RequireVariable = "XEFAI_TESTS_REQUIRE_FHIR_SERVER";

    /// <summary>The command that installs the server's packages, from the repository root.</summary>
    public const string InstallCommand = "npm ci --prefix tests/fhir-server";

    private const string ListeningPrefix = "listening ";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly Lazy<Installation> Local = new(FindInstallation);

    private readonly Process _process;
    private readonly StringBuilder _errors;
    private int _disposed;

    private MedplumFhirServer(Process process, StringBuilder errors, int port, string token)
    {
        _process = process;
        _errors = errors;
        Port = port;
        Token = token;
    }

    /// <summary>Why no server can be started here, or null when one can; cheap, for test discovery.</summary>
    public static string? UnavailableReason => Local.Value.UnavailableReason;

    /// <summary>Whether the environment demands the FHIR server tests run (<see cref="RequireVariable"/>).</summary>
    public static bool IsRequired => Environment.GetEnvironmentVariable(RequireVariable) is "1" or "true";

    public int Port { get; }

    /// <summary>The bearer token every request must carry.</summary>
    public string Token { get; }

    /// <summary>The FHIR base, e.g. <c>http://127.0.0.1:43121/fhir/R4</c>.</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/fhir/R4";

    /// <summary>What the server wrote to stderr so far, for a failing test's message.</summary>
    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    /// <summary>Starts a server with its own random token.</summary>
    /// <exception cref="InvalidOperationException">Node or the server's packages are missing, or the server failed to start.</exception>
    public static async Task<MedplumFhirServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var installation = Local.Value;
        if (installation.UnavailableReason is { } reason)
        {
            throw new InvalidOperationException(reason);
        }

        var token = Guid.NewGuid().ToString("N");
        var start = new ProcessStartInfo(installation.Node)
        {
            WorkingDirectory = installation.ServerFolder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(installation.ServerFolder, "server.mjs"));
        start.ArgumentList.Add("0");
        start.ArgumentList.Add(token);

        var errors = new StringBuilder();
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {installation.Node}.");
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (errors)
                {
                    errors.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StartTimeout);
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            if (line is null || !line.StartsWith(ListeningPrefix, StringComparison.Ordinal)
                || !int.TryParse(line.AsSpan(line.LastIndexOf(':') + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            {
                await process.WaitForExitAsync(timeout.Token);
                throw new InvalidOperationException($"The FHIR test server did not start (first line: '{line}'). Its errors:\n{Read(errors)}");
            }

            return new MedplumFhirServer(process, errors, port, token);
        }
        catch (Exception ex) when (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Stop(process);
            throw new InvalidOperationException(
                $"The FHIR test server did not report its port within {StartTimeout.TotalSeconds} s. Its errors:\n{Read(errors)}", ex);
        }
        catch
        {
            Stop(process);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        Stop(_process);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static string Read(StringBuilder errors)
    {
        lock (errors)
        {
            return errors.ToString();
        }
    }

    private static Installation FindInstallation()
    {
        var serverFolder = FindServerFolder();
        if (serverFolder is null)
        {
            return Installation.Unavailable("tests/fhir-server/server.mjs was not found above " + AppContext.BaseDirectory + ".");
        }

        var node = SearchPath(OperatingSystem.IsWindows() ? "node.exe" : "node");
        if (node is null)
        {
            return Installation.Unavailable(
                $"Node.js (node) is not on PATH; the FHIR server tests need Node 20.19 or later, then `{InstallCommand}` from the repository root.");
        }

        if (!File.Exists(Path.Combine(serverFolder, "node_modules", "@medplum", "fhir-router", "package.json")))
        {
            return Installation.Unavailable($"The FHIR test server's packages are not installed: run `{InstallCommand}` from the repository root.");
        }

        return new Installation(node, serverFolder, UnavailableReason: null);
    }

    private static string? FindServerFolder()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "fhir-server");
            if (File.Exists(Path.Combine(candidate, "server.mjs")))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string? SearchPath(string fileName) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, fileName))
            .FirstOrDefault(File.Exists);

    private sealed record Installation(string Node, string ServerFolder, string? UnavailableReason)
    {
        public static Installation Unavailable(string reason) => new("", "", reason);
    }
}
