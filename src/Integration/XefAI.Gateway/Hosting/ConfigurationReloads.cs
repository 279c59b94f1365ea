using System.Diagnostics.Metrics;
using XefAI.Gateway.Configuration;
using XefAI.Governance;

namespace XefAI.Gateway.Hosting;

/// <summary>
/// Judges each reload of the configuration files once every component has seen it: a file that is gone, empty or
/// does not parse is rejected at once; new values become a new <see cref="GatewaySnapshot"/>, put in force only if it
/// passes every options validator and the cross-layer check, the last good one staying otherwise. Counted as
/// <c>xefai_config_reloads_total{outcome}</c>, so an operator (and a test) sees that an edit was taken without
/// guessing how long file watching takes.
/// </summary>
internal sealed partial class ConfigurationReloads
{
    private readonly GatewaySnapshots _snapshots;
    private readonly ILogger _logger;
    private readonly Counter<long> _reloads;
    private long _applied;
    private long _rejected;

    public ConfigurationReloads(GatewaySnapshots snapshots, ILoggerFactory loggers, IMeterFactory meterFactory)
    {
        _snapshots = snapshots;
        _logger = loggers.CreateLogger("XefAI.Gateway.Configuration");
        _reloads = meterFactory.Create(GovernanceTelemetry.MeterName)
            .CreateCounter<long>("xefai.config.reloads", "{reload}", "Configuration file reloads, by outcome (applied or rejected).");
    }

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
            return;
        }

        if (result.Applied)
        {
            LogApplied(_logger, paths, result.InForce.Version);
            Count(applied: true);
        }
        else
        {
            // Validators name keys and problems, never values: a rejected edit may hold a secret.
            LogRejected(_logger, paths, string.Join(" ", result.Errors));
            Count(applied: false);
        }
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
