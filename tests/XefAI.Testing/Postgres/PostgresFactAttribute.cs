
namespace XefAI.Testing;

/// <summary>
/// A test against a real PostgreSQL (<see cref="PostgresServer"/>): skipped, with the reason, where the
/// binaries are missing, unless <see cref="PostgresServer.RequireVariable"/> demands it run (and fail).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (!PostgresServer.IsRequired && PostgresServer.UnavailableReason is { } reason)
        {
            Skip = reason;
        }
    }
}
