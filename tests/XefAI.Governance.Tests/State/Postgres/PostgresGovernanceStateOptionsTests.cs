using Microsoft.Extensions.Logging.Abstractions;

namespace XefAI.Governance.Tests;

public sealed class PostgresGovernanceStateOptionsTests
{
    private const string Password = "s3cret-Pa55";

    [Fact]
    public void Validate_PostgresStoreWithoutConnectionString_Fails()
    {
        var result = Validate(new GovernanceOptions { StateStore = "Postgres" });

        Assert.True(result.Failed);
        Assert.Equal(["Governance:Postgres:ConnectionString is required when Governance:StateStore is 'postgres'."], result.Failures);
    }

    [Fact]
    public void Validate_PostgresStoreWithConnectionString_Succeeds()
    {
        var options = new GovernanceOptions
        {
            StateStore = "postgres",
            Postgres = new GovernancePostgresOptions { ConnectionString = $"Host=db.internal;Database=governance;Username=gateway;Password={Password}" },
        };

        Assert.True(Validate(options).Succeeded);
    }

    [Fact]
    public void Validate_SqliteStoreWithoutPostgresConnectionString_Succeeds()
    {
        Assert.True(Validate(new GovernanceOptions()).Succeeded);
    }

    [Theory]
    [InlineData($"Host=db;Password={Password};Pasword={Password}", "pasword")]
    [InlineData($"Host=db;Password={Password};Port=x{Password}", "not a valid Npgsql connection string")]
    [InlineData($"Database=governance;Password={Password}", "must name a Host")]
    public void Validate_BadConnectionString_FailsWithoutShowingThePassword(string connectionString, string problem)
    {
        var options = new GovernanceOptions { StateStore = "postgres", Postgres = new GovernancePostgresOptions { ConnectionString = connectionString } };

        var result = Validate(options);

        Assert.True(result.Failed);
        Assert.Contains(problem, result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(301)]
    public void Validate_CommandTimeoutOutOfRange_FailsNamingTheKeyAndRange(int seconds)
    {
        var options = new GovernanceOptions
        {
            StateStore = "postgres",
            Postgres = new GovernancePostgresOptions { ConnectionString = $"Host=db;Password={Password}", CommandTimeoutSeconds = seconds },
        };

        var result = Validate(options);

        Assert.True(result.Failed);
        Assert.Equal([$"Governance:Postgres:CommandTimeoutSeconds must be from 1 to 300, not {seconds}."], result.Failures);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(300)]
    public void Validate_CommandTimeoutAtTheEndsOfTheRange_Succeeds(int seconds)
    {
        var options = new GovernanceOptions
        {
            StateStore = "postgres",
            Postgres = new GovernancePostgresOptions { ConnectionString = "Host=db", CommandTimeoutSeconds = seconds },
        };

        Assert.True(Validate(options).Succeeded);
        Assert.Equal(5, new GovernancePostgresOptions().CommandTimeoutSeconds);
    }

    [Fact]
    public void ToString_OptionsHoldingAPassword_DoNotPrintIt()
    {
        var options = new GovernanceOptions { Postgres = new GovernancePostgresOptions { ConnectionString = $"Host=db;Password={Password}" } };

        Assert.DoesNotContain(Password, options.ToString(), StringComparison.Ordinal);
        Assert.Contains("ConnectionString = (set, not shown)", options.ToString(), StringComparison.Ordinal);
    }

    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(GovernanceOptions options) =>
        new GovernanceOptionsValidator(NullLogger<GovernanceOptionsValidator>.Instance).Validate(null, options);
}
