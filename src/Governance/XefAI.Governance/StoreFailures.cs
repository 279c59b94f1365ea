using Microsoft.Data.Sqlite;
using Npgsql;

namespace XefAI.Governance;

/// <summary>
/// Tells a store that ran out of time from one that refused, so a refusal can say which: "did not answer in time" is
/// true of a lock held past the busy timeout or a statement or command timeout, and false of a permission error, a
/// read-only, moved or deleted database file, a full disk or a driver fault, which waiting does not cure.
/// </summary>
public static class StoreFailures
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    /// <summary>True when the failure, or one it wraps, is a wait that ran out.</summary>
    public static bool IsTimeout(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        for (var cause = exception; cause is not null; cause = cause.InnerException)
        {
            // Microsoft.Data.Sqlite retries a busy lock until the command timeout, then throws SQLITE_BUSY; PostgreSQL
            // ends a statement past statement_timeout (57014) or lock_timeout (55P03); Npgsql wraps its own command
            // timeout's TimeoutException.
            if (cause is TimeoutException
                or SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked }
                or PostgresException { SqlState: PostgresErrorCodes.QueryCanceled or PostgresErrorCodes.LockNotAvailable })
            {
                return true;
            }
        }

        return false;
    }
}
