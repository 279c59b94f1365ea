namespace XefAI.Gateway.Security;

/// <summary>
/// Turns closed minutes of refused authentication into audit records, a few seconds after each minute
/// ends, and everything still pending when the gateway stops, so no refusal goes unrecorded.
/// </summary>
internal sealed class AuthenticationFailureFlusher(AuthenticationFailures failures, TimeProvider time) : BackgroundService
{
    /// <summary>Short against a minute, so a closed minute reaches the audit trail soon after it ends.</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await failures.FlushAsync(all: true, CancellationToken.None);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await failures.FlushAsync(all: false, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync flushes what is left.
        }
    }
}
