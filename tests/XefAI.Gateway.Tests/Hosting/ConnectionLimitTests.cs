using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using XefAI.Gateway.Hosting;
using XefAI.Gateway.Tests.Functional;

namespace XefAI.Gateway.Tests.Hosting;

/// <summary>
/// Client connections stay within the open-file limit: at 1,500 connections under <c>ulimit -n 1024</c> the runtime
/// could not start a thread, printed "Out of memory." and aborted.
/// </summary>
public sealed class ConnectionLimitTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const string Limits = """
        Limit                     Soft Limit           Hard Limit           Units
        Max cpu time              unlimited            unlimited            seconds
        Max open files            1024                 524288               files
        Max locked memory         8388608              8388608              bytes
        """;

    [Fact]
    public void SoftOpenFileLimit_OfProcLimits_IsTheSoftColumn() =>
        Assert.Equal(1024, ConnectionLimit.SoftOpenFileLimit(Limits));

    [Fact]
    public void SoftOpenFileLimit_Unlimited_IsNone() =>
        Assert.Null(ConnectionLimit.SoftOpenFileLimit("Max open files            unlimited            unlimited            files\n"));

    [Fact]
    public void For_ALowLimit_LeavesTheReserveAndHalfTheRestForVendorConnections()
    {
        // 1024 descriptors, 330 open at start (the loaded assemblies hold most): (1024 - 330 - 256) / 2.
        Assert.Equal(219, ConnectionLimit.For(1024, 330));
        Assert.Equal(ConnectionLimit.Minimum, ConnectionLimit.For(256, 330));
    }

    [Fact]
    public void Gateway_OnLinux_GatesItsConnectionsBelowItsOpenFileLimit()
    {
        // Elsewhere (no /proc), or with no limit at all, there is nothing to cap.
        var soft = OperatingSystem.IsLinux() ? ConnectionLimit.SoftOpenFileLimit(File.ReadAllText("/proc/self/limits")) : null;
        if (soft is null)
        {
            return;
        }

        var gate = Assert.IsType<ConnectionGate>(fixture.Host.Services.GetRequiredService<IConnectionListenerFactory>());

        Assert.InRange(gate.Capacity, ConnectionLimit.Minimum, (int)Math.Max(ConnectionLimit.Minimum, (soft.Value - ConnectionLimit.Reserve) / 2));
        Assert.InRange(gate.Open, 0, gate.Capacity);
    }

    [Fact]
    public async Task Gate_Full_AcceptsTheNextConnectionOnlyOnceOneCloses()
    {
        var gate = new ConnectionGate(new EndlessTransport(), capacity: 2);
        await using var listener = await gate.BindAsync(new IPEndPoint(IPAddress.Loopback, 0));
        var first = await listener.AcceptAsync();
        var second = await listener.AcceptAsync();

        var third = listener.AcceptAsync();

        Assert.False(third.IsCompleted);
        Assert.Equal(2, gate.Open);
        await first!.DisposeAsync();
        await first.DisposeAsync();
        Assert.NotNull(await third);
        Assert.Equal(2, gate.Open);
        await second!.DisposeAsync();
        Assert.Equal(1, gate.Open);
    }

    [Fact]
    public async Task Gate_UnboundWhileFull_AcceptReturnsNone()
    {
        var gate = new ConnectionGate(new EndlessTransport(), capacity: 1);
        await using var listener = await gate.BindAsync(new IPEndPoint(IPAddress.Loopback, 0));
        await listener.AcceptAsync();
        var waiting = listener.AcceptAsync();

        await listener.UnbindAsync();

        Assert.Null(await waiting);
    }

    /// <summary>A transport with a connection always waiting to be accepted.</summary>
    private sealed class EndlessTransport : IConnectionListenerFactory
    {
        public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult<IConnectionListener>(new Listener(endpoint));

        private sealed class Listener(EndPoint endpoint) : IConnectionListener
        {
            public EndPoint EndPoint => endpoint;

            public ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default) =>
                ValueTask.FromResult<ConnectionContext?>(new Connection());

            public ValueTask UnbindAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }

        private sealed class Connection : ConnectionContext
        {
            public override string ConnectionId { get; set; } = "c";

            public override IFeatureCollection Features { get; } = new FeatureCollection();

            public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

            public override IDuplexPipe Transport { get; set; } = null!;
        }
    }
}
