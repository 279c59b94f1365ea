using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace XefAI.Governance;

/// <summary>
/// Whether the database file a connection writes to is still the file at its path. A file deleted (or renamed over)
/// while open keeps taking writes through the open descriptor, and every commit "succeeds", into a file no one will
/// find once the process ends: an audit trail that vanishes on restart. SQLite's own check
/// (<c>SQLITE_FCNTL_HAS_MOVED</c>: the path's inode against the open file's) covers the database; the write-ahead log
/// is checked by its path (deleted, its frames not yet copied into the database would be lost with the process).
/// </summary>
internal static class SqliteDatabaseFile
{
    private const int HasMovedOperation = 20; // SQLITE_FCNTL_HAS_MOVED
    private const int SqliteOk = 0;
    private const int SqliteReadOnly = 8;
    private const int SqliteReadOnlyDatabaseMoved = 1032; // SQLITE_READONLY_DBMOVED

    /// <summary>True once the database at the connection's path is not the one it has open, or its WAL is gone.</summary>
    /// <remarks>Only right after a write: a WAL exists from a connection's first transaction until the last one closes.</remarks>
    public static bool HasMoved(SqliteConnection connection, string databasePath) =>
        DatabaseHasMoved(connection) || !File.Exists(databasePath) || !File.Exists(databasePath + "-wal");

    /// <summary>
    /// Refuses a connection (a pooled one, typically) whose database is no longer the file at its path: what it wrote
    /// would go to a file no one finds after a restart (a kill switch thrown that comes undone, an answer held for
    /// review that disappears). The pool is cleared, so a later open finds the path as it now is.
    /// </summary>
    /// <exception cref="SqliteException">SQLite's own code for a moved database, SQLITE_READONLY_DBMOVED.</exception>
    public static void ThrowIfMoved(SqliteConnection connection, string databasePath, string what)
    {
        if (!DatabaseHasMoved(connection))
        {
            return;
        }

        SqliteConnection.ClearPool(connection);
        throw new SqliteException(
            $"The {what} database {databasePath} was deleted or replaced while the gateway had it open; nothing was read or written. Restore the file and restart the gateway.",
            SqliteReadOnly,
            SqliteReadOnlyDatabaseMoved);
    }

    private static bool DatabaseHasMoved(SqliteConnection connection)
    {
        var moved = 0;

        // A VFS that cannot tell answers SQLITE_NOTFOUND, and is taken at its word.
        return FileControl(connection.Handle!.DangerousGetHandle(), "main", HasMovedOperation, ref moved) == SqliteOk && moved != 0;
    }

    /// <summary>
    /// Where a deleted file the process still holds open can be copied back from (Linux: <c>/proc/PID/fd/N</c>), so a
    /// log line can tell an operator how to save the records in it before the process ends; empty elsewhere.
    /// </summary>
    public static IReadOnlyList<string> OpenDescriptorsOf(string databasePath)
    {
        var found = new List<string>();
        if (!OperatingSystem.IsLinux())
        {
            return found;
        }

        try
        {
            var directory = $"/proc/{Environment.ProcessId}/fd";
            foreach (var descriptor in Directory.EnumerateFiles(directory))
            {
                var target = new FileInfo(descriptor).LinkTarget;
                if (target is not null && target.StartsWith(databasePath, StringComparison.Ordinal))
                {
                    found.Add($"{descriptor} -> {target}");
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Only a hint for the log line; the refusal does not depend on it.
        }

        return found;
    }

    [DllImport("e_sqlite3", EntryPoint = "sqlite3_file_control", ExactSpelling = true, CallingConvention = CallingConvention.Cdecl)]
    private static extern int FileControl(IntPtr database, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, int operation, ref int argument);
}
