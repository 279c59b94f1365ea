using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace XefAI.Governance.Reviews;

/// <summary>
/// The review queue on PostgreSQL, in the governance state database (<c>Governance:Postgres</c>), so a review
/// held on one replica can be decided on any. Held answers contain PHI and stay inside the gateway's trust
/// boundary; a decision is taken once (a conditional update), so two reviewers racing cannot both decide.
/// </summary>
internal sealed class PostgresReviewQueue : IReviewQueue, IAsyncDisposable, IDisposable
{
    // seq only orders reviews created in the same tick. Times are fixed-width UTC text, as in the state tables.
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS reviews (
            seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
            id text PRIMARY KEY,
            audit_id text NOT NULL,
            trace_id text NOT NULL,
            use_case text NOT NULL,
            app text NOT NULL,
            risk_tier integer NOT NULL,
            created_at text COLLATE "C" NOT NULL,
            status text NOT NULL,
            answer text NOT NULL,
            reviewer text,
            decided_at text COLLATE "C",
            comment text,
            released_answer text
        );
        CREATE INDEX IF NOT EXISTS reviews_status ON reviews (status, created_at, seq);
        CREATE INDEX IF NOT EXISTS reviews_audit ON reviews (audit_id);
        """;

    private const string IsComplete =
        "SELECT to_regclass('reviews') IS NOT NULL AND to_regclass('reviews_status') IS NOT NULL AND to_regclass('reviews_audit') IS NOT NULL";

    private const int MaxListLimit = 1000;

    private readonly TimeProvider _time;
    private readonly Lazy<NpgsqlDataSource> _dataSource;
    private readonly GovernancePostgresOptions? _postgres;
    private readonly OnceInitializer _schema = new();
    private int _disposed;

    // No I/O here, and no failure when unconfigured: it is constructed only when Governance:StateStore is postgres,
    // but a missing connection string is the validator's to report.
    public PostgresReviewQueue(IOptions<GovernanceOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var postgres = options.Value.Postgres;
        _postgres = postgres;
        _time = time;
        _dataSource = new Lazy<NpgsqlDataSource>(() => PostgresGovernanceStateSchema.CreateDataSource(postgres, "review queue"));
    }

    public async ValueTask<ReviewItem> EnqueueAsync(ReviewRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var item = ReviewRows.NewItem(request, _time);
        await using var command = new NpgsqlCommand(
            $"INSERT INTO reviews ({ReviewRows.Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, NULL, NULL, NULL, NULL)");
        var parameters = command.Parameters;
        PostgresGovernanceStateSchema.AddText(parameters, item.Id, nameof(item.Id));
        PostgresGovernanceStateSchema.AddText(parameters, item.AuditId, nameof(item.AuditId));
        PostgresGovernanceStateSchema.AddText(parameters, item.TraceId, nameof(item.TraceId));
        PostgresGovernanceStateSchema.AddText(parameters, item.UseCaseId, nameof(item.UseCaseId));
        PostgresGovernanceStateSchema.AddText(parameters, item.AppId, nameof(item.AppId));
        PostgresGovernanceStateSchema.Add(parameters, NpgsqlDbType.Integer, item.RiskTier);
        PostgresGovernanceStateSchema.AddText(parameters, GovernanceStateRows.FormatTime(item.CreatedAt), nameof(item.CreatedAt));
        PostgresGovernanceStateSchema.AddText(parameters, item.Answer, nameof(item.Answer));

        await using var connection = await OpenAsync(cancellationToken);
        command.Connection = connection;
        await command.ExecuteNonQueryAsync(cancellationToken);
        return item;
    }

    public async ValueTask<ReviewItem?> GetAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using var connection = await OpenAsync(cancellationToken);
        return await GetAsync(connection, id, cancellationToken);
    }

    public async ValueTask<ReviewItem?> FindByAuditIdAsync(string auditId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(auditId);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT {ReviewRows.Columns} FROM reviews WHERE audit_id = $1 ORDER BY seq LIMIT 1", connection);
        PostgresGovernanceStateSchema.AddText(command.Parameters, auditId, nameof(auditId));
        return await ReadOneAsync(command, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<ReviewItem>> ListAsync(ReviewStatus? status, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        if (status is { } filter)
        {
            command.CommandText = $"SELECT {ReviewRows.Columns} FROM reviews WHERE status = $1 ORDER BY created_at, seq LIMIT $2";
            PostgresGovernanceStateSchema.Add(command.Parameters, NpgsqlDbType.Text, ReviewRows.ToText(filter));
        }
        else
        {
            command.CommandText = $"SELECT {ReviewRows.Columns} FROM reviews ORDER BY created_at, seq LIMIT $1";
        }

        PostgresGovernanceStateSchema.Add(command.Parameters, NpgsqlDbType.Integer, Math.Clamp(limit, 1, MaxListLimit));
        var items = new List<ReviewItem>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(Read(reader));
        }

        return items;
    }

    public async ValueTask<ReviewItem> DecideAsync(string id, ReviewDecision decision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(decision);
        ReviewRows.ValidateDecision(decision);

        await using var connection = await OpenAsync(cancellationToken);
        var current = await GetAsync(connection, id, cancellationToken)
            ?? throw new ReviewDecisionException("unknown_review", $"No review '{id}'.");
        if (current.Status != ReviewStatus.Pending)
        {
            throw AlreadyDecided(current);
        }

        var released = ReviewRows.Released(current, decision);

        // A second reviewer's UPDATE waits for the first one's row lock, then finds the status no longer pending.
        await using var command = new NpgsqlCommand(
            $"""
            UPDATE reviews SET status = $1, reviewer = $2, decided_at = $3, comment = $4, released_answer = $5
            WHERE id = $6 AND status = 'pending'
            RETURNING {ReviewRows.Columns}
            """,
            connection);
        var parameters = command.Parameters;
        PostgresGovernanceStateSchema.Add(parameters, NpgsqlDbType.Text, ReviewRows.ToText(decision.Outcome));
        PostgresGovernanceStateSchema.AddText(parameters, decision.Reviewer, nameof(decision.Reviewer));
        PostgresGovernanceStateSchema.AddText(parameters, GovernanceStateRows.FormatTime(_time.GetUtcNow()), "DecidedAt");
        PostgresGovernanceStateSchema.AddText(parameters, decision.Comment, nameof(decision.Comment));
        PostgresGovernanceStateSchema.AddText(parameters, released, "ReleasedAnswer");
        PostgresGovernanceStateSchema.AddText(parameters, id, nameof(id));
        if (await ReadOneAsync(command, cancellationToken) is { } decided)
        {
            return decided;
        }

        // Lost the race: the message names the decision that won, read after it committed.
        var winner = await GetAsync(connection, id, cancellationToken) ?? current;
        throw AlreadyDecided(winner);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_dataSource.IsValueCreated)
        {
            await _dataSource.Value.DisposeAsync();
        }

        _schema.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static ReviewDecisionException AlreadyDecided(ReviewItem item) =>
        new("review_already_decided", $"Review '{item.Id}' was already {ReviewRows.ToText(item.Status)} by {item.Reviewer}; a decision is final.");

    private static async Task<ReviewItem?> GetAsync(NpgsqlConnection connection, string id, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT {ReviewRows.Columns} FROM reviews WHERE id = $1", connection);
        PostgresGovernanceStateSchema.AddText(command.Parameters, id, nameof(id));
        return await ReadOneAsync(command, cancellationToken);
    }

    private static async Task<ReviewItem?> ReadOneAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    private static ReviewItem Read(NpgsqlDataReader reader) => ReviewRows.Read(reader, GovernanceStateRows.ParseTime, ParseStatus);

    private static ReviewStatus ParseStatus(string text) => text switch
    {
        "pending" => ReviewStatus.Pending,
        "approved" => ReviewStatus.Approved,
        "edited" => ReviewStatus.Edited,
        "rejected" => ReviewStatus.Rejected,
        _ => throw new FormatException($"The reviews.status column holds '{text}', which is not a status the queue writes."),
    };

    private async ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await EnsureInitializedAsync(cancellationToken);
        return await _dataSource.Value.OpenConnectionAsync(cancellationToken);
    }

    private ValueTask EnsureInitializedAsync(CancellationToken cancellationToken) =>
        _schema.EnsureAsync(static (store, token) => store.CreateSchemaAsync(token), this, cancellationToken);

    private Task CreateSchemaAsync(CancellationToken cancellationToken) =>
        PostgresGovernanceStateSchema.CreateTableAsync(_postgres, _dataSource.Value, "review queue", IsComplete, Schema, cancellationToken);
}
