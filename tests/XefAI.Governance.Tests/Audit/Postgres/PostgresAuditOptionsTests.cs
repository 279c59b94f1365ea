namespace XefAI.Governance.Tests;

public sealed class PostgresAuditOptionsTests
{
    private const string Password = "s3cret-Pa55";

    [Fact]
    public void Validate_PostgresStoreWithoutConnectionString_Fails()
    {
        var result = new AuditOptionsValidator().Validate(null, new AuditOptions { Store = "Postgres" });

        Assert.True(result.Failed);
        Assert.Contains("Audit:Postgres:ConnectionString is required when Audit:Store is 'postgres'.", result.Failures!);
    }

    [Fact]
    public void Validate_PostgresStoreWithConnectionString_Succeeds()
    {
        var options = new AuditOptions
        {
            Store = "postgres",
            Postgres = new PostgresAuditOptions { ConnectionString = $"Host=db.internal;Database=audit;Username=gateway;Password={Password}" },
        };

        Assert.True(new AuditOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Validate_SqliteStoreWithoutPostgresConnectionString_Succeeds()
    {
        Assert.True(new AuditOptionsValidator().Validate(null, new AuditOptions()).Succeeded);
    }

    [Theory]
    [InlineData($"Host=db;Password={Password};Pasword={Password}", "pasword")]
    [InlineData($"Host=db;Password={Password};Port=x{Password}", "not a valid Npgsql connection string")]
    [InlineData($"Database=audit;Password={Password}", "must name a Host")]
    public void Validate_BadConnectionString_FailsWithoutShowingThePassword(string connectionString, string problem)
    {
        var options = new AuditOptions { Store = "postgres", Postgres = new PostgresAuditOptions { ConnectionString = connectionString } };

        var result = new AuditOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(problem, result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_OptionsHoldingAPassword_DoNotPrintIt()
    {
        var options = new AuditOptions { Postgres = new PostgresAuditOptions { ConnectionString = $"Host=db;Password={Password}" } };

        Assert.DoesNotContain(Password, options.ToString(), StringComparison.Ordinal);
        Assert.Contains("ConnectionString = (set, not shown)", options.ToString(), StringComparison.Ordinal);
    }
}
