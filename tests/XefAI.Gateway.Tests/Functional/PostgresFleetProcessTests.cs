using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Xunit.Abstractions;
using XefAI.Gateway.Pipeline;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// Two gateway processes on one PostgreSQL, under a steady load of chat calls, one of them frozen (SIGSTOP) or
/// killed (SIGKILL) while it holds an open audit transaction. The other keeps answering and stays ready; the
/// frozen one recovers, a killed one's successor writes a chain of its own; every acknowledged answer has its
/// record and the whole trail verifies.
/// </summary>
[Collection(FleetProcessCollection.Name)]
public sealed class PostgresFleetProcessTests(ITestOutputHelper output)
{
    private const int CommitTimeoutSeconds = 2;
    private const int LoopsPerGateway = 3;
    private const int CatchAttempts = 80;

    // Three commit timeouts: longer than any wait the survivor may have for the frozen one's locks.
    private static readonly TimeSpan Freeze = TimeSpan.FromSeconds(3 * CommitTimeoutSeconds);

    [PostgresFact]
    public async Task WriterFrozenInAuditTransaction_OtherKeepsAnsweringAndReady_FrozenRecovers_EveryAnswerRecordedAndVerified()
    {
        var connectionString = await (await PostgresServer.GetSharedAsync()).CreateDatabaseAsync();
        await using var a = FleetGateway.Start(connectionString, "proc-a");
        await using var b = FleetGateway.Start(connectionString, "proc-b");
        await Task.WhenAll(a.WaitUntilReadyAsync(), b.WaitUntilReadyAsync());
        var loadA = Load.Start(a);
        var loadB = Load.Start(b);
        try
        {
            await Task.WhenAll(loadA.WaitForAnswersAsync(10), loadB.WaitForAnswersAsync(10));

            // A batch is one statement that commits on its own, so A is rarely, if ever, caught inside a transaction:
            // then it is frozen under load wherever it is, and B must still not wait for it.
            var frozen = await FreezeInAuditTransactionAsync(a, connectionString);
            if (!frozen.Caught)
            {
                frozen = frozen with { At = Stopwatch.GetTimestamp() };
                Signals.Send(a.Id, Signals.Stop);
            }

            var readiness = new List<int>();
            var stillOpen = new List<string>();
            try
            {
                // B's readiness, asked as a load balancer would, while A stays frozen.
                while (Stopwatch.GetElapsedTime(frozen.At) < Freeze)
                {
                    readiness.Add(await b.ReadyStatusAsync());
                    await Task.Delay(250);
                }

                stillOpen = await OpenAuditTransactionsAsync(connectionString, a.ApplicationName);
            }
            finally
            {
                Signals.Send(a.Id, Signals.Continue);
            }

            var thawed = Stopwatch.GetTimestamp();

            // A comes back: ready, and answering calls sent after it resumed.
            await a.WaitUntilReadyAsync();
            await loadA.WaitForAnswersAsync(1, after: thawed);
            await Task.WhenAll(loadA.StopAsync(), loadB.StopAsync());

            var duringFreeze = loadB.Calls.Where(c => c.Started >= frozen.At && c.Ended <= thawed).ToList();
            var overlapping = loadB.Calls.Where(c => c.Started < thawed && c.Ended > frozen.At).ToList();
            var longestB = overlapping.Max(c => c.Elapsed);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                A {(frozen.Caught ? $"caught after {frozen.Attempts} attempt(s) holding: {frozen.Sessions}" : $"frozen under load, not caught in a transaction in {frozen.Attempts} attempts")}; A's transactions open at the end of the freeze: {(stillOpen.Count == 0 ? "none" : string.Join(", ", stillOpen))}
                freeze {Stopwatch.GetElapsedTime(frozen.At, thawed).TotalSeconds:F2} s: B answered {duringFreeze.Count(c => c.Status == 200)} calls inside it, {duringFreeze.Count(c => c.Status != 200)} failed; longest B call overlapping it {longestB.TotalMilliseconds:F0} ms
                B /readyz during the freeze: {string.Join(",", readiness)}
                A: {loadA.Calls.Count(c => c.Status == 200)} answered, failures {Describe(loadA.Calls.Where(c => c.Status != 200))}; B: {loadB.Calls.Count(c => c.Status == 200)} answered, failures {Describe(loadB.Calls.Where(c => c.Status != 200))}
                """));

            Assert.True(duringFreeze.Count(c => c.Status == 200) > 0, "B answered no call while A was frozen.");
            Assert.True(longestB < Freeze, $"A call to B took {longestB}, as long as A's freeze: B stalled behind A.");
            Assert.NotEmpty(readiness);
            Assert.All(readiness, status => Assert.Equal(200, status));

            // The server ended the frozen session's transaction (idle_in_transaction_session_timeout): its locks
            // did not last as long as the freeze.
            Assert.Empty(stillOpen);
            AssertFailedClosed(loadA.Calls);
            AssertFailedClosed(loadB.Calls);

            var chains = await ChainsAsync(connectionString);
            output.WriteLine("chains: " + string.Join("; ", chains));
            await AssertChainsWholeAsync(connectionString);
            await AssertEveryAnswerRecordedAndTrailValidAsync(b, connectionString, loadA.Calls.Concat(loadB.Calls));
        }
        finally
        {
            await Task.WhenAll(loadA.StopAsync(), loadB.StopAsync());
        }
    }

    [PostgresFact]
    public async Task WriterKilledInAuditTransaction_RestartedWithSameInstance_NewChain_EveryAnswerRecordedAndVerified()
    {
        var connectionString = await (await PostgresServer.GetSharedAsync()).CreateDatabaseAsync();
        var a = FleetGateway.Start(connectionString, "proc-a");
        FleetGateway? restarted = null;
        await using var b = FleetGateway.Start(connectionString, "proc-b");
        Load? loadA = null, loadB = null, loadRestarted = null;
        try
        {
            await Task.WhenAll(a.WaitUntilReadyAsync(), b.WaitUntilReadyAsync());
            loadA = Load.Start(a);
            loadB = Load.Start(b);
            await Task.WhenAll(loadA.WaitForAnswersAsync(10), loadB.WaitForAnswersAsync(10));

            // Ideally killed inside a transaction; if never caught, killed anyway under load.
            var frozen = await FreezeInAuditTransactionAsync(a, connectionString);
            if (!frozen.Caught)
            {
                Signals.Send(a.Id, Signals.Stop);
            }

            Signals.Send(a.Id, Signals.Kill);
            await a.DisposeAsync();
            await loadA.StopAsync();

            restarted = FleetGateway.Start(connectionString, "proc-a");
            await restarted.WaitUntilReadyAsync();
            loadRestarted = Load.Start(restarted);
            await loadRestarted.WaitForAnswersAsync(20);
            await loadB.WaitForAnswersAsync(loadB.Calls.Count(c => c.Status == 200) + 10);
            await Task.WhenAll(loadRestarted.StopAsync(), loadB.StopAsync());

            var chains = await ChainsAsync(connectionString);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                A {(frozen.Caught ? $"killed holding: {frozen.Sessions} (caught after {frozen.Attempts} attempt(s))" : "killed under load, not caught in a transaction")}
                A: {loadA.Calls.Count(c => c.Status == 200)} answered, failures {Describe(loadA.Calls.Where(c => c.Status != 200))}
                A': {loadRestarted.Calls.Count(c => c.Status == 200)} answered, failures {Describe(loadRestarted.Calls.Where(c => c.Status != 200))}
                B: {loadB.Calls.Count(c => c.Status == 200)} answered, failures {Describe(loadB.Calls.Where(c => c.Status != 200))}
                chains: {string.Join("; ", chains)}
                """));

