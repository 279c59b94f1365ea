using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace XefAI.Governance;

/// <summary>
/// Where an audit trail ended when this gateway last looked: the seq, id and hash of the last record it committed, in a
/// small file outside the database (<c>data/audit.anchor</c> for SQLite's <c>data/audit.db</c>, so
/// <c>rm data/audit.db*</c> leaves it; <c>data/audit-postgres.anchor</c> for PostgreSQL, one per replica). A trail is
/// checked against it when the store opens: a database deleted or dropped while the gateway was stopped, replaced by
/// another trail, or restored from a copy older than the last commit no longer holds that record, and is refused
/// instead of being taken as a new trail. The anchor is written at most once per <see cref="Interval"/> after a commit
/// (one small synced write a second at most; after a power loss it may be older, which is still a record the trail
/// holds: the record is committed before its anchor) and when the store closes. It is not keyed: someone who can edit
/// both the anchor and the trail can make them agree; it catches loss and mix-ups, as an external copy of the
/// verifications does more. Writing it never fails a batch or a close: a failure is logged (in full once every 30 s) and
/// the next write tries again.
/// </summary>
internal sealed partial class AuditTrailAnchor(string path, TimeProvider time, ILogger? logger = null)
{
    /// <summary>Longest time a committed head waits before the anchor says so.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private (long Sequence, string Id, string Hash)? _head;
    private long _written = -1;
    private long _writtenAt;
    private readonly RepeatedFailures _failures = new(time);
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public string Path { get; } = path;

    /// <summary>The anchor's path for a SQLite database: the database's own name with the extension <c>.anchor</c>.</summary>
    public static string For(string databasePath) => System.IO.Path.ChangeExtension(databasePath, ".anchor");

    /// <summary>
    /// The default anchor of a PostgreSQL trail: <c>audit-postgres.anchor</c> in the folder of the SQLite database path
    /// (the data directory), which the SQLite store leaves unused when PostgreSQL is configured.
    /// </summary>
    public static string ForPostgres(string sqliteDatabasePath) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(sqliteDatabasePath) ?? string.Empty, "audit-postgres.anchor");

    /// <summary>What the anchor says, or null when there is none.</summary>
    /// <exception cref="InvalidDataException">The file is there but is not an anchor this gateway wrote.</exception>
    public Mark? Read()
    {
        string json;
        try
        {
            json = File.ReadAllText(Path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var mark = new Mark(root.GetProperty("seq").GetInt64(), root.GetProperty("id").GetString()!, root.GetProperty("hash").GetString()!);
            return mark.Sequence > 0 && mark.Hash.Length > 0 ? mark : throw new InvalidDataException("empty mark");
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or InvalidDataException or FormatException)
        {
            throw new InvalidDataException(
                $"The audit trail anchor {Path} cannot be read as one; move it aside if the audit database is the one the gateway wrote.", ex);
        }
    }

    /// <summary>The writer loop committed up to <paramref name="last"/>: the anchor follows, at most once per interval.</summary>
    public void Committed(AuditRecord last)
    {
        _head = (last.Sequence, last.Id, last.Hash);
        var now = time.GetTimestamp();
        if (_written < 0 || time.GetElapsedTime(_writtenAt, now) >= Interval)
        {
            Write(now);
        }
    }

    /// <summary>The trail's head as it is, written now (a store opening on a trail with no anchor yet).</summary>
    public void Set(long sequence, string id, string hash)
    {
        _head = (sequence, id, hash);
        Write(time.GetTimestamp());
    }

    /// <summary>Writes the last committed head if the anchor does not say it yet (the store is closing).</summary>
    public void Flush()
    {
        if (_head is { } head && head.Sequence != _written)
        {
            Write(time.GetTimestamp());
        }
    }

    private void Write(long now)
    {
        try
        {
            WriteHead(now);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (_failures.TakeInFull())
            {
                LogWriteFailed(_logger, Path, ex);
            }
        }
    }

    private void WriteHead(long now)
    {
        var (sequence, id, hash) = _head!.Value;
        // Per process: two gateways on one file (each anchors its own head, both records of the trail) never share it.
        // The data directory may not exist yet where nothing else is kept in it (a PostgreSQL trail's replica).
        if (System.IO.Path.GetDirectoryName(Path) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        var temporary = Path + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".tmp";
        var json = string.Create(
            CultureInfo.InvariantCulture,
            $$"""{"seq":{{sequence}},"id":"{{id}}","hash":"{{hash}}","at":"{{time.GetUtcNow():O}}"}""");
        try
        {
            using (var file = new FileStream(
                temporary,
                OperatingSystem.IsWindows()
                    ? new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write }
                    : new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = OwnerOnly }))
            {
                using (var writer = new StreamWriter(file, leaveOpen: true))
                {
                    writer.Write(json);
                }

                // On disk before the rename: a power loss leaves the old anchor or the new one, never an empty file.
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, Path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A full disk creates the file and fails its write: no zero-byte audit.anchor.<pid>.tmp is left behind.
            DeleteQuietly(temporary);
            throw;
        }

        _written = sequence;
        _writtenAt = now;
    }

    private static void DeleteQuietly(string temporary)
    {
        try
        {
            File.Delete(temporary);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The write's own failure is the one logged; the next write creates the same file anew.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The audit trail anchor {Path} could not be written; the trail is not checked against a newer head at the next start until it is.")]
    private static partial void LogWriteFailed(ILogger logger, string path, Exception exception);

    /// <summary>The last record of the trail, as the anchor remembers it.</summary>
    public sealed record Mark(long Sequence, string Id, string Hash);
}
