using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace XefAI.Governance.Reviews;

/// <summary>
/// The review queue on SQLite. Held answers contain PHI and stay inside the gateway's trust boundary; a
/// decision is taken once (a conditional update), so two reviewers racing cannot both decide.
/// </summary>
internal sealed class SqliteReviewQueue : IReviewQueue
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS reviews (
            id TEXT PRIMARY KEY,
            audit_id TEXT NOT NULL,
            trace_id TEXT NOT NULL,
            use_case TEXT NOT NULL,
            app TEXT NOT NULL,
            risk_tier INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            status TEXT NOT NULL,
            answer TEXT NOT NULL,
            reviewer TEXT,
            decided_at TEXT,
            comment TEXT,
            released_answer TEXT
        );
        CREATE INDEX IF NOT EXISTS reviews_status ON reviews (status, created_at);
        CREATE INDEX IF NOT EXISTS reviews_audit ON reviews (audit_id);
        """;

    private readonly string _connectionString;
    private readonly string _createConnectionString;
    private readonly TimeProvider _time;
    private readonly OnceInitializer _schema = new();
    private readonly string _path;

    public SqliteReviewQueue(IOptions<ReviewOptions> options, TimeProvider time, IHostEnvironment? environment = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = System.IO.Path.GetFullPath(options.Value.Path, environment?.ContentRootPath ?? Directory.GetCurrentDirectory());
        (_connectionString, _createConnectionString) = SqliteFiles.ConnectionStrings(path, options.Value.BusyTimeoutSeconds);
        _time = time;
        _path = path;
    }

    public async ValueTask<ReviewItem> EnqueueAsync(ReviewRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var item = ReviewRows.NewItem(request, _time);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO reviews ({ReviewRows.Columns}) VALUES ($id, $audit, $trace, $use_case, $app, $tier, $created, 'pending', $answer, NULL, NULL, NULL, NULL)";
        command.Parameters.AddWithValue("$id", item.Id);
        command.Parameters.AddWithValue("$audit", item.AuditId);
        command.Parameters.AddWithValue("$trace", item.TraceId);
        command.Parameters.AddWithValue("$use_case", item.UseCaseId);
        command.Parameters.AddWithValue("$app", item.AppId);
        command.Parameters.AddWithValue("$tier", item.RiskTier);
        command.Parameters.AddWithValue("$created", item.CreatedAt.ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$answer", item.Answer);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return item;
    }

    public async ValueTask<ReviewItem?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await GetAsync(connection, id, cancellationToken);
    }

    public async ValueTask<ReviewItem?> FindByAuditIdAsync(string auditId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {ReviewRows.Columns} FROM reviews WHERE audit_id = $audit LIMIT 1";
        command.Parameters.AddWithValue("$audit", auditId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async ValueTask<IReadOnlyList<ReviewItem>> ListAsync(ReviewStatus? status, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {ReviewRows.Columns} FROM reviews {(status is null ? string.Empty : "WHERE status = $status")} ORDER BY created_at LIMIT $limit";
        if (status is { } s)
        {
            command.Parameters.AddWithValue("$status", ReviewRows.ToText(s));
        }

        command.Parameters.AddWithValue("$limit", Math.Clamp(limit, 1, 1000));
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
        ArgumentNullException.ThrowIfNull(decision);
        ReviewRows.ValidateDecision(decision);

        await using var connection = await OpenAsync(cancellationToken);
        var current = await GetAsync(connection, id, cancellationToken)
            ?? throw new ReviewDecisionException("unknown_review", $"No review '{id}'.");
        var released = ReviewRows.Released(current, decision);

        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE reviews SET status = $status, reviewer = $reviewer, decided_at = $decided, comment = $comment, released_answer = $released
            WHERE id = $id AND status = 'pending'
            """;
        command.Parameters.AddWithValue("$status", ReviewRows.ToText(decision.Outcome));
        command.Parameters.AddWithValue("$reviewer", decision.Reviewer);
        command.Parameters.AddWithValue("$decided", _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$comment", (object?)decision.Comment ?? DBNull.Value);
        command.Parameters.AddWithValue("$released", (object?)released ?? DBNull.Value);
        command.Parameters.AddWithValue("$id", id);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            // Re-read: a reviewer who lost a race must be told the decision that won, not the pending state seen before.
            var decided = await GetAsync(connection, id, cancellationToken) ?? current;
            throw new ReviewDecisionException(
                "review_already_decided", $"Review '{id}' was already {ReviewRows.ToText(decided.Status)} by {decided.Reviewer}; a decision is final.");
        }

        return (await GetAsync(connection, id, cancellationToken))!;
    }

    private static async Task<ReviewItem?> GetAsync(SqliteConnection connection, string id, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {ReviewRows.Columns} FROM reviews WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    private static ReviewItem Read(SqliteDataReader reader) => ReviewRows.Read(reader, ParseTime, ParseStatus);

    private static DateTimeOffset ParseTime(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private static ReviewStatus ParseStatus(string text) => Enum.Parse<ReviewStatus>(text, ignoreCase: true);

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken);
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            SqliteDatabaseFile.ThrowIfMoved(connection, _path, "review queue");
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private ValueTask EnsureInitializedAsync(CancellationToken cancellationToken) =>
        _schema.EnsureAsync(static (queue, _) => queue.InitializeAsync(queue._path), this, cancellationToken);

    private async Task InitializeAsync(string path)
    {
        SqliteFiles.CreateOwnerOnly(path);
        await using var connection = new SqliteConnection(_createConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;" + Schema;
        await command.ExecuteNonQueryAsync();
    }
}
