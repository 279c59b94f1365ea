using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace XefAI.Governance;

/// <summary>
/// Runs audit verifications off the request path, one at a time, paced to a share of one core
/// (<see cref="AuditVerificationOptions.MaxBusyShare"/>): an incremental one on a schedule, a full one now and then,
/// and any an admin starts.
/// Keeps the latest runs for the admin API, and logs every result: a broken trail at critical level.
/// </summary>
internal sealed partial class AuditVerifications : BackgroundService, IAuditVerifications
{
    private const int Kept = 20;
    private const int FirstRunMinutes = 2;

    private readonly IAuditTrail _audit;
    private readonly TimeProvider _time;
    private readonly ILogger<AuditVerifications> _logger;
    private readonly AuditVerificationOptions _options;
    private readonly Lock _lock = new();
    private readonly LinkedList<AuditVerificationRun> _runs = new();
    private readonly CancellationTokenSource _stopping = new();

    private Task _current = Task.CompletedTask;
    private long _next;

    public AuditVerifications(IAuditTrail audit, IOptions<AuditOptions> options, TimeProvider time, ILogger<AuditVerifications> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _audit = audit;
        _time = time;
        _logger = logger;
        _options = options.Value.Verification ?? new AuditVerificationOptions();
    }

    public IReadOnlyList<AuditVerificationRun> Recent
    {
        get
        {
            lock (_lock)
            {
                return [.. _runs];
            }
        }
    }

    public AuditVerificationRun? Get(string id)
    {
        lock (_lock)
        {
            return _runs.FirstOrDefault(run => string.Equals(run.Id, id, StringComparison.Ordinal));
        }
    }

    public bool TryStart(AuditVerificationMode mode, string trigger, out AuditVerificationRun run)
    {
        lock (_lock)
        {
            if (_runs.First?.Value is { State: AuditVerificationState.Running } running)
            {
                run = running;
                return false;
            }

            var id = "ver_" + (++_next).ToString(CultureInfo.InvariantCulture) + "_" + _time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            run = new AuditVerificationRun(id, mode, trigger, _time.GetUtcNow(), AuditVerificationState.Running, new AuditVerificationProgress(0, 0, 0));
            _runs.AddFirst(run);
            while (_runs.Count > Kept)
            {
                _runs.RemoveLast();
            }

            _current = Task.Run(() => RunAsync(id, mode, _stopping.Token), CancellationToken.None);
            return true;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await base.StopAsync(cancellationToken);
        await _current.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public override void Dispose()
    {
        _stopping.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.IntervalMinutes <= 0)
        {
            return;
        }

        var lastFull = _time.GetUtcNow();
        try
        {
            // The first run comes soon after start, so an incremental walk on request has a proved checkpoint to
            // resume from long before the first interval is over.
            await Task.Delay(TimeSpan.FromMinutes(Math.Min(FirstRunMinutes, _options.IntervalMinutes)), _time, stoppingToken);
            using var timer = new PeriodicTimer(TimeSpan.FromMinutes(_options.IntervalMinutes), _time);
            do
            {
                // An incremental walk trusts what earlier walks proved; a full one now and then rechecks old records.
                var full = _options.FullIntervalHours > 0 && _time.GetUtcNow() - lastFull >= TimeSpan.FromHours(_options.FullIntervalHours);
                if (TryStart(full ? AuditVerificationMode.Full : AuditVerificationMode.Incremental, "schedule", out _))
                {
                    await _current.WaitAsync(stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    if (full)
                    {
                        lastFull = _time.GetUtcNow();
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task RunAsync(string id, AuditVerificationMode mode, CancellationToken stopping)
    {
        var request = new AuditVerificationRequest
        {
            Mode = mode,
            MaxBusyShare = _options.MaxBusyShare,
            Progress = new Reporter(this, id),
        };
        try
        {
            var result = await _audit.VerifyAsync(request, stopping);
            Update(id, run => run with { State = AuditVerificationState.Completed, FinishedAt = _time.GetUtcNow(), Result = result });
            if (result.Valid)
            {
                LogVerified(_logger, id, result.Records, result.Chains ?? 1, result.Checkpoint, result.Checked ?? result.Records);
            }
            else
            {
                LogBroken(_logger, id, result.FirstBrokenRecord, result.Problem);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            // The store's own message can name the server; the run keeps only what kind of failure it was.
            Update(id, run => run with
            {
                State = AuditVerificationState.Failed,
                FinishedAt = _time.GetUtcNow(),
                Error = $"The verification could not finish: the audit store failed ({ex.GetType().Name}). See the gateway log.",
            });
            LogFailed(_logger, id, ex);
        }
        catch (OperationCanceledException)
        {
            Update(id, run => run with { State = AuditVerificationState.Failed, FinishedAt = _time.GetUtcNow(), Error = "The gateway stopped before the verification finished." });
        }
    }

    private void Update(string id, Func<AuditVerificationRun, AuditVerificationRun> change)
    {
        lock (_lock)
        {
            for (var node = _runs.First; node is not null; node = node.Next)
            {
                if (string.Equals(node.Value.Id, id, StringComparison.Ordinal))
                {
                    node.Value = change(node.Value);
                    return;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit verification {Run} proved {Records} records in {Chains} chains up to checkpoint {Checkpoint}, reading {Checked}.")]
    private static partial void LogVerified(ILogger logger, string run, long records, int chains, long? checkpoint, long @checked);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Audit verification {Run} found the audit trail broken at record {Record}: {Problem}")]
    private static partial void LogBroken(ILogger logger, string run, string? record, string? problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit verification {Run} could not finish.")]
    private static partial void LogFailed(ILogger logger, string run, Exception exception);

    private sealed class Reporter(AuditVerifications owner, string id) : IProgress<AuditVerificationProgress>
    {
        public void Report(AuditVerificationProgress value) => owner.Update(id, run => run with { Progress = value });
    }
}
