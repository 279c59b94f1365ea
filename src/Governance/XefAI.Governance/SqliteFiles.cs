using Microsoft.Data.Sqlite;

namespace XefAI.Governance;

/// <summary>
/// Creates the gateway's SQLite database files readable and writable by their owner only: they hold the audit trail
/// (verbatim texts at verbatim tiers), the review queue's held answers and the governance state.
/// </summary>
internal static class SqliteFiles
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// A store's two connection strings: the one its schema's creation opens, which may create the file, and the one
    /// every later operation opens, which may not. A file deleted under the running gateway then stays missing, and its
    /// stores refuse (SQLITE_CANTOPEN), rather than SQLite making an empty file in its place with the process's default
    /// permissions, which a restart would take as the store and fill with held answers and state others may read.
    /// </summary>
    public static (string Open, string Create) ConnectionStrings(string databasePath, int busyTimeoutSeconds)
    {
        // Microsoft.Data.Sqlite retries a busy lock until the command timeout.
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWrite,
            DefaultTimeout = busyTimeoutSeconds,
            Pooling = true,
        };
        var open = builder.ToString();
        builder.Mode = SqliteOpenMode.ReadWriteCreate;
        return (open, builder.ToString());
    }

    /// <summary>
    /// Creates the folder and an empty database file with owner-only permissions, unless the file exists (its
    /// permissions are then the operator's). SQLite gives the journal and WAL files the database file's permissions.
    /// </summary>
    public static void CreateOwnerOnly(string databasePath)
    {
        var directory = Path.GetDirectoryName(databasePath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        if (OperatingSystem.IsWindows() || File.Exists(databasePath))
        {
            return;
        }

        try
        {
            using var file = new FileStream(
                databasePath, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly });
        }
        catch (IOException) when (File.Exists(databasePath))
        {
            // Another store or process created it first.
        }
    }
}
