using System.Diagnostics;
using XefAI.Gateway.Admin;
using XefAI.Gateway.Configuration;
using XefAI.Governance;

namespace XefAI.Gateway.Hosting;

/// <summary>
/// Puts each governance-relevant configuration that takes effect on the audit trail, so a committee can prove from the
/// hash-chained trail alone what was in force: at start-up, before calls are taken, a <c>config_applied</c> record of
/// the first snapshot; one for every accepted reload, naming what it added, removed or changed; and
/// <c>config_rejected</c> for an edit refused (its reason category only, never the file's contents).
/// </summary>
/// <remarks>
/// A <c>config_applied</c> record holds the canonical JSON (<see cref="GovernedConfiguration"/>) as its
/// <c>inputText</c> and its SHA-256 as <c>inputSha256</c>, on every tier: configuration holds no PHI and no secret.
/// Records are appended one after another in the order the configuration changed. Each process writes its own (with
/// PostgreSQL, into its own chain). A <c>config_applied</c> record the store cannot commit (the trail down at start or
/// at a reload) is logged and tried again, after 1, 2, 4 … up to 30 seconds, until it commits, a later reload's record
/// (which names the whole configuration) takes its place, or the gateway stops: calls that commit once the trail is
/// back name a configuration that is then on the trail too.
/// </remarks>
internal sealed partial class ConfigurationAudit(
    GatewaySnapshots snapshots,
    IAuditTrail audit,
    TimeProvider time,
    ILogger<ConfigurationAudit> logger) : IHostedService
{
    public const string Applied = "config_applied";

    public const string Rejected = "config_rejected";

    /// <summary>The edit's file is gone, empty or no longer parses.</summary>
    public const string Unreadable = "unreadable";

    /// <summary>The edit's values fail an options validator or the cross-layer check.</summary>
    public const string Invalid = "invalid";

    /// <summary>The edit could not be judged (an unexpected failure): refused like a bad one.</summary>
    public const string CheckFailed = "check_failed";

    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task _tail = Task.CompletedTask;
    private GovernedConfiguration? _recorded;

    // Cancelled when a later applied record takes over (it names the whole configuration) or the gateway stops.
    private CancellationTokenSource? _retrying;
    private bool _started;

    /// <summary>Records the configuration the gateway starts with; runs before the gateway takes calls.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var firstAttempt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _started = true;
            Enqueue(AppliedEntry(snapshots.Current, previous: null, trigger: "start"), firstAttempt);
        }

        // Start-up waits for the first attempt only: a trail that is down is retried while the gateway runs (and refuses
        // calls, as their records cannot commit either).
        await firstAttempt.Task.WaitAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Task tail;
        lock (_gate)
        {
            tail = _tail;
        }

        // A record still being retried is given up: the trail is down, and the log already says so.
        await _stopping.CancelAsync();
        await tail.WaitAsync(cancellationToken);
    }

    /// <summary>A reload put <paramref name="inForce"/> in force.</summary>
    public void OnApplied(GatewaySnapshot inForce)
    {
        lock (_gate)
        {
            // Before start-up's record, the start record itself describes whatever is then in force.
            if (_started)
            {
                Enqueue(AppliedEntry(inForce, _recorded, "reload"));
            }
        }
    }

    /// <summary>An edit was refused; <paramref name="inForce"/> stays.</summary>
    /// <param name="category"><see cref="Unreadable"/>, <see cref="Invalid"/> or <see cref="CheckFailed"/>.</param>
    /// <param name="paths">The files edited (only their names are recorded).</param>
    /// <param name="problems">How many problems the check named (0 when not counted).</param>
    public void OnRejected(GatewaySnapshot inForce, string category, IEnumerable<string> paths, int problems)
    {
        lock (_gate)
        {
            if (!_started)
            {
                return;
            }

            var files = string.Join(',', paths.Select(p => GovernedConfiguration.SafeId(Path.GetFileName(p))).Distinct(StringComparer.Ordinal));
            var reasons = $"reason:{category};file:{files}";
            if (problems > 0)
            {
                reasons += $";problems:{problems}";
            }

            // The hash of the configuration that stays in force, so the record says what still answers calls.
            Enqueue(Entry(Rejected, 422, $"{reasons};snapshot:{inForce.Version}", inForce.Governed?.Sha256, text: null));
        }
    }

    private AuditEntry AppliedEntry(GatewaySnapshot snapshot, GovernedConfiguration? previous, string trigger)
    {
        var governed = snapshot.Governed!;
        var reasons = $"{trigger};snapshot:{snapshot.Version}";
        if (previous is not null)
        {
            var changes = governed.ChangesFrom(previous);
            reasons += changes.Count == 0 ? ";unchanged" : ";" + string.Join(';', changes);
        }

        _recorded = governed;
        return Entry(Applied, 200, reasons, governed.Sha256, governed.Json);
    }

    private AuditEntry Entry(string decision, int status, string reasons, string? sha256, string? text) => new()
    {
        Timestamp = time.GetUtcNow(),
        TraceId = ActivityTraceId.CreateRandom().ToHexString(),
        Decision = decision,
        Reasons = reasons,
        StatusCode = status,
        InputSha256 = sha256,
        InputText = text,
        LatencyMs = 0,
    };

    // In the order the configuration changed: each append waits for the one before. Called under the lock.
    private void Enqueue(AuditEntry entry, TaskCompletionSource? firstAttempt = null)
    {
        // Only an applied record is retried, until a later one takes over: a rejected one says what an edit did not change.
        var retry = CancellationToken.None;
        if (entry.Decision == Applied)
        {
            // Cancelled before it is disposed, so a record still retrying under it reads it as cancelled; disposed, so each
            // reload does not leave one more registration on the stopping token.
            _retrying?.Cancel();
            _retrying?.Dispose();
            _retrying = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            retry = _retrying.Token;
        }

        _tail = AppendAfterAsync(_tail, entry, retry, firstAttempt);
    }

    private async Task AppendAfterAsync(Task previous, AuditEntry entry, CancellationToken retry, TaskCompletionSource? firstAttempt)
    {
        await previous;
        var wait = FirstRetry;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var record = await audit.AppendAsync(entry, CancellationToken.None);
                LogRecorded(logger, entry.Decision, record.Id, entry.InputSha256);
                firstAttempt?.TrySetResult();
                return;
            }
            catch (Exception ex)
            {
                firstAttempt?.TrySetResult();

                // The trail may be down; calls are then refused too.
                var retried = retry.CanBeCanceled && !retry.IsCancellationRequested;
                if (attempt == 1 || !retried)
                {
                    LogFailed(logger, StoreRefusals.Loggable(ex), ex.GetType().Name, entry.Decision, retried);
                }

                if (!retried)
                {
                    return;
                }
            }

            // Never resumed inline on the thread that cancels (a reload, under the lock).
            await Task.Delay(wait, time, retry).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ForceYielding);
            if (retry.IsCancellationRequested)
            {
                return;
            }

            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, LongestRetry.Ticks));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Configuration audit record {Decision} is {AuditId} (configuration sha256 {Sha256}).")]
    private static partial void LogRecorded(ILogger logger, string decision, string auditId, string? sha256);

    [LoggerMessage(Level = LogLevel.Error, Message = "Configuration audit record {Decision} could not be committed ({ExceptionType}); tried again in the background: {Retried}.")]
    private static partial void LogFailed(ILogger logger, Exception? exception, string exceptionType, string decision, bool retried);
}
