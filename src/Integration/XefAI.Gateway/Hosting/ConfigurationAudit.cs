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
/// PostgreSQL, into its own chain). A record the store cannot commit is logged, and the next reload's record still
/// names the whole configuration.
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

    private readonly Lock _gate = new();
    private Task _tail = Task.CompletedTask;
    private GovernedConfiguration? _recorded;
    private bool _started;

    /// <summary>Records the configuration the gateway starts with; runs before the gateway takes calls.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Task written;
        lock (_gate)
        {
            _started = true;
            written = Enqueue(AppliedEntry(snapshots.Current, previous: null, trigger: "start"));
        }

        await written.WaitAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _tail.WaitAsync(cancellationToken);
        }
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

    // In the order the configuration changed: each append waits for the one before.
    private Task Enqueue(AuditEntry entry)
    {
        var previous = _tail;
        _tail = AppendAfterAsync(previous, entry);
        return _tail;
    }

    private async Task AppendAfterAsync(Task previous, AuditEntry entry)
    {
        await previous;
        try
        {
            var record = await audit.AppendAsync(entry, CancellationToken.None);
            LogRecorded(logger, entry.Decision, record.Id, entry.InputSha256);
        }
        catch (Exception ex)
        {
            // The trail may be down; calls are then refused too. The next reload's record names the whole configuration.
            LogFailed(logger, StoreRefusals.Loggable(ex), ex.GetType().Name, entry.Decision);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Configuration audit record {Decision} is {AuditId} (configuration sha256 {Sha256}).")]
    private static partial void LogRecorded(ILogger logger, string decision, string auditId, string? sha256);

    [LoggerMessage(Level = LogLevel.Error, Message = "Configuration audit record {Decision} could not be committed ({ExceptionType}).")]
    private static partial void LogFailed(ILogger logger, Exception? exception, string exceptionType, string decision);
}
