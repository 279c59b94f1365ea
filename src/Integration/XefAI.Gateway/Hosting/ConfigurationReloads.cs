using System.Diagnostics.Metrics;
using XefAI.Gateway.Configuration;
using XefAI.Governance;

namespace XefAI.Gateway.Hosting;

/// <summary>
/// Judges each reload of the configuration files once every component has seen it: a file that is gone, empty or
/// does not parse is rejected at once; new values become a new <see cref="GatewaySnapshot"/>, put in force only if it
/// passes every options validator and the cross-layer check, the last good one staying otherwise. Counted as
/// <c>xefai_config_reloads_total{outcome}</c>, so an operator (and a test) sees that an edit was taken without
/// guessing how long file watching takes. Each outcome is also put on the audit trail (<see cref="ConfigurationAudit"/>).
/// </summary>
internal sealed partial class ConfigurationReloads
{
    private readonly GatewaySnapshots _snapshots;
    private readonly ConfigurationAudit? _audit;
    private readonly ILogger _logger;
    private readonly Counter<long> _reloads;
    private long _applied;
    private long _rejected;
    private int _editRejected;

    public ConfigurationReloads(GatewaySnapshots snapshots, ILoggerFactory loggers, IMeterFactory meterFactory, ConfigurationAudit? audit = null)
    {
        _snapshots = snapshots;
        _audit = audit;
        _logger = loggers.CreateLogger("XefAI.Gateway.Configuration");
        var meter = meterFactory.Create(GovernanceTelemetry.MeterName);
        _reloads = meter.CreateCounter<long>("xefai.config.reloads", "{reload}", "Configuration file reloads, by outcome (applied or rejected).");
        meter.CreateObservableGauge(
            "xefai.config.edit_rejected",
            () => Volatile.Read(ref _editRejected),
            "{state}",
            "1 while the files' latest edit was rejected and an older configuration is in force; 0 once an edit applies.");
    }

    /// <summary>
    /// Whether the files' latest edit was rejected, so that what is in force is not what the files say: an operator who
    /// broke a file sees it at <c>/healthz</c> and in <c>xefai_config_edit_rejected</c> until a good edit applies,
    /// not only in a log line.
    /// </summary>
    public bool EditRejected => Volatile.Read(ref _editRejected) == 1;

    /// <summary>Reloads whose values were taken: each is one new snapshot.</summary>
    public long Applied => Interlocked.Read(ref _applied);

    /// <summary>Reloads refused, the last good configuration kept.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    public void Observe(ConfigurationFiles files) => files.Reloaded += OnReloaded;

    internal void OnReloaded(ConfigurationFilesReload reload)
    {
        foreach (var (path, reason) in reload.Rejected)
        {
            LogRejected(_logger, path, reason);
            Count(applied: false);
            _audit?.OnRejected(_snapshots.Current, ConfigurationAudit.Unreadable, [path], 0);
        }

        if (reload.Rejected.Count > 0)
        {
            Volatile.Write(ref _editRejected, 1);
        }

        if (reload.Changed.Count == 0)
        {
            return;
        }

        var paths = string.Join(", ", reload.Changed);
        SnapshotReload result;
        try
        {
            result = _snapshots.Reload();
        }
        catch (Exception ex)
        {
            // Runs on the file watcher's thread, where an exception would end the process: a reload that cannot be
            // judged is refused like a bad one, and the gateway goes on with what it has.
            LogFailed(_logger, ex, paths);
            Count(applied: false);
            _audit?.OnRejected(_snapshots.Current, ConfigurationAudit.CheckFailed, reload.Changed, 0);
            Volatile.Write(ref _editRejected, 1);
            return;
        }

        if (result.Applied)
        {
            LogApplied(_logger, paths, result.InForce.Version);
            Count(applied: true);
            _audit?.OnApplied(result.InForce);
        }
        else
        {
            // Validators name keys and problems, never values: a rejected edit may hold a secret.
            LogRejected(_logger, paths, string.Join(" ", result.Errors));
            Count(applied: false);
            _audit?.OnRejected(result.InForce, ConfigurationAudit.Invalid, reload.Changed, result.Errors.Count);
        }

        // A file that did not parse in this same reload still holds an edit that is not in force.
        Volatile.Write(ref _editRejected, result.Applied && reload.Rejected.Count == 0 ? 0 : 1);
    }

    private void Count(bool applied)
    {
        Interlocked.Increment(ref applied ? ref _applied : ref _rejected);
        _reloads.Add(1, new KeyValuePair<string, object?>("outcome", applied ? "applied" : "rejected"));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Configuration reloaded from {Path}; snapshot {Version} is in force.")]
    private static partial void LogApplied(ILogger logger, string path, long version);

    [LoggerMessage(Level = LogLevel.Error, Message = "Configuration edit of {Path} rejected; the last good configuration stays in force: {Reasons}")]
    private static partial void LogRejected(ILogger logger, string path, string reasons);

    [LoggerMessage(Level = LogLevel.Error, Message = "Configuration edit of {Path} could not be checked; the last good configuration stays in force.")]
    private static partial void LogFailed(ILogger logger, Exception exception, string path);
}
