using System.Diagnostics.Metrics;
using XefAI.Gateway.Configuration;
using XefAI.Governance;

namespace XefAI.Gateway.Hosting;

/// <summary>
/// Judges each reload of a configuration file once every component has seen it: applied, or rejected with
/// every reason (a file that is gone, empty or does not parse; options that fail to bind or validate), the
/// last good values staying in force. Counted as <c>xefai_config_reloads_total{outcome}</c>, so an operator
/// (and a test) sees that an edit was taken without guessing how long file watching takes.
/// </summary>
internal sealed partial class ConfigurationReloads
{
    private readonly IEnumerable<IOptionsCheck> _checks;
    private readonly ILogger _logger;
    private readonly Counter<long> _reloads;
    private long _applied;
    private long _rejected;

    public ConfigurationReloads(IEnumerable<IOptionsCheck> checks, ILoggerFactory loggers, IMeterFactory meterFactory)
    {
        _checks = checks;
        _logger = loggers.CreateLogger("XefAI.Gateway.Configuration");
        _reloads = meterFactory.Create(GovernanceTelemetry.MeterName)
            .CreateCounter<long>("xefai.config.reloads", "{reload}", "Configuration file reloads, by outcome (applied or rejected).");
    }

    /// <summary>Reloads whose values were taken.</summary>
    public long Applied => Interlocked.Read(ref _applied);

    /// <summary>Reloads refused, the last good configuration kept.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    public void Observe(LastGoodJsonConfigurationSource file) => file.Reloaded += OnReloaded;

    /// <summary>Every options problem of the current configuration, across all options types.</summary>
    public List<string> CheckOptions() => [.. _checks.SelectMany(check => check.Check())];

    private void OnReloaded(string path, string? rejection)
    {
        var errors = rejection is null ? CheckOptions() : [rejection];
        if (errors.Count == 0)
        {
            LogApplied(_logger, path);
            Interlocked.Increment(ref _applied);
            _reloads.Add(1, new KeyValuePair<string, object?>("outcome", "applied"));
        }
        else
        {
            LogRejected(_logger, path, string.Join(" ", errors));
            Interlocked.Increment(ref _rejected);
            _reloads.Add(1, new KeyValuePair<string, object?>("outcome", "rejected"));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Configuration reloaded from {Path}.")]
    private static partial void LogApplied(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Configuration edit of {Path} rejected; the last good configuration stays in force: {Reasons}")]
    private static partial void LogRejected(ILogger logger, string path, string reasons);
}
