namespace XefAI.Governance;

/// <summary>
/// Creates the gateway's SQLite database files readable and writable by their owner only: they hold the audit trail
/// (verbatim texts at verbatim tiers), the review queue's held answers and the governance state.
/// </summary>
internal static class SqliteFiles
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

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
