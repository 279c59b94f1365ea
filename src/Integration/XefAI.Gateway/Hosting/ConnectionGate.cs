using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace XefAI.Gateway.Hosting;

/// <summary>
/// Accepts a client connection only while fewer than <see cref="Capacity"/> are open; beyond it, new connections wait
/// in the kernel's listen backlog, holding no descriptor of the process, until one closes. Kestrel's own
/// <c>MaxConcurrentConnections</c> does not bound descriptors: it accepts a connection first and closes it after, and
/// under a flood of 1,500 connecting clients a cap of 269 still left 2,345 descriptors open at once.
/// </summary>
internal sealed class ConnectionGate(IConnectionListenerFactory inner, int capacity) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly SemaphoreSlim _open = new(capacity, capacity);

    public int Capacity { get; } = capacity;

    /// <summary>Connections open now through the gate.</summary>
    public int Open => Capacity - _open.CurrentCount;

    public bool CanBind(EndPoint endpoint) => inner is not IConnectionListenerFactorySelector selector || selector.CanBind(endpoint);

    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        new Listener(await inner.BindAsync(endpoint, cancellationToken), _open);

    private sealed class Listener(IConnectionListener inner, SemaphoreSlim open) : IConnectionListener
    {
        private readonly CancellationTokenSource _unbound = new();

        public EndPoint EndPoint => inner.EndPoint;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _unbound.Token);
            try
            {
                await open.WaitAsync(either.Token);
            }
            catch (OperationCanceledException) when (_unbound.IsCancellationRequested)
            {
                // Unbound while full: no more connections, as the transport's own listener says with null.
                return null;
            }

            ConnectionContext? connection;
            try
            {
                connection = await inner.AcceptAsync(cancellationToken);
            }
            catch
            {
                open.Release();
                throw;
            }

            if (connection is null)
            {
                open.Release();
                return null;
            }

            return new GatedConnection(connection, open);
        }

        public async ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            await _unbound.CancelAsync();
            await inner.UnbindAsync(cancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            await _unbound.CancelAsync();
            await inner.DisposeAsync();
            _unbound.Dispose();
        }
    }

    /// <summary>The transport's connection as it is; disposing it (Kestrel does when the connection ends) frees its place.</summary>
    private sealed class GatedConnection(ConnectionContext inner, SemaphoreSlim open) : ConnectionContext
    {
        private int _closed;

        public override string ConnectionId { get => inner.ConnectionId; set => inner.ConnectionId = value; }

        public override IFeatureCollection Features => inner.Features;

        public override IDictionary<object, object?> Items { get => inner.Items; set => inner.Items = value; }

        public override IDuplexPipe Transport { get => inner.Transport; set => inner.Transport = value; }

        public override CancellationToken ConnectionClosed { get => inner.ConnectionClosed; set => inner.ConnectionClosed = value; }

        public override EndPoint? LocalEndPoint { get => inner.LocalEndPoint; set => inner.LocalEndPoint = value; }

        public override EndPoint? RemoteEndPoint { get => inner.RemoteEndPoint; set => inner.RemoteEndPoint = value; }

        public override void Abort(ConnectionAbortedException abortReason) => inner.Abort(abortReason);

        public override async ValueTask DisposeAsync()
        {
            try
            {
                await inner.DisposeAsync();
            }
            finally
            {
                if (Interlocked.Exchange(ref _closed, 1) == 0)
                {
                    open.Release();
                }
            }
        }
    }
}
