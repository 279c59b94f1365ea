using OpenTelemetry.Metrics;
using XefAI.Data;
using XefAI.Gateway.Admin;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.Pipeline.Invocation;
using XefAI.Gateway.Reviews;
using XefAI.Governance;

namespace XefAI.Gateway.Hosting;

/// <summary>
/// Exports the series of the design at zero from start-up, so alerts and dashboards work before the first event:
/// the call series of every configured use case by outcome (and of use cases a reload adds), the retries and fallbacks of
/// its deployments, the spend of every app on each use case it may call, every PHI kind the de-identifier counts, every
/// destination's circuit; then keeps the review-queue gauges current.
/// </summary>
/// <remarks>
/// Registered after OpenTelemetry, and given the <see cref="MeterProvider"/> so it is built before anything is added:
/// a measurement made before a listener exists is lost, zeros included.
/// </remarks>
internal sealed partial class MetricSeries(
    MeterProvider meterProvider,
    IGatewayMetrics metrics,
    IDataProtector protector,
    GatewaySnapshots snapshots,
    CircuitStateGauge circuits,
    ReviewMetrics reviews,
    IReviewQueue reviewQueue,
    TimeProvider time,
    ILogger<MetricSeries> logger) : BackgroundService
{
    /// <summary>How often the review queue is read for its gauges (and a reload's new use cases exported).</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(15);

    /// <summary>The most pending reviews read per refresh; the queue is ordered oldest first, so the age stays exact.</summary>
    public const int MaxPendingRead = 10_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Both are constructed for their instruments; nothing else is asked of them here.
        _ = meterProvider;
        _ = circuits;
        metrics.ExportSeries();
        foreach (var kind in protector.Kinds)
        {
            metrics.RecordPhiRedactions(kind, 0);
        }

        long exportedVersion = -1;
        using var timer = new PeriodicTimer(RefreshInterval, time);
        do
        {
            GatewaySnapshot snapshot;
            try
            {
                snapshot = snapshots.Current;
            }
            catch (GatewayConfigurationException)
            {
                // Start-up refuses this configuration and says why; there is nothing to export.
                continue;
            }

            try
            {
                exportedVersion = Export(snapshot, exportedVersion);
                await RefreshReviewsAsync(snapshot, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The use cases' statuses come from the governance state store, which may be down at start-up (a
                // database restarting): a background export must not stop the host. Calls fail closed meanwhile;
                // the next refresh tries again.
                LogExportFailed(logger, StoreRefusals.Loggable(ex), ex.GetType().Name);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    /// <summary>Exports the series of the snapshot's use cases, deployments and spend once per configuration version.</summary>
    private long Export(GatewaySnapshot snapshot, long exportedVersion)
    {
        if (snapshot.Version != exportedVersion)
        {
            foreach (var useCase in snapshot.UseCases.All)
            {
                metrics.ExportUseCase(useCase.Id, (int)useCase.Tier);
                foreach (var deployment in useCase.Providers)
                {
                    metrics.ExportDeployment(useCase.Id, deployment);
                }
            }

            foreach (var (app, client) in snapshot.Gateway.Clients)
            {
                foreach (var useCase in client.UseCases)
                {
                    if (snapshot.UseCases.TryGet(useCase, out _))
                    {
                        metrics.ExportSpend(app, useCase);
                    }
                }
            }

            return snapshot.Version;
        }

        return exportedVersion;
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task RefreshReviewsAsync(GatewaySnapshot snapshot, CancellationToken stoppingToken)
    {
        var useCases = new List<string>(snapshot.UseCases.All.Count);
        foreach (var useCase in snapshot.UseCases.All)
        {
            useCases.Add(useCase.Id);
        }

        try
        {
            reviews.SetPending(useCases, await reviewQueue.ListAsync(ReviewStatus.Pending, MaxPendingRead, stoppingToken));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The store may be down for a while; the gauges keep their last values and the next refresh tries again.
            LogReviewsUnreadable(logger, StoreRefusals.Loggable(ex), ex.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The use-case series could not be exported (the governance state store cannot be read: {ExceptionType}); the next refresh tries again.")]
    private static partial void LogExportFailed(ILogger logger, Exception? exception, string exceptionType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The review queue could not be read for the pending-review gauges ({ExceptionType}).")]
    private static partial void LogReviewsUnreadable(ILogger logger, Exception? exception, string exceptionType);
}