            // A' took a fresh chain rather than continue (and fork) the dead process's one.
            Assert.Equal(2, chains.Count(c => c.Instance == "proc-a"));
            Assert.Single(chains, c => c.Instance == "proc-b");
            Assert.All(chains.Where(c => c.Instance != "legacy"), c => Assert.True(c.Sequence > 0, $"chain {c.Id} has no record"));

            // The killed transaction left nothing behind: each chain's row names exactly the records it holds.
            await AssertChainsWholeAsync(connectionString);

            // Only A's own calls, cut off by the kill, may have gone unanswered.
            AssertFailedClosed(loadB.Calls);
            AssertFailedClosed(loadRestarted.Calls);
            await AssertEveryAnswerRecordedAndTrailValidAsync(b, connectionString, loadA.Calls.Concat(loadB.Calls).Concat(loadRestarted.Calls));
        }
        finally
        {
            await Task.WhenAll(new[] { loadA, loadB, loadRestarted }.Select(l => l?.StopAsync() ?? Task.CompletedTask));
            await a.DisposeAsync();
            if (restarted is not null)
            {
                await restarted.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Freezes <paramref name="gateway"/> with SIGSTOP until PostgreSQL shows one of its audit sessions inside a
    /// transaction, resuming it and trying again a moment later when not (a bounded number of times). The session
    /// must still be in its transaction a moment after the freeze, so it is not one that was just committing.
    /// </summary>
    private static async Task<Frozen> FreezeInAuditTransactionAsync(FleetGateway gateway, string connectionString)
    {
        await using var monitor = new NpgsqlConnection(connectionString);
        await monitor.OpenAsync();
        for (var attempt = 1; attempt <= CatchAttempts; attempt++)
        {
            var at = Stopwatch.GetTimestamp();
            Signals.Send(gateway.Id, Signals.Stop);
            if ((await OpenAuditTransactionsAsync(monitor, gateway.ApplicationName)).Count > 0)
            {
                await Task.Delay(50);
                if (await OpenAuditTransactionsAsync(monitor, gateway.ApplicationName) is { Count: > 0 } sessions)
                {
                    return new Frozen(true, attempt, at, string.Join(", ", sessions));
                }
            }

            Signals.Send(gateway.Id, Signals.Continue);
            await Task.Delay(Random.Shared.Next(10, 60));
        }

        return new Frozen(false, CatchAttempts, 0, string.Empty);
    }

    private static async Task<List<string>> OpenAuditTransactionsAsync(string connectionString, string applicationName)
    {
        await using var monitor = new NpgsqlConnection(connectionString);
        await monitor.OpenAsync();
        return await OpenAuditTransactionsAsync(monitor, applicationName);
    }

    // The sessions of one gateway's audit store (its own application name) that are inside a transaction.
    private static async Task<List<string>> OpenAuditTransactionsAsync(NpgsqlConnection monitor, string applicationName)
    {
        await using var command = new NpgsqlCommand(
            "SELECT pid, state, left(query, 40) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database() AND xact_start IS NOT NULL",
            monitor);
        command.Parameters.Add(new NpgsqlParameter { Value = applicationName });
        var sessions = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            sessions.Add(string.Create(CultureInfo.InvariantCulture, $"pid {reader.GetInt32(0)} {reader.GetString(1)} [{(reader.IsDBNull(2) ? "" : reader.GetString(2))}]"));
        }

        return sessions;
    }

    private static async Task<List<ChainRow>> ChainsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT chain_id, instance, seq FROM audit_chains ORDER BY started_at, chain_id", connection);
        var chains = new List<ChainRow>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            chains.Add(new ChainRow(reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
        }

        return chains;
    }

    /// <summary>
    /// Every writer chain's row names its last record (records 1..seq, no gap, nothing beyond it), and at least one
    /// checkpoint bound the chains' ends while the gateways ran.
    /// </summary>
    private async Task AssertChainsWholeAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var command = new NpgsqlCommand(
            """
            SELECT c.chain_id, c.seq, count(r.seq), coalesce(max(r.chain_seq), 0)
            FROM audit_chains c LEFT JOIN audit_records r ON r.chain_id = c.chain_id
            WHERE c.chain_id <> 'legacy'
            GROUP BY c.chain_id, c.seq
            """,
            connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var (chain, end, count, last) = (reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
                Assert.True(count == end && last == end, $"chain {chain}: row at seq {end}, {count} records, the last at {last}");
            }
        }

        await using var checkpoints = new NpgsqlCommand("SELECT count(*) FROM audit_checkpoints", connection);
        var taken = (long)(await checkpoints.ExecuteScalarAsync())!;
        output.WriteLine($"checkpoints: {taken}");
        Assert.True(taken > 0, "no checkpoint was taken");
    }

    // A call either answered or failed closed: 503 audit_unavailable, never another error.
    private static void AssertFailedClosed(IEnumerable<Call> calls) =>
        Assert.All(calls, c => Assert.True(c.Status == 200 || (c.Status == 503 && c.Code == "audit_unavailable"), $"{c.Gateway}: HTTP {c.Status} {c.Code}"));

    /// <summary>Every 200 carried an audit id whose record is in the database and readable; the trail verifies.</summary>
    private static async Task AssertEveryAnswerRecordedAndTrailValidAsync(FleetGateway admin, string connectionString, IEnumerable<Call> calls)
    {
        var answered = calls.Where(c => c.Status == 200).ToList();
        Assert.All(answered, c => Assert.False(string.IsNullOrEmpty(c.AuditId), $"{c.Gateway}: a 200 without an audit id"));
        var ids = answered.Select(c => c.AuditId!).ToArray();

        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT id FROM audit_records WHERE id = ANY($1)", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = ids });
            var found = new HashSet<string>(StringComparer.Ordinal);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                found.Add(reader.GetString(0));
            }

            var missing = ids.Where(id => !found.Contains(id)).ToList();
            Assert.True(missing.Count == 0, $"{missing.Count} of {ids.Length} acknowledged answers have no audit record, e.g. {missing.FirstOrDefault()}");
        }

        // The first and last answer of each gateway, read back through the admin API as a reviewer would.
        using var client = admin.CreateClient(GatewayHost.AdminKey);
        foreach (var call in answered.GroupBy(c => c.Gateway).SelectMany(g => new[] { g.MinBy(c => c.Started)!, g.MaxBy(c => c.Started)! }))
        {
            var record = await client.GetFromJsonAsync<JsonObject>($"/admin/audit/{call.AuditId}");
            Assert.Equal(call.AuditId, (string?)record!["id"]);
        }

        // No earlier verification ran, so this one walks every chain from its start: every record in the table
        // (the admin reads above are audited too; the verification's own record is written after it ran).
        var records = await CountRecordsAsync(connectionString);
        var verification = await client.GetFromJsonAsync<JsonObject>("/admin/audit/verify");
        Assert.True((bool)verification!["valid"]!, verification.ToJsonString());
        Assert.True((long)verification["records"]! >= ids.Length, verification.ToJsonString());
        Assert.Equal(records, (long)verification["records"]!);
    }

    private static async Task<long> CountRecordsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM audit_records", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static string Describe(IEnumerable<Call> failures)
    {
        var groups = failures.GroupBy(c => $"{c.Status} {c.Code}".Trim()).Select(g => $"{g.Key} x{g.Count()}").ToList();
        return groups.Count == 0 ? "none" : string.Join(", ", groups);
    }

    private sealed record Frozen(bool Caught, int Attempts, long At, string Sessions);

    private sealed record ChainRow(string Id, string Instance, long Sequence)
    {
        public override string ToString() => $"{Id} ({Instance}) at seq {Sequence}";
    }

    /// <summary>One chat call: when it was sent and answered (Stopwatch timestamps), its status and audit id.</summary>
    private sealed record Call(string Gateway, long Started, long Ended, int Status, string? AuditId, string? Code)
    {
        public TimeSpan Elapsed => Stopwatch.GetElapsedTime(Started, Ended);
    }

    /// <summary>A few client loops sending chat calls to one gateway, back to back, until stopped.</summary>
    private sealed class Load
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentQueue<Call> _calls = new();
        private Task? _loops;

        public IReadOnlyCollection<Call> Calls => _calls;

        public static Load Start(FleetGateway gateway)
        {
            var load = new Load();
            load._loops = Task.WhenAll(Enumerable.Range(0, LoopsPerGateway).Select(i => Task.Run(() => load.RunAsync(gateway, i))));
            return load;
        }

        /// <summary>Waits (at most 60 s) until <paramref name="count"/> calls sent after <paramref name="after"/> were answered.</summary>
        public Task WaitForAnswersAsync(int count, long after = 0) => AdminCalls.WaitUntilAsync(
            () => Task.FromResult(_calls.Count(c => c.Status == 200 && c.Started >= after) >= count),
            $"{count} answered calls",
            TimeSpan.FromSeconds(60));

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await _loops!;
        }

        private async Task RunAsync(FleetGateway gateway, int loop)
        {
            using var client = gateway.CreateClient(GatewayHost.ClientKey);
            for (var n = 0; !_stop.IsCancellationRequested; n++)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    var call = await client.PostChatAsync(ChatBody("summary", $"Note {loop}-{n}. Stable. Discharge home."));
                    _calls.Enqueue(new Call(gateway.Name, started, Stopwatch.GetTimestamp(), call.Status, call.Header(GatewayHeaders.AuditId), ErrorCode(call)));
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    // A killed process: the call got no answer. Not an acknowledged one, so it needs no record.
                    _calls.Enqueue(new Call(gateway.Name, started, Stopwatch.GetTimestamp(), 0, null, ex.GetType().Name));
                    await Task.Delay(50);
                }
            }
        }

        private static string? ErrorCode(GatewayCall call)
        {
            if (call.Status == 200)
            {
                return null;
            }

            try
            {
                return (string?)call.Json["error"]?["code"];
            }
            catch (JsonException)
            {
                return "(not JSON)";
            }
        }
    }

    /// <summary>A gateway process with the PostgreSQL audit store and an audit application name of its own.</summary>
    private sealed class FleetGateway : IAsyncDisposable
    {
        private readonly GatewayProcess _process;
        private readonly string _directory;
        private int _disposed;

        private FleetGateway(GatewayProcess process, string directory, string name, string applicationName)
        {
            _process = process;
            _directory = directory;
            Name = name;
            ApplicationName = applicationName;
        }

        /// <summary>The audit InstanceName, which also names the gateway in messages.</summary>
        public string Name { get; }

        /// <summary>The application_name its audit sessions show in pg_stat_activity.</summary>
        public string ApplicationName { get; }

        public int Id => _process.Id;

        public static FleetGateway Start(string connectionString, string instanceName)
        {
            var directory = Path.Combine(Path.GetTempPath(), "xefai-tests", Guid.NewGuid().ToString("N"));
            var applicationName = $"xefai-{instanceName}-{Guid.NewGuid().ToString("N")[..8]}";
            var configuration = GatewayHost.DefaultConfiguration(directory);
            configuration["Audit"] = new JsonObject
            {
                ["Store"] = "postgres",
                ["Postgres"] = new JsonObject
                {
                    ["ConnectionString"] = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = applicationName }.ConnectionString,
                    ["CommitTimeoutSeconds"] = CommitTimeoutSeconds,
                    ["InstanceName"] = instanceName,
                    ["CheckpointIntervalSeconds"] = 1,
                },
            };
            Directory.CreateDirectory(Path.Combine(directory, "config"));
            Directory.CreateDirectory(Path.Combine(directory, "plugins"));
            File.WriteAllText(Path.Combine(directory, "config", "appsettings.json"), configuration.ToJsonString());
            var process = GatewayProcess.Start(
            [
                "--environment=Testing",
                $"--XefAI:ConfigDirectory={Path.Combine(directory, "config")}",
                "--XefAI:WatchConfiguration=false",
            ]);
            return new FleetGateway(process, directory, instanceName, applicationName);
        }

        public HttpClient CreateClient(string key)
        {
            var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_process.Port}"), Timeout = TimeSpan.FromSeconds(30) };
            client.DefaultRequestHeaders.Authorization = new("Bearer", key);
            return client;
        }

        public async Task<int> ReadyStatusAsync()
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_process.Port}"), Timeout = TimeSpan.FromSeconds(30) };
            return (int)(await client.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode;
        }

        /// <summary>Waits (at most 60 s) until <c>/readyz</c> answers 200; fails if the process exits first.</summary>
        public Task WaitUntilReadyAsync() => AdminCalls.WaitUntilAsync(
            async () =>
            {
                Assert.False(_process.HasExited, $"{Name} exited early:\n{_process.StandardError}");
                try
                {
                    return await ReadyStatusAsync() == 200;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    return false;
                }
            },
            $"{Name} to be ready",
            TimeSpan.FromSeconds(60));

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            if (!_process.HasExited)
            {
                // Left frozen by a failed test: resumed, so it can be stopped like any other.
                Signals.TrySend(_process.Id, Signals.Continue);
            }

            await _process.DisposeAsync();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS to clean; the test result stands.
            }
        }
    }
}
