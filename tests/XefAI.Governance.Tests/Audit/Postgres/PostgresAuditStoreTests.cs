using XefAI.Testing;

namespace XefAI.Governance.Tests;

/// <summary>
/// The PostgreSQL store against a real server: what goes in comes out, and queries find it. Each test has
/// an empty schema of the class's database.
/// </summary>
public sealed class PostgresAuditStoreTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [PostgresFact]
    public async Task AppendAsync_ThenGetAsync_ReturnsSameFields()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
        var entry = AuditEntries.Create(1) with
        {
            // Not UTC, sub-microsecond (timestamptz would drop it) and with an awkward double: all must round-trip.
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
        VerificationAssert.AssertIntact(1, await store.VerifyAsync(CancellationToken.None));
    }

    [PostgresFact]
    public async Task AppendAsync_AttemptsCostAndStreamed_RoundTripThroughGetAndQuery()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
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
            Assert.Equal(entry, record.Entry with { Attempts = attempts });
        }

        Assert.Equal(
            """[{"deployment":"gpt-eu-1","destination":"openai/primary","outcome":"vendor_timeout","statusCode":null,"latencyMs":30000.5},""" +
            """{"deployment":"gpt-eu-1","destination":"openai/secondary","outcome":"vendor_error","statusCode":503,"latencyMs":0.30000000000000004},""" +
            """{"deployment":"local-extractive","destination":null,"outcome":"answered","statusCode":null,"latencyMs":12.75}]""",
            await schema.ScalarAsync("SELECT attempts FROM audit_records"));
        VerificationAssert.AssertIntact(1, await store.VerifyAsync(CancellationToken.None));
    }

    [PostgresFact]
    public async Task AppendAsync_NullableFieldsLeftOut_RoundTripsAsNull()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
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
        Assert.Null(await store.GetAsync("aud_00000000000000000000000000", CancellationToken.None));
        Assert.True((await store.VerifyAsync(CancellationToken.None)).Valid);
    }

    [PostgresFact]
    public async Task AppendAsync_NulCharacter_IsRejectedAndOthersStillCommit()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();

        var bad = store.AppendAsync(AuditEntries.Create(1) with { Model = "gpt\0" }, CancellationToken.None).AsTask();
        var good = store.AppendAsync(AuditEntries.Create(2) with { Attempts = [new("gpt\0", null, "answered", 200, 1)] }, CancellationToken.None).AsTask();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => bad);
        Assert.Contains("Model contains a NUL character", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await good).Sequence);
        Assert.Equal("gpt\0", (await store.GetAsync((await good).Id, CancellationToken.None))!.Entry.Attempts[0].Deployment);
        VerificationAssert.AssertIntact(1, await store.VerifyAsync(CancellationToken.None));
    }

    [PostgresFact]
    public async Task AppendAsync_InvalidEntry_IsRejectedByTheSharedGuard()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();

        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(AuditEntries.Create(1) with { CostUsd = double.NaN }, CancellationToken.None).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(AuditEntries.Create(1) with { AppId = "app\uD800" }, CancellationToken.None).AsTask());
        var zero = await store.AppendAsync(AuditEntries.Create(1) with { LatencyMs = -0.0 }, CancellationToken.None);

        Assert.False(double.IsNegative((await store.GetAsync(zero.Id, CancellationToken.None))!.Entry.LatencyMs));
        VerificationAssert.AssertIntact(1, await store.VerifyAsync(CancellationToken.None));
    }

    [PostgresFact]
    public async Task Constructor_DoesNoIo_SchemaIsCreatedOnFirstUse()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();

        Assert.Equal(false, await schema.ScalarAsync("SELECT to_regclass('audit_records') IS NOT NULL"));
        Assert.True(await store.IsReadyAsync(CancellationToken.None));
        Assert.Equal(true, await schema.ScalarAsync("SELECT to_regclass('audit_records') IS NOT NULL"));
        Assert.Equal(9L, await schema.ScalarAsync(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid IN (to_regclass('audit_records'), to_regclass('audit_chains'), " +
            "to_regclass('audit_checkpoints'), to_regclass('audit_verified_checkpoints')) AND NOT tgisinternal"));
    }

    [Fact]
    public async Task Store_WithoutConnectionString_ConstructsButRefusesAppendsWithTheOptionsName()
    {
        // Scanning constructs every store, selected or not, so an unconfigured one must not throw until used.
        await using var store = TempPostgresAuditSchema.CreateStore(connectionString: null);

        Assert.False(await store.IsReadyAsync(CancellationToken.None));
        var failure = await Assert.ThrowsAsync<AuditUnavailableException>(() => store.AppendAsync(AuditEntries.Create(1), CancellationToken.None).AsTask());
        Assert.Contains("Audit:Postgres:ConnectionString", Assert.IsType<InvalidOperationException>(failure.InnerException).Message, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task QueryAsync_Filters_ReturnMatchingRecordsNewestFirst()
    {
        await using var schema = await TempPostgresAuditSchema.CreateAsync(database);
        var store = schema.CreateStore();
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
        Assert.Equal(["trace-0004"], await Traces(new AuditQuery(Limit: -5)));

        // [From, To), and an offset other than UTC names the same instant.
        Assert.Equal(["trace-0002", "trace-0001"], await Traces(new AuditQuery(From: t0.AddMinutes(1), To: t0.AddMinutes(3))));
        Assert.Equal(["trace-0004", "trace-0003"], await Traces(new AuditQuery(From: t0.AddMinutes(3).ToOffset(TimeSpan.FromHours(-5)))));
        Assert.Empty(await Traces(new AuditQuery(UseCaseId: "unknown")));
    }
}
