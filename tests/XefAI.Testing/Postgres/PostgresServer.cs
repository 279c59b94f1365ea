using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace XefAI.Testing;

/// <summary>
/// A throwaway PostgreSQL server for tests: the machine's own binaries (initdb, pg_ctl) run a cluster in a
/// temporary folder on a free loopback port, with trust authentication, and the folder is deleted on dispose.
/// </summary>
/// <remarks>
/// A run shares one server (<see cref="GetSharedAsync"/>, stopped once the process has exited) and takes a fresh
/// database per test class or test (<see cref="CreateDatabaseAsync"/>), which costs about 0.1 s against a
/// second and a half to start a server. Test-framework neutral: a test project turns
/// <see cref="UnavailableReason"/> into a skip with its own attribute. initdb refuses to run as root, so
/// under root the binaries run as the <c>postgres</c> user through <c>runuser</c>.
/// </remarks>
public sealed class PostgresServer : IAsyncDisposable
{
    /// <summary>Set to <c>1</c> (as CI should) to fail, rather than skip, the tests when PostgreSQL is missing.</summary>
    public const string RequireVariable = "XEFAI_TESTS_REQUIRE_POSTGRES";

    public const string Host = "127.0.0.1";

    public const string Superuser = "postgres";

    private const string ServerUser = "postgres";
    private const string InstancePrefix = "xefai-postgres";

