
namespace XefAI.Testing;

/// <summary>The theory form of <see cref="PostgresFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute()
    {
        if (!PostgresServer.IsRequired && PostgresServer.UnavailableReason is { } reason)
        {
            Skip = reason;
        }
    }
}
