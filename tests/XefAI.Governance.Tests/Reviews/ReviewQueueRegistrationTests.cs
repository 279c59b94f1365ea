using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using XefAI.Governance.Reviews;

namespace XefAI.Governance.Tests;

public sealed class ReviewQueueRegistrationTests
{
    [Theory]
    [InlineData(null, typeof(SqliteReviewQueue))]
    [InlineData("sqlite", typeof(SqliteReviewQueue))]
    [InlineData("Postgres", typeof(PostgresReviewQueue))]
    public async Task ReviewQueue_StateStoreKind_KeepsReviewsBesideTheGovernanceState(string? stateStore, Type expected)
    {
        var values = new Dictionary<string, string?> { ["Governance:Postgres:ConnectionString"] = "Host=db.internal;Database=governance" };
        if (stateStore is not null)
        {
            values["Governance:StateStore"] = stateStore;
        }

        // As the host has it: the review options bind from the IConfiguration in the container.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddXefAIGovernance(configuration);
        await using var provider = services.BuildServiceProvider();

        Assert.IsType(expected, provider.GetRequiredService<IReviewQueue>());
        Assert.Same(provider.GetRequiredService<IReviewQueue>(), provider.GetRequiredService<IReviewQueue>());
    }

    [Fact]
    public void AddXefAIGovernance_Twice_RegistersOneReviewQueueAndBothStateStores()
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationBuilder().Build();

        services.AddXefAIGovernance(configuration);
        services.AddXefAIGovernance(configuration);

        Assert.Single(services, d => d.ServiceType == typeof(IReviewQueue));
        Assert.Equal(
            [typeof(SqliteGovernanceStateStore), typeof(PostgresGovernanceStateStore)],
            services.Where(d => d.ServiceType == typeof(IGovernanceStateStore)).Select(d => d.ImplementationType));
    }
}
