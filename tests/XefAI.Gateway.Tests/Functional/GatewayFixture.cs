using XefAI.Testing;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>One gateway and one fake vendor (under a BAA) shared by tests that do not change configuration.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public FakeVendor Vendor { get; } = new FakeVendor().AnswersWithExample();

    public GatewayHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(Vendor.Configure));

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        Vendor.Dispose();
    }
}
