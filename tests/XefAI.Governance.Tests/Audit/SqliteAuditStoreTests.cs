using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace XefAI.Governance.Tests;

public sealed class SqliteAuditStoreTests
{
    [Fact]
    public async Task AppendAsync_NewDatabase_FileIsReadableAndWritableByItsOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();

        await store.AppendAsync(AuditEntries.Create(1), CancellationToken.None);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(db.FilePath));
        foreach (var sidecar in new[] { db.FilePath + "-wal", db.FilePath + "-shm", db.FilePath + "-journal" }.Where(File.Exists))
        {
            Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(sidecar) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite));
        }
    }

    [Fact]
    public async Task AppendAsync_FirstUse_LogsOnceWhereTheTrailIsWritten()
    {
        // A user who starts the gateway learns from its first log lines where the audit trail goes.
        await using var db = new TempAuditDatabase();
        var logger = new FakeLogger<SqliteAuditStore>();
        var store = db.CreateStore(logger: logger);

        await store.AppendAsync(AuditEntries.Create(1), CancellationToken.None);
        await store.AppendAsync(AuditEntries.Create(2), CancellationToken.None);

        var opened = Assert.Single(logger.Collector.GetSnapshot(), r => r.Message.Contains("writes the audit trail", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Information, opened.Level);
        Assert.Contains(Path.GetFullPath(db.FilePath), opened.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppendAsync_ThenGetAsync_ReturnsSameFields()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        var entry = AuditEntries.Create(1) with
        {
            // Not UTC, sub-millisecond and with an awkward double: all must round-trip.
            Timestamp = new DateTimeOffset(2025, 3, 14, 10, 26, 53, TimeSpan.FromHours(1)).AddTicks(5_891_234),
            Reasons = "tier_requires_review,phi_minimized",
            LatencyMs = 0.1 + 0.2,
        };

        var appended = await store.AppendAsync(entry, CancellationToken.None);
        var read = await store.GetAsync(appended.Id, CancellationToken.None);

        Assert.NotNull(read);
        Assert.Equal(appended, read);
        Assert.Equal(entry, read.Entry);
        Assert.Equal(entry.Timestamp.UtcTicks, read.Entry.Timestamp.UtcTicks);
        Assert.Equal(0.1 + 0.2, read.Entry.LatencyMs);
        Assert.Equal(1, read.Sequence);
        Assert.Equal(AuditChainHasher.GenesisHash, read.PreviousHash);
        Assert.Matches("^aud_[0-9A-HJKMNP-TV-Z]{26}$", read.Id);
        Assert.Matches("^[0-9a-f]{64}$", read.Hash);
    }

    [Fact]
    public async Task AppendAsync_NullableFieldsLeftOut_RoundTripsAsNull()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        var entry = new AuditEntry
        {
            Timestamp = AuditEntries.BaseTime,
            TraceId = "trace-min",
            Decision = "denied",
            StatusCode = 403,
            LatencyMs = 2,
        };

        var appended = await store.AppendAsync(entry, CancellationToken.None);

        Assert.Equal(entry, (await store.GetAsync(appended.Id, CancellationToken.None))?.Entry);
        Assert.True((await store.VerifyAsync(CancellationToken.None)).Valid);
    }

    [Fact]
    public async Task AppendAsync_AttemptsCostAndStreamed_RoundTripThroughGetAndQuery()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        AuditAttempt[] attempts =
        [
            new("gpt-eu-1", "openai/primary", "vendor_timeout", null, 30000.5),
            new("gpt-eu-1", "openai/secondary", "vendor_error", 503, 0.1 + 0.2),
            new("local-extractive", null, "answered", null, 12.75),
        ];
        var entry = AuditEntries.Create(1) with { Streamed = true, CostUsd = 0.1 + 0.7, Attempts = attempts };

        var appended = await store.AppendAsync(entry, CancellationToken.None);
        var read = await store.GetAsync(appended.Id, CancellationToken.None);
        var queried = Assert.Single(await store.QueryAsync(new AuditQuery(), CancellationToken.None));

        foreach (var record in new[] { read!, queried })
        {
            Assert.True(record.Entry.Streamed);
            Assert.Equal(0.1 + 0.7, record.Entry.CostUsd);
            Assert.Equal(attempts, record.Entry.Attempts);
            Assert.Equal(appended.Hash, record.Hash);

            // AuditEntry compares its Attempts list by reference; every other field must match as is.
            Assert.Equal(entry, record.Entry with { Attempts = attempts });
        }

        Assert.Equal(new AuditChainVerification(true, 1), await store.VerifyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task AppendAsync_NewFields_AreStoredInTheirDocumentedColumns()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        await store.AppendAsync(AuditEntries.Create(1) with
        {
            Streamed = true,
            CostUsd = 0.0125,
            Attempts = [new("gpt-eu-1", "openai/primary", "vendor_timeout", null, 30000.5), new("gpt-eu-2", null, "answered", 200, 812.25)],
        }, CancellationToken.None);
        await store.AppendAsync(AuditEntries.Create(2), CancellationToken.None);

        using var connection = db.OpenForeignConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT streamed, typeof(streamed), cost_usd, typeof(cost_usd), attempts, hash_version FROM audit_records ORDER BY seq";
        using var reader = command.ExecuteReader();

        Assert.True(reader.Read());
        Assert.Equal(1L, reader.GetInt64(0));
        Assert.Equal("integer", reader.GetString(1));
        Assert.Equal(0.0125, reader.GetDouble(2));
        Assert.Equal("real", reader.GetString(3));
        Assert.Equal(
            """[{"deployment":"gpt-eu-1","destination":"openai/primary","outcome":"vendor_timeout","statusCode":null,"latencyMs":30000.5},""" +
            """{"deployment":"gpt-eu-2","destination":null,"outcome":"answered","statusCode":200,"latencyMs":812.25}]""",
            reader.GetString(4));
        Assert.Equal((long)AuditChainHasher.CurrentVersion, reader.GetInt64(5));

        Assert.True(reader.Read());
        Assert.Equal(0L, reader.GetInt64(0));
        Assert.True(reader.IsDBNull(2));
        Assert.Equal("[]", reader.GetString(4));
        Assert.Equal((long)AuditChainHasher.CurrentVersion, reader.GetInt64(5));
    }

    [Fact]
    public async Task AppendAsync_CallerChangesItsAttemptsListAfterwards_CommitsWhatWasAppended()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        var original = new AuditAttempt("gpt-eu-1", "openai/primary", "answered", 200, 800);
        var attempts = new List<AuditAttempt> { original };

        var append = store.AppendAsync(AuditEntries.Create(1) with { Attempts = attempts }, CancellationToken.None);
        attempts[0] = original with { LatencyMs = double.NaN };
        attempts.Add(original);
        var appended = await append;

        Assert.Equal([original], appended.Entry.Attempts);
        Assert.Equal([original], (await store.GetAsync(appended.Id, CancellationToken.None))!.Entry.Attempts);
        Assert.True((await store.VerifyAsync(CancellationToken.None)).Valid);
    }

    [Fact]
    public async Task AppendAsync_NegativeZeroLatencyOrCost_CommitsZeroAndStillVerifies()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();

        var appended = await store.AppendAsync(AuditEntries.Create(1) with { LatencyMs = -0.0, CostUsd = -0.0 }, CancellationToken.None);
        var read = await store.GetAsync(appended.Id, CancellationToken.None);

        Assert.False(double.IsNegative(appended.Entry.LatencyMs));
        Assert.False(double.IsNegative(appended.Entry.CostUsd!.Value));
        Assert.Equal(appended, read);
        Assert.Equal(new AuditChainVerification(true, 1), await store.VerifyAsync(CancellationToken.None));
    }

    public static TheoryData<string, AuditEntry> InvalidEntries => new()
    {
        { "cost", AuditEntries.Create(1) with { CostUsd = -0.01 } },
        { "cost", AuditEntries.Create(1) with { CostUsd = double.NaN } },
        { "cost", AuditEntries.Create(1) with { CostUsd = double.PositiveInfinity } },
        { "attempts", AuditEntries.Create(1) with { Attempts = null! } },
        { "attempt 0 is null", AuditEntries.Create(1) with { Attempts = [null!] } },
        { "attempt 1 needs a deployment", AuditEntries.Create(1) with { Attempts = [Attempt(), Attempt() with { Deployment = "" }] } },
        { "attempt 0 needs an outcome", AuditEntries.Create(1) with { Attempts = [Attempt() with { Outcome = null! }] } },
        { "attempt 0 has latency", AuditEntries.Create(1) with { Attempts = [Attempt() with { LatencyMs = double.NaN }] } },
        { "attempt 0 has latency", AuditEntries.Create(1) with { Attempts = [Attempt() with { LatencyMs = double.NegativeInfinity }] } },
        { "attempt 0's Destination", AuditEntries.Create(1) with { Attempts = [Attempt() with { Destination = "openai/\uDC00" }] } },
        { "attempt 0's Deployment", AuditEntries.Create(1) with { Attempts = [Attempt() with { Deployment = "gpt\uD800" }] } },
        { "UserId is not well-formed UTF-16", AuditEntries.Create(1) with { UserId = "\uDC00u-0042" } },
        { "InputText is not well-formed UTF-16", AuditEntries.Create(1) with { InputText = "BP 120/80 \uD83D" } },
        { "OutputText is not well-formed UTF-16", AuditEntries.Create(1) with { OutputText = "stable \uDC4D\uD83D" } },
        { "InputText is not well-formed UTF-16", AuditEntries.Create(1) with { InputText = "ok \uD83D\uDC4D then \uD83Dx" } },
        { "RelatesTo is not well-formed UTF-16", AuditEntries.Create(1) with { RelatesTo = new string('a', 300) + "\uD800\uD800\uDC00" } },
    };

    [Theory]
    [MemberData(nameof(InvalidEntries))]
    public async Task AppendAsync_InvalidNewField_IsRejectedAndOthersStillCommit(string problem, AuditEntry bad)
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();

        var rejected = store.AppendAsync(bad, CancellationToken.None).AsTask();
        var good = store.AppendAsync(AuditEntries.Create(2) with { Attempts = [Attempt()] }, CancellationToken.None).AsTask();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => rejected);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await good).Sequence);
        Assert.Equal(new AuditChainVerification(true, 1), await store.VerifyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task GetAsync_UnknownId_ReturnsNull()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        await store.AppendAsync(AuditEntries.Create(1), CancellationToken.None);

        Assert.Null(await store.GetAsync("aud_00000000000000000000000000", CancellationToken.None));
    }

    [Fact]
    public async Task AppendAsync_Sequential_ChainsEachRecordToThePreviousOne()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();

        var records = new List<AuditRecord>();
        for (var i = 0; i < 5; i++)
        {
            records.Add(await store.AppendAsync(AuditEntries.Create(i), CancellationToken.None));
        }

        Assert.Equal([1L, 2, 3, 4, 5], records.Select(r => r.Sequence));
        Assert.Equal(AuditChainHasher.GenesisHash, records[0].PreviousHash);
        for (var i = 1; i < records.Count; i++)
        {
            Assert.Equal(records[i - 1].Hash, records[i].PreviousHash);
            Assert.True(string.CompareOrdinal(records[i - 1].Id, records[i].Id) < 0, "ids sort in commit order");
        }

        Assert.Equal(5, records.Select(r => r.Hash).Distinct().Count());
        Assert.Equal(new AuditChainVerification(true, 5), await store.VerifyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task AppendAsync_200Concurrent_AllCommitInFewerTransactionsWithAValidChain()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();

        var records = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => store.AppendAsync(AuditEntries.Create(i), CancellationToken.None).AsTask(), CancellationToken.None)));

        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), records.Select(r => r.Sequence).Order());
        Assert.Equal(200, records.Select(r => r.Id).Distinct().Count());
        Assert.InRange(store.CommittedBatches, 1, 199);
        Assert.Equal(new AuditChainVerification(true, 200), await store.VerifyAsync(CancellationToken.None));

        // Each caller got the record holding its own entry.
        var byTrace = records.ToDictionary(r => r.Entry.TraceId);
        Assert.Equal(200, byTrace.Count);
        foreach (var record in records)
        {
            Assert.Equal(record, await store.GetAsync(record.Id, CancellationToken.None));
        }
    }

    [Fact]
    public async Task AppendAsync_MaxBatchSizeOne_CommitsEachRecordAlone()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore(maxBatchSize: 1);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => store.AppendAsync(AuditEntries.Create(i), CancellationToken.None).AsTask()));

        Assert.Equal(20, store.CommittedBatches);
        Assert.Equal(new AuditChainVerification(true, 20), await store.VerifyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task VerifyAsync_RowAlteredInDatabase_ReportsFirstBrokenRecord()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        var records = await AppendManyAsync(store, 5);

        using (var connection = db.OpenForeignConnection())
        {
            // Someone with access to the file can drop the guard trigger; the hash chain still catches the edit.
            Execute(connection, "DROP TRIGGER audit_records_no_update");
            Execute(connection, $"UPDATE audit_records SET output_sha256 = '{new string('c', 64)}' WHERE seq = 3");
        }

        var verification = await store.VerifyAsync(CancellationToken.None);

        Assert.False(verification.Valid);
        Assert.Equal(records[2].Id, verification.FirstBrokenRecord);
        Assert.Equal(2, verification.Records);
        Assert.Contains("altered", verification.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("attempts = '[{\"deployment\":\"gpt-eu-1\",\"destination\":\"openai/primary\",\"outcome\":\"answered\",\"statusCode\":200,\"latencyMs\":800}]'")]
    [InlineData("attempts = '[]'")]
    [InlineData("streamed = 0")]
    [InlineData("cost_usd = 0.001")]
    [InlineData("cost_usd = NULL")]
    public async Task VerifyAsync_NewColumnAltered_ReportsThatRecord(string assignment)
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        var records = new List<AuditRecord>();
        for (var i = 0; i < 4; i++)
        {
            records.Add(await store.AppendAsync(
                AuditEntries.Create(i) with
                {
                    Streamed = true,
                    CostUsd = 0.002,
                    Attempts = [new("gpt-eu-1", "openai/primary", "vendor_timeout", null, 30000), new("gpt-eu-1", "openai/primary", "answered", 200, 800)],
                },
                CancellationToken.None));
        }

        using (var connection = db.OpenForeignConnection())
        {
            Execute(connection, "DROP TRIGGER audit_records_no_update");
            Execute(connection, $"UPDATE audit_records SET {assignment} WHERE seq = 3");
        }

        var verification = await store.VerifyAsync(CancellationToken.None);

        Assert.False(verification.Valid);
        Assert.Equal(records[2].Id, verification.FirstBrokenRecord);
        Assert.Equal(2, verification.Records);
        Assert.Equal($"Record {records[2].Id} (seq 3) does not match its hash: its contents were altered.", verification.Problem);
    }

    [Theory]
    [InlineData("attempts = 'not json'", "The attempts column is not a JSON array of attempts")]
    [InlineData("attempts = '[{\"deployment\":\"gpt-eu-1\"}]'", "An attempt lacks one of")]
    [InlineData("attempts = '[{\"deployment\":\"gpt-eu-1\",\"destination\":null,\"outcome\":\"answered\",\"statusCode\":200,\"latencyMs\":1,\"extra\":1}]'", "unknown property 'extra'")]
    [InlineData("attempts = '[] []'", "The attempts column is not a JSON array of attempts")]
    [InlineData("streamed = 2", "The streamed column holds 2; only 0 and 1 are written.")]
    public async Task VerifyAsync_NewColumnUnreadable_ReportsThatRecordAsUnreadable(string assignment, string problem)
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        var records = await AppendManyAsync(store, 3);

        using (var connection = db.OpenForeignConnection())
        {
            Execute(connection, "DROP TRIGGER audit_records_no_update");
            Execute(connection, $"UPDATE audit_records SET {assignment} WHERE seq = 2");
        }

        var verification = await store.VerifyAsync(CancellationToken.None);

        Assert.False(verification.Valid);
        Assert.Equal(records[1].Id, verification.FirstBrokenRecord);
        Assert.Equal(1, verification.Records);
        Assert.StartsWith($"Record {records[1].Id} (seq 2) cannot be read: ", verification.Problem, StringComparison.Ordinal);
        Assert.Contains(problem, verification.Problem, StringComparison.Ordinal);
        await Assert.ThrowsAsync<FormatException>(() => store.GetAsync(records[1].Id, CancellationToken.None).AsTask());
    }

    [Theory]
    [InlineData(6)]
    [InlineData(0)]
    public async Task VerifyAsync_UnknownHashVersion_ReportsThatRecordAsUnverifiable(long version)
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        var records = await AppendManyAsync(store, 3);

        using (var connection = db.OpenForeignConnection())
        {
            Execute(connection, "DROP TRIGGER audit_records_no_update");
            Execute(connection, $"UPDATE audit_records SET hash_version = {version} WHERE seq = 2");
        }

        var verification = await store.VerifyAsync(CancellationToken.None);

        Assert.Equal(
            new AuditChainVerification(
                false,
                1,
                records[1].Id,
                $"Record {records[1].Id} (seq 2) has hash version {version}, which this gateway does not know: it cannot be verified."),
            verification);
    }

    [Fact]
    public async Task Store_DatabaseFromBeforeHashVersions_IsNotReadyAndRefusesAppendsWithAClearReason()
    {
        await using var db = new TempAuditDatabase();
        Directory.CreateDirectory(Path.GetDirectoryName(db.FilePath)!);
        using (var connection = db.OpenForeignConnection())
        {
            Execute(connection, "CREATE TABLE audit_records (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, timestamp TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL) STRICT");
        }

        var store = db.CreateStore();

        Assert.False(await store.IsReadyAsync(CancellationToken.None));
        var failure = await Assert.ThrowsAsync<AuditUnavailableException>(() => store.AppendAsync(AuditEntries.Create(1), CancellationToken.None).AsTask());
        var cause = Assert.IsType<InvalidDataException>(failure.InnerException);
        Assert.Contains("created by an earlier gateway version whose records carry no hash version", cause.Message, StringComparison.Ordinal);
        Assert.Contains(db.FilePath, cause.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_RowDeletedFromDatabase_ReportsRecordAfterTheGap()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        var records = await AppendManyAsync(store, 5);

        using (var connection = db.OpenForeignConnection())
        {
            Execute(connection, "DROP TRIGGER audit_records_no_delete");
            Execute(connection, "DELETE FROM audit_records WHERE seq = 3");
        }

        var verification = await store.VerifyAsync(CancellationToken.None);

        Assert.False(verification.Valid);
        Assert.Equal(records[3].Id, verification.FirstBrokenRecord);
        Assert.Contains("missing", verification.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_RowRewrittenWithRecomputedHash_ReportsTheNextRecord()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        var records = await AppendManyAsync(store, 4);

        // A careful forger recomputes record 2's own hash; record 3 still points at the original.
        var forged = records[1].Entry with { OutputSha256 = new string('f', 64) };
        using var hasher = new AuditChainHasher();
        var forgedHash = hasher.ComputeHash(records[1].Id, 2, forged, records[1].PreviousHash);
        using (var connection = db.OpenForeignConnection())
        {
            Execute(connection, "DROP TRIGGER audit_records_no_update");
            Execute(connection, $"UPDATE audit_records SET output_sha256 = '{forged.OutputSha256}', hash = '{forgedHash}' WHERE seq = 2");
        }

        var verification = await store.VerifyAsync(CancellationToken.None);

        Assert.False(verification.Valid);
        Assert.Equal(records[2].Id, verification.FirstBrokenRecord);
        Assert.Equal(2, verification.Records);
    }

    [Fact]
    public async Task AuditTable_UpdateOrDeleteThroughSql_IsRejected()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        await AppendManyAsync(store, 2);

        using var connection = db.OpenForeignConnection();

        var update = Assert.Throws<SqliteException>(() => Execute(connection, "UPDATE audit_records SET decision = 'denied'"));
        var delete = Assert.Throws<SqliteException>(() => Execute(connection, "DELETE FROM audit_records"));
        Assert.Contains("append-only", update.Message, StringComparison.Ordinal);
        Assert.Contains("append-only", delete.Message, StringComparison.Ordinal);
        Assert.True((await store.VerifyAsync(CancellationToken.None)).Valid);
    }

    [Fact]
    public async Task AppendAsync_DatabaseLockedByAnotherConnection_ThrowsAuditUnavailableThenRecovers()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore(busyTimeoutSeconds: 1);
        var first = await store.AppendAsync(AuditEntries.Create(1), CancellationToken.None);

        AuditUnavailableException failure;
        using (var locker = db.OpenForeignConnection())
        {
            Execute(locker, "BEGIN EXCLUSIVE");
            failure = await Assert.ThrowsAsync<AuditUnavailableException>(() => store.AppendAsync(AuditEntries.Create(2), CancellationToken.None).AsTask());
            Execute(locker, "ROLLBACK");
        }

        var next = await store.AppendAsync(AuditEntries.Create(3), CancellationToken.None);

        Assert.Contains("could not commit", failure.Message, StringComparison.Ordinal);
        Assert.IsType<SqliteException>(failure.InnerException);
        Assert.Equal(2, next.Sequence);
        Assert.Equal(first.Hash, next.PreviousHash);
        Assert.Equal(new AuditChainVerification(true, 2), await store.VerifyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task AppendAsync_LockedAfterACommitFailedOnTheLock_OneProbesOthersRefusedAtOnceThenRecovers()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore(busyTimeoutSeconds: 1);
        var first = await store.AppendAsync(AuditEntries.Create(1), CancellationToken.None);

        using (var locker = db.OpenForeignConnection())
        {
            Execute(locker, "BEGIN EXCLUSIVE");

            // The first commit learns of the lock the slow way: it waits the busy timeout.
            await Assert.ThrowsAsync<AuditUnavailableException>(() => store.AppendAsync(AuditEntries.Create(2), CancellationToken.None).AsTask());

            // Then one append at a time waits for the lock, and any other is refused without waiting.
            var probe = store.AppendAsync(AuditEntries.Create(3), CancellationToken.None).AsTask();
            var refused = store.AppendAsync(AuditEntries.Create(4), CancellationToken.None);
            Assert.True(refused.IsFaulted);
            var refusal = await Assert.ThrowsAsync<AuditUnavailableException>(() => refused.AsTask());
            Assert.Contains("locked by another process", refusal.Message, StringComparison.Ordinal);
            Assert.Equal(1, store.Backlog);

            await Assert.ThrowsAsync<AuditUnavailableException>(() => probe);
            Execute(locker, "ROLLBACK");
        }

        // The lock gone, the next append commits, and the ones after it are queued again as usual.
        var next = await store.AppendAsync(AuditEntries.Create(5), CancellationToken.None);
        var after = await Task.WhenAll(
            store.AppendAsync(AuditEntries.Create(6), CancellationToken.None).AsTask(),
            store.AppendAsync(AuditEntries.Create(7), CancellationToken.None).AsTask());

        Assert.Equal(2, next.Sequence);
        Assert.Equal(first.Hash, next.PreviousHash);
        Assert.Equal([3L, 4L], after.Select(r => r.Sequence).Order());
        Assert.Equal(new AuditChainVerification(true, 4), await store.VerifyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task IsReadyAsync_AfterACommitFailed_IsFalseUntilTheFileTakesACommitAgain()
    {
        // Fault round 27: a read passes while every commit fails (a full disk, the write lock held by another process),
        // and /readyz answered 200 while every call got 503 audit_unavailable.
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore(busyTimeoutSeconds: 1);
        await store.AppendAsync(AuditEntries.Create(1), CancellationToken.None);
        Assert.True(await store.IsReadyAsync(CancellationToken.None));

        using (var locker = db.OpenForeignConnection())
        {
            Execute(locker, "BEGIN IMMEDIATE");
            await Assert.ThrowsAsync<AuditUnavailableException>(() => store.AppendAsync(AuditEntries.Create(2), CancellationToken.None).AsTask());

            Assert.False(await store.IsReadyAsync(CancellationToken.None));
            Assert.False(await store.IsReadyAsync(CancellationToken.None));
            Execute(locker, "ROLLBACK");
        }

        // The probe's own commit succeeds: ready again with no call needed, and it added nothing to the trail.
        Assert.True(await store.IsReadyAsync(CancellationToken.None));
        var next = await store.AppendAsync(AuditEntries.Create(3), CancellationToken.None);
        Assert.Equal(2, next.Sequence);
        Assert.Equal(new AuditChainVerification(true, 2), await store.VerifyAsync(CancellationToken.None));
        Assert.True(await store.IsReadyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task AppendAsync_StoreReopenedOnSameFile_ContinuesTheChain()
    {
        await using var db = new TempAuditDatabase();
        var firstStore = db.CreateStore();
        var last = (await AppendManyAsync(firstStore, 3))[^1];
        await firstStore.DisposeAsync();

        var reopened = db.CreateStore();
        var next = await reopened.AppendAsync(AuditEntries.Create(4), CancellationToken.None);

        Assert.Equal(4, next.Sequence);
        Assert.Equal(last.Hash, next.PreviousHash);
        Assert.Equal(new AuditChainVerification(true, 4), await reopened.VerifyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task AppendAsync_CancelledToken_ThrowsWithoutWriting()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => store.AppendAsync(AuditEntries.Create(1), new CancellationToken(canceled: true)).AsTask());

        Assert.Equal(new AuditChainVerification(true, 0), await store.VerifyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task AppendAsync_LoneSurrogate_IsRejectedAndOthersStillCommit()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();

        var bad = store.AppendAsync(AuditEntries.Create(1) with { AppId = "app\uD800" }, CancellationToken.None).AsTask();
        var good = store.AppendAsync(AuditEntries.Create(2), CancellationToken.None).AsTask();

        await Assert.ThrowsAsync<ArgumentException>(() => bad);
        Assert.Equal(1, (await good).Sequence);
        Assert.True((await store.VerifyAsync(CancellationToken.None)).Valid);
    }

    [Fact]
    public async Task Constructor_DoesNoIo_DatabaseIsCreatedOnFirstUse()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();

        Assert.False(Directory.Exists(db.Folder));

        Assert.True(await store.IsReadyAsync(CancellationToken.None));
        Assert.True(File.Exists(db.FilePath));
        using var connection = db.OpenForeignConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", command.ExecuteScalar());
    }

    [Fact]
    public async Task IsReadyAsync_PathIsAFolder_ReturnsFalse()
    {
        await using var db = new TempAuditDatabase();
        Directory.CreateDirectory(db.FilePath);
        var store = db.CreateStore();

        Assert.False(await store.IsReadyAsync(CancellationToken.None));
        await Assert.ThrowsAsync<AuditUnavailableException>(() => store.AppendAsync(AuditEntries.Create(1), CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task QueryAsync_Filters_ReturnMatchingRecordsNewestFirst()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        var t0 = AuditEntries.BaseTime;
        AuditEntry[] entries =
        [
            AuditEntries.Create(0, useCase: "discharge-summary", app: "epic", patient: "pt_1", timestamp: t0),
            AuditEntries.Create(1, useCase: "coding", app: "epic", patient: "pt_2", timestamp: t0.AddMinutes(1)),
            AuditEntries.Create(2, useCase: "discharge-summary", app: "scribe", patient: "pt_1", timestamp: t0.AddMinutes(2)),
            AuditEntries.Create(3, useCase: "coding", app: "scribe", patient: "pt_3", timestamp: t0.AddMinutes(3)),
            AuditEntries.Create(4, useCase: "discharge-summary", app: "epic", patient: "pt_2", timestamp: t0.AddMinutes(4)),
        ];
        foreach (var entry in entries)
        {
            await store.AppendAsync(entry, CancellationToken.None);
        }

        async Task<string[]> Traces(AuditQuery query) =>
            [.. (await store.QueryAsync(query, CancellationToken.None)).Select(r => r.Entry.TraceId)];

        Assert.Equal(["trace-0004", "trace-0003", "trace-0002", "trace-0001", "trace-0000"], await Traces(new AuditQuery()));
        Assert.Equal(["trace-0004", "trace-0002", "trace-0000"], await Traces(new AuditQuery(UseCaseId: "discharge-summary")));
        Assert.Equal(["trace-0003", "trace-0002"], await Traces(new AuditQuery(AppId: "scribe")));
        Assert.Equal(["trace-0002", "trace-0000"], await Traces(new AuditQuery(PatientPseudonym: "pt_1")));
        Assert.Equal(["trace-0004"], await Traces(new AuditQuery(UseCaseId: "discharge-summary", AppId: "epic", PatientPseudonym: "pt_2")));
        Assert.Equal(["trace-0004", "trace-0003"], await Traces(new AuditQuery(Limit: 2)));

        // [From, To), and an offset other than UTC names the same instant.
        Assert.Equal(["trace-0002", "trace-0001"], await Traces(new AuditQuery(From: t0.AddMinutes(1), To: t0.AddMinutes(3))));
        Assert.Equal(["trace-0004", "trace-0003"], await Traces(new AuditQuery(From: t0.AddMinutes(3).ToOffset(TimeSpan.FromHours(-5)))));
        Assert.Empty(await Traces(new AuditQuery(UseCaseId: "unknown")));
    }

    [Fact]
    // 1001: the admin API's largest page (1000) plus the one record that tells whether another page follows.
    public async Task QueryAsync_LimitAboveMaximum_IsCappedAt1001()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        await Task.WhenAll(Enumerable.Range(0, 1005).Select(i => store.AppendAsync(AuditEntries.Create(i), CancellationToken.None).AsTask()));

        var records = await store.QueryAsync(new AuditQuery(Limit: 5000), CancellationToken.None);

        Assert.Equal(1001, records.Count);
        Assert.Equal(1005, records[0].Sequence);
        Assert.Equal(5, records[^1].Sequence);
    }

    internal static async Task<List<AuditRecord>> AppendManyAsync(SqliteAuditStore store, int count)
    {
        var records = new List<AuditRecord>();
        for (var i = 0; i < count; i++)
        {
            records.Add(await store.AppendAsync(AuditEntries.Create(i), CancellationToken.None));
        }

        return records;
    }

    private static AuditAttempt Attempt() => new("gpt-eu-1", "openai/primary", "answered", 200, 800);

    internal static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [Fact]
    public async Task AppendAsync_TokenAlreadyCancelled_CancelledAndNothingCommitted()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();

        var append = store.AppendAsync(AuditEntries.Create(1), new CancellationToken(canceled: true)).AsTask();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => append);
        Assert.True(append.IsCanceled);
        Assert.Empty(await store.QueryAsync(new AuditQuery(), CancellationToken.None));
    }

    [Fact]
    public async Task AppendAsync_AfterDispose_FailsAsDisposed()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        await store.DisposeAsync();

        var append = store.AppendAsync(AuditEntries.Create(1), CancellationToken.None).AsTask();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => append);
    }

    [Fact]
    public async Task AppendAsync_LongAndNonAsciiVerbatimTexts_RoundTripAsTextAndVerify()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();

        // Past the writer's own UTF-8 buffer (4 KB) and multi-byte: one text per binding path, both as UTF-8 text.
        var longText = string.Concat(Enumerable.Repeat("Blutdruck 120/80 mmHg, Übelkeit \u00e9\u4e2d\U0001F600; ", 400));
        var entry = AuditEntries.Create(1) with { InputText = longText, OutputText = "Kurz: \u00fcbel \U0001F600", UserId = "" };

        var appended = await store.AppendAsync(entry, CancellationToken.None);
        var read = await store.GetAsync(appended.Id, CancellationToken.None);

        Assert.Equal(entry, read?.Entry);
        using var connection = db.OpenForeignConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT typeof(input_text), length(CAST(input_text AS BLOB)), typeof(user_id), typeof(attempts) FROM audit_records";
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Equal("text", reader.GetString(0));
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(longText), reader.GetInt64(1));
        Assert.Equal("text", reader.GetString(2));
        Assert.Equal("text", reader.GetString(3));
        Assert.Equal(new AuditChainVerification(true, 1), await store.VerifyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task CommitBatch_InsertFailsMidBatch_NothingOfTheBatchStaysAndTheNextBatchContinuesTheChain()
    {
        await using var db = new TempAuditDatabase();
        var store = db.CreateStore();
        var first = await store.AppendAsync(AuditEntries.Create(1), CancellationToken.None);
        using (var connection = db.OpenForeignConnection())
        {
            Execute(connection, "CREATE TRIGGER refuse_poison BEFORE INSERT ON audit_records WHEN NEW.trace_id = 'poison' BEGIN SELECT RAISE(ABORT, 'poisoned'); END");
        }

        // Straight to the commit, without the writer loop, so the session that failed is the one that commits next.
        var failing = new[] { new PendingAppend(AuditEntries.Create(2)), new PendingAppend(AuditEntries.Create(3) with { TraceId = "poison" }) };
        var failure = await Assert.ThrowsAsync<SqliteException>(() => store.CommitBatchAsync(failing, CancellationToken.None));
        using (var connection = db.OpenForeignConnection())
        {
            Execute(connection, "DROP TRIGGER refuse_poison");
        }

        var next = await store.CommitBatchAsync([new PendingAppend(AuditEntries.Create(4))], CancellationToken.None);

        Assert.Contains("poisoned", failure.Message, StringComparison.Ordinal);
        Assert.Equal(2, next[0].Sequence);
        Assert.Equal(first.Hash, next[0].PreviousHash);
        Assert.Equal(new AuditChainVerification(true, 2), await store.VerifyAsync(CancellationToken.None));
    }
}
