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

    /// <summary>True once the database at the connection's path is not the one it has open, or its WAL is gone.</summary>
    public static bool HasMoved(SqliteConnection connection, string databasePath)
    {
        var moved = 0;
        var rc = FileControl(connection.Handle!.DangerousGetHandle(), "main", HasMovedOperation, ref moved);

        // A VFS that cannot tell answers SQLITE_NOTFOUND: then only the paths are looked at.
        if (rc == SqliteOk && moved != 0)
        {
            return true;
        }

        return !File.Exists(databasePath) || !File.Exists(databasePath + "-wal");
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