    private static readonly Lazy<Installation> Local = new(FindInstallation);
    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartSharedAsync);

    private readonly Installation _installation;
    private int _disposed;

    private PostgresServer(Installation installation, string directory, int port)
    {
        _installation = installation;
        Folder = directory;
        Port = port;
    }

    /// <summary>Why no server can be started here, or null when one can; cheap, for test discovery.</summary>
    public static string? UnavailableReason => Local.Value.UnavailableReason;

    /// <summary>Whether the environment demands the PostgreSQL tests run (<see cref="RequireVariable"/>).</summary>
    public static bool IsRequired => Environment.GetEnvironmentVariable(RequireVariable) is "1" or "true";

    public int Port { get; }

    /// <summary>The instance folder: the cluster in <c>data/</c>, the Unix socket and <c>server.log</c>.</summary>
    public string Folder { get; }

    public string LogPath => Path.Combine(Folder, "server.log");

    /// <summary>The server this test process shares, started on first call and stopped when the process exits.</summary>
    public static Task<PostgresServer> GetSharedAsync() => Shared.Value;

    /// <summary>Starts a server of the caller's own, for a test that must stop or break it.</summary>
    /// <exception cref="InvalidOperationException">PostgreSQL is not available here, or it failed to start.</exception>
    public static async Task<PostgresServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var installation = Local.Value;
        if (installation.UnavailableReason is { } reason)
        {
            throw new InvalidOperationException(reason);
        }

        var root = InstanceRoot(installation);
        SweepOrphans(installation, root);
        var directory = Path.Combine(root, $"{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}");
        var data = Path.Combine(directory, "data");
        var log = Path.Combine(directory, "server.log");
        Directory.CreateDirectory(directory);
        try
        {
            if (installation.RunAs is not null)
            {
                await RunAsync("chown", ["-R", ServerUser + ":", directory], directory, cancellationToken);
            }

            // --no-sync and fsync=off: a test cluster has nothing to keep across a crash. The C locale keeps
            // initdb independent of the locales the machine happens to have.
            await RunToolAsync(
                installation, directory, "initdb", ["-D", data, "-A", "trust", "-U", Superuser, "--no-sync", "-E", "UTF8", "--no-locale"], cancellationToken);

            // Another process may take the free port between the probe and the bind; then try another.
            for (var attempt = 1; ; attempt++)
            {
                File.Delete(log);
                var port = FreeLoopbackPort();
                var options = ServerOptions(port, directory);
                try
                {
                    await RunToolAsync(
                        installation, directory, "pg_ctl", ["-D", data, "-l", log, "-o", options, "-w", "-t", "30", "start"], cancellationToken);
                    if (!OperatingSystem.IsWindows())
                    {
                        StartReaper(installation, directory);
                    }

                    return new PostgresServer(installation, directory, port);
                }
                catch (InvalidOperationException) when (attempt < 3 && ReadText(log).Contains("could not bind", StringComparison.Ordinal))
                {
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var serverLog = ReadText(log);
            await StopAndDeleteAsync(installation, directory);
            throw new InvalidOperationException(
                $"The test PostgreSQL server did not start: {ex.Message}{(serverLog.Length > 0 ? "\nserver.log:\n" + serverLog : "")}", ex);
        }
        catch
        {
            await StopAndDeleteAsync(installation, directory);
            throw;
        }
    }

    /// <summary>A connection string for <paramref name="database"/> as the superuser, over TCP on loopback.</summary>
    public string GetConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder { Host = Host, Port = Port, Username = Superuser, Database = database }.ConnectionString;

    /// <summary>Creates an empty database and returns its connection string.</summary>
    /// <param name="name">Lower-case letters, digits and underscores; a unique name when null.</param>
    public async Task<string> CreateDatabaseAsync(string? name = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        name ??= "xefai_" + Guid.NewGuid().ToString("N");
        if (name.Length is 0 or > 63 || !name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
        {
            throw new ArgumentException($"'{name}' is not a plain database name: lower-case letters, digits and underscores, at most 63.", nameof(name));
        }

        await using var source = CreateAdminDataSource(GetConnectionString());
        await using var command = source.CreateCommand("CREATE DATABASE " + name);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return GetConnectionString(name);
    }

    /// <summary>
    /// Runs a SQL script with psql, as an operator would (<c>psql -X -v ON_ERROR_STOP=1 -f script -v name=value</c>),
    /// connected to <paramref name="database"/> as <paramref name="user"/>. The installation's own psql is used, else
    /// the one on PATH.
    /// </summary>
    /// <exception cref="InvalidOperationException">psql is missing, or the script failed; the message holds its error output.</exception>
    public Task RunScriptAsync(
        string database, string scriptPath, IReadOnlyDictionary<string, string> variables, string user = Superuser, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var executable = "psql" + (OperatingSystem.IsWindows() ? ".exe" : "");
        var psql = _installation.BinDirectory is { } bin && File.Exists(Path.Combine(bin, executable))
            ? Path.Combine(bin, executable)
            : SearchPath(executable) ?? throw new InvalidOperationException("psql was not found next to initdb nor on PATH.");
        List<string> arguments =
        [
            "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", Host, "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", user, "-d", database,
            "-f", Path.GetFullPath(scriptPath),
        ];
        foreach (var (name, value) in variables)
        {
            arguments.Add("-v");
            arguments.Add(name + "=" + value);
        }

        return RunAsync(psql, arguments, Path.GetDirectoryName(Path.GetFullPath(scriptPath))!, cancellationToken);
    }

    /// <summary>
    /// A data source for a test's own statements (DDL, tampering, checks): unpooled, and without loading the
    /// server's types, which costs ~30 ms for every new connection string and is not needed for built-in ones.
    /// </summary>
    public static NpgsqlDataSource CreateAdminDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.Pooling = false;
        builder.ConfigureTypeLoading(typeLoading => typeLoading.EnableTypeLoading(false));
        return builder.Build();
    }

    /// <summary>
    /// Stops the server at once, as a crash would (connections drop without a goodbye), and starts it again on the same
    /// port: clients keep pooled connections that the server no longer knows. For a server of the test's own only.
    /// </summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        var data = Path.Combine(Folder, "data");
        await RunToolAsync(_installation, Folder, "pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"], cancellationToken);
        await RunToolAsync(_installation, Folder, "pg_ctl", ["-D", data, "-l", LogPath, "-o", ServerOptions(Port, Folder), "-w", "-t", "30", "start"], cancellationToken);
    }

    private static string ServerOptions(int port, string directory) =>
        $"-p {port.ToString(CultureInfo.InvariantCulture)} -h {Host} -k '{directory}' -c fsync=off -c synchronous_commit=off -c full_page_writes=off";

    /// <summary>
    /// Stops the server's processes (SIGSTOP) without closing anything, as a hung host or a network partition looks to a
    /// client: connections stay open and nothing answers, cancel requests included. <see cref="Resume"/> lets them go
    /// on. Linux only; for a server of the test's own only.
    /// </summary>
    public void Suspend() => Signal("STOP");

    public void Resume() => Signal("CONT");

    private void Signal(string signal)
    {
        // The postmaster's pid heads postmaster.pid; its children are every backend and auxiliary process.
        var postmaster = int.Parse(File.ReadLines(Path.Combine(Folder, "data", "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        var pids = new List<int> { postmaster };
        foreach (var stat in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(stat), CultureInfo.InvariantCulture, out var pid) && pid != postmaster
                && ParentOf(Path.Combine(stat, "stat")) == postmaster)
            {
                pids.Add(pid);
            }
        }

        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, .. pids.Select(p => p.ToString(CultureInfo.InvariantCulture))]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("kill did not start.");
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} exited with {kill.ExitCode}.");
        }
    }

    // /proc/<pid>/stat: "pid (comm) state ppid ...", where comm may hold spaces and parentheses.
    private static int ParentOf(string statPath)
    {
        try
        {
            var stat = File.ReadAllText(statPath);
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // The process ended while it was read.
            return -1;
        }
    }

    /// <summary>Stops the server at once (no checkpoint: nothing here is kept) and deletes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await StopAndDeleteAsync(_installation, Folder);
        }
    }

    private static async Task<PostgresServer> StartSharedAsync()
    {
        var server = await StartAsync();

        // Elsewhere the reaper does this: the test runner kills its test host moments after the last result,
        // so a ProcessExit handler is cut off mid-cleanup.
        if (OperatingSystem.IsWindows())
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        return server;
    }

    /// <summary>
    /// Starts a shell that waits for this process to end, however it ends, and then stops the server and
    /// deletes its folder. Detached (its parent exits at once, so killing this process's tree misses it) and
    /// with no inherited output (a runner reading ours to its end would wait for it).
    /// </summary>
    private static void StartReaper(Installation installation, string directory)
    {
        static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

        var pgCtl = Quote(Path.Combine(installation.BinDirectory!, "pg_ctl"));
        var runAs = installation.RunAs is { } runuser ? $"{Quote(runuser)} -u {ServerUser} -- " : "";
        var data = Quote(Path.Combine(directory, "data"));
        var script =
            $"while kill -0 {Environment.ProcessId.ToString(CultureInfo.InvariantCulture)} 2>/dev/null; do sleep 0.5; done; " +
            $"if [ -d {data} ]; then {runAs}{pgCtl} -D {data} -m immediate -w stop; fi; rm -rf {Quote(directory)}";
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = "/" };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"( {script} ) </dev/null >/dev/null 2>&1 &");
        using var shell = Process.Start(start) ?? throw new InvalidOperationException("/bin/sh did not start.");
        shell.WaitForExit();
    }

    private static Installation FindInstallation()
    {
        var executable = OperatingSystem.IsWindows() ? ".exe" : "";
        var bin = SearchPath("initdb" + executable) is { } initdb
            && Path.GetDirectoryName(ResolveLinks(initdb)) is { } directory
            && File.Exists(Path.Combine(directory, "pg_ctl" + executable))
                ? directory
                : NewestDebianBin();
        if (bin is null)
        {
            return Installation.Unavailable(
                "PostgreSQL binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin; apt-get install postgresql");
        }

        if (OperatingSystem.IsWindows() || !Environment.IsPrivilegedProcess)
        {
            return new Installation(bin, RunAs: null, UnavailableReason: null);
        }

        // Root: initdb refuses, so the server runs as the user the Debian package creates.
        var runuser = SearchPath("runuser") ?? new[] { "/usr/sbin/runuser", "/sbin/runuser" }.FirstOrDefault(File.Exists);
        if (runuser is null)
        {
            return Installation.Unavailable("Running as root, and initdb refuses root; runuser (util-linux) was not found to run it as 'postgres'.");
        }

        var hasUser = File.Exists("/etc/passwd")
            && File.ReadLines("/etc/passwd").Any(line => line.StartsWith(ServerUser + ":", StringComparison.Ordinal));
        return hasUser
            ? new Installation(bin, runuser, UnavailableReason: null)
            : Installation.Unavailable("Running as root, and initdb refuses root; there is no 'postgres' user to run it as (apt-get install postgresql creates one).");
    }

    private static string? SearchPath(string fileName) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, fileName))
            .FirstOrDefault(File.Exists);

    private static string ResolveLinks(string path) =>
        new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;

    private static string? NewestDebianBin()
    {
        const string Versions = "/usr/lib/postgresql";
        if (!Directory.Exists(Versions))
        {
            return null;
        }

        return Directory.EnumerateDirectories(Versions)
            .Select(directory => (Directory: directory, Version: Version.TryParse(VersionText(Path.GetFileName(directory)), out var version) ? version : null))
            .Where(candidate => candidate.Version is not null
                && File.Exists(Path.Combine(candidate.Directory, "bin", "initdb"))
                && File.Exists(Path.Combine(candidate.Directory, "bin", "pg_ctl")))
            .OrderByDescending(candidate => candidate.Version)
            .Select(candidate => Path.Combine(candidate.Directory, "bin"))
            .FirstOrDefault();

        static string VersionText(string name) => name.Contains('.', StringComparison.Ordinal) ? name : name + ".0";
    }

    /// <summary>
    /// The parent of instance folders: like /tmp, open to every user with the sticky bit, so runs as root and
    /// as other users can share it. Under root every folder above it must also let 'postgres' through.
    /// </summary>
    private static string InstanceRoot(Installation installation)
    {
        var temp = Path.GetTempPath();
        if (installation.RunAs is not null && !TraversableByOthers(temp))
        {
            temp = "/tmp";
        }

        var root = Path.Combine(temp, InstancePrefix);
        Directory.CreateDirectory(root);
        const UnixFileMode Shared = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute | UnixFileMode.StickyBit;
        if (!OperatingSystem.IsWindows() && File.GetUnixFileMode(root) != Shared)
        {
            try
            {
                File.SetUnixFileMode(root, Shared);
            }
            catch (UnauthorizedAccessException)
            {
                // Another user's: it was opened up when they made it.
            }
        }

        return root;
    }

    private static bool TraversableByOthers(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        for (var directory = new DirectoryInfo(path); directory is not null; directory = directory.Parent)
        {
            if (!directory.UnixFileMode.HasFlag(UnixFileMode.OtherExecute))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Stops servers left behind by test processes that died before they could, and deletes their folders.</summary>
    private static void SweepOrphans(Installation installation, string root)
    {
        foreach (var directory in Directory.EnumerateDirectories(root))
        {
            var name = Path.GetFileName(directory);
            var dash = name.IndexOf('-', StringComparison.Ordinal);
            if (dash <= 0 || !int.TryParse(name.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || IsAlive(pid))
            {
                continue;
            }

            try
            {
                StopAndDeleteAsync(installation, directory).GetAwaiter().GetResult();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Someone else's, or in use: not ours to clean.
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task StopAndDeleteAsync(Installation installation, string directory)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        try
        {
            await RunToolAsync(installation, directory, "pg_ctl", ["-D", Path.Combine(directory, "data"), "-m", "immediate", "-w", "stop"], CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            // Not running, or never initialized; the folder goes either way.
        }

        Directory.Delete(directory, recursive: true);
    }

    private static string ReadText(string path) => File.Exists(path) ? File.ReadAllText(path) : "";

    private static async Task RunAsync(string fileName, IEnumerable<string> arguments, string workingDirectory, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,

            // The server user may not be allowed into the caller's current directory.
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start.");
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{string.Join(' ', start.ArgumentList.Prepend(fileName))} exited with {process.ExitCode}: {(await error).Trim()} {(await output).Trim()}");
        }
    }

    private static Task RunToolAsync(Installation installation, string directory, string tool, string[] arguments, CancellationToken cancellationToken)
    {
        var path = Path.Combine(installation.BinDirectory!, tool + (OperatingSystem.IsWindows() ? ".exe" : ""));
        return installation.RunAs is { } runuser
            ? RunAsync(runuser, ["-u", ServerUser, "--", path, .. arguments], directory, cancellationToken)
            : RunAsync(path, arguments, directory, cancellationToken);
    }

    /// <summary>Where the binaries are, and whom to run them as (<c>runuser</c> when the tests run as root).</summary>
    private sealed record Installation(string? BinDirectory, string? RunAs, string? UnavailableReason)
    {
        public static Installation Unavailable(string reason) => new(null, null, reason);
    }
}
