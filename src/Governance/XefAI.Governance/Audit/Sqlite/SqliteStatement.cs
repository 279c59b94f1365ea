using System.Buffers;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace XefAI.Governance;

/// <summary>
/// One statement that returns no rows, prepared once on an open connection and stepped again and again, its
/// parameters bound by index straight from values and UTF-8 bytes. Unlike a prepared <see cref="SqliteCommand"/>, an
/// execution costs no data reader, no statement enumerator and no parameter-name lookup or string encoding per
/// parameter. Failures are thrown as <see cref="SqliteException"/>, as the provider throws them. Not thread-safe.
/// </summary>
/// <remarks>
/// Busy locks are not retried here: the connection's busy timeout (<c>sqlite3_busy_timeout</c>) does that inside
/// SQLite. Dispose every statement before its connection.
/// </remarks>
internal sealed class SqliteStatement : IDisposable
{
    // Texts up to this many UTF-8 bytes are encoded into the statement's own buffer; longer ones into a rented one.
    private const int OwnBufferBytes = 4096;

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly byte[] _utf8 = new byte[OwnBufferBytes];

    private SqliteStatement(sqlite3 db, sqlite3_stmt statement)
    {
        _db = db;
        _statement = statement;
    }

    /// <exception cref="SqliteException">SQLite could not prepare <paramref name="sql"/>.</exception>
    public static SqliteStatement Prepare(SqliteConnection connection, string sql)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var db = connection.Handle ?? throw new InvalidOperationException("The connection must be open to prepare a statement on it.");
        var rc = raw.sqlite3_prepare_v3(db, sql, raw.SQLITE_PREPARE_PERSISTENT, out var statement);
        if (rc != raw.SQLITE_OK)
        {
            statement?.Dispose();
            SqliteException.ThrowExceptionForRC(rc, db);
        }

        // SQL of only whitespace or comments prepares to no statement.
        return new SqliteStatement(db, statement ?? throw new ArgumentException("The SQL holds no statement.", nameof(sql)));
    }

    /// <summary>The 1-based index of the parameter named <paramref name="name"/> (with its prefix), 0 when there is none.</summary>
    public int ParameterIndex(string name) => raw.sqlite3_bind_parameter_index(_statement, name);

    public int ParameterCount => raw.sqlite3_bind_parameter_count(_statement);

    public void BindNull(int index) => Check(raw.sqlite3_bind_null(_statement, index));

    public void BindInt64(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

    public void BindInt64(int index, long? value)
    {
        if (value is { } number)
        {
            BindInt64(index, number);
        }
        else
        {
            BindNull(index);
        }
    }

    public void BindDouble(int index, double value) => Check(raw.sqlite3_bind_double(_statement, index, value));

    public void BindDouble(int index, double? value)
    {
        if (value is { } number)
        {
            BindDouble(index, number);
        }
        else
        {
            BindNull(index);
        }
    }

    /// <summary>Binds UTF-8 text; SQLite copies it, so the bytes may be reused as soon as this returns.</summary>
    public void BindText(int index, ReadOnlySpan<byte> utf8) => Check(raw.sqlite3_bind_text(_statement, index, utf8));

    /// <summary>Binds a string as UTF-8 text, encoded as the provider encodes it; null binds NULL.</summary>
    public void BindText(int index, string? value)
    {
        if (value is null)
        {
            BindNull(index);
            return;
        }

        if (value.Length <= OwnBufferBytes / 3)
        {
            BindText(index, _utf8.AsSpan(0, Encoding.UTF8.GetBytes(value, _utf8)));
            return;
        }

        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetByteCount(value));
        try
        {
            BindText(index, rented.AsSpan(0, Encoding.UTF8.GetBytes(value, rented)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Runs the statement to its end and makes it ready for the next execution, its bindings cleared (so a long text is
    /// not kept alive in SQLite's copy).
    /// </summary>
    /// <exception cref="SqliteException">The statement failed, or was busy beyond the connection's busy timeout.</exception>
    public void Execute()
    {
        var rc = raw.sqlite3_step(_statement);
        try
        {
            if (rc == raw.SQLITE_ROW)
            {
                throw new InvalidOperationException("A statement executed without reading returned a row.");
            }

            if (rc != raw.SQLITE_DONE)
            {
                // Before the reset, while the connection still holds this failure's message.
                SqliteException.ThrowExceptionForRC(rc, _db);
            }
        }
        finally
        {
            raw.sqlite3_reset(_statement);
            raw.sqlite3_clear_bindings(_statement);
        }
    }

    public void Dispose() => _statement.Dispose();

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}
