using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using XefAI.Gateway.Admin;
using XefAI.Gateway.Configuration;
using XefAI.Governance;

namespace XefAI.Gateway.Pipeline;

/// <summary>
/// Drift of each use case's answers: features of every answered call (output tokens, latency, empty or refused answers,
/// finish reason, and for a classification use case the label it answered), binned; the first <see cref="DriftOptions.BaselineCalls"/> calls after start-up are the baseline, the
/// last <see cref="DriftOptions.WindowCalls"/> the current window. Their population stability index per feature is
/// exported as <c>xefai_drift_psi{use_case,feature}</c> (0 until both are full); above the threshold a warning is logged
/// and, if configured, an incident is opened for the use case, which the incident rules may act on. Only bins are kept,
/// never text.
/// </summary>
internal sealed partial class DriftMonitor
{
    /// <summary>The features, in the order of their bins below.</summary>
    public static readonly string[] Features = ["output_tokens", "latency", "empty_or_refused", "finish_reason"];

    /// <summary>The feature of a classification use case (<see cref="UseCase.OutputLabels"/>): which label came back, or another answer.</summary>
    public const string LabelFeature = "label";

    private static readonly int[] BinCounts = [7, 8, 2, 6];
    private const int CheckEvery = 25;

    private readonly DriftOptions _options;
    private readonly IIncidentReporter? _incidents;
    private readonly ILogger<DriftMonitor> _logger;
    private readonly ConcurrentDictionary<string, UseCaseDrift> _useCases = new(StringComparer.Ordinal);
    private readonly IUseCaseRegistry? _registry;

    public DriftMonitor(
        IOptions<GatewayOptions> options, IMeterFactory meterFactory, ILogger<DriftMonitor> logger, IIncidentReporter? incidents = null, IUseCaseRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meterFactory);
        _options = options.Value.Drift ?? new DriftOptions();
        _logger = logger;
        _incidents = incidents;
        _registry = registry;
        meterFactory.Create(GovernanceTelemetry.MeterName).CreateObservableGauge(
            "xefai.drift.psi",
            Observe,
            unit: null,
            description: "Population stability index of each use case's answers against its baseline, per feature (0 until the baseline and the window are full).");
    }

    /// <summary>One answered call's features.</summary>
    /// <param name="labels">The use case's output labels (empty for free text); read at its first call after start-up.</param>
    /// <param name="content">The answer's text, only compared with the labels, never kept.</param>
    public void Record(
        string useCase, IReadOnlyList<string> labels, int? outputTokens, TimeSpan latency, bool emptyOrRefused, string? finishReason, string? content = null)
    {
        Span<int> bins = stackalloc int[Features.Length + 1];
        bins[0] = OutputTokensBin(outputTokens);
        bins[1] = LatencyBin(latency);
        bins[2] = emptyOrRefused ? 1 : 0;
        bins[3] = FinishReasonBin(finishReason);
        var state = _useCases.GetOrAdd(useCase, static (_, x) => new UseCaseDrift(x.Options.BaselineCalls, x.Options.WindowCalls, [.. x.Labels]), (Options: _options, Labels: labels));
        var count = Features.Length;
        if (state.Labels.Length > 0)
        {
            bins[count++] = LabelBin(state.Labels, content);
        }

        if (state.Add(bins[..count]))
        {
            Check(useCase, state);
        }
    }

    /// <summary>The label an answer is (trimmed, a final full stop aside, any case), or the bin past the labels for any other answer.</summary>
    internal static int LabelBin(string[] labels, string? content)
    {
        var answer = (content ?? string.Empty).AsSpan().Trim().TrimEnd('.').Trim();
        for (var i = 0; i < labels.Length; i++)
        {
            if (answer.Equals(labels[i], StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return labels.Length;
    }

    /// <summary>The PSI of each feature of a use case, or null while its baseline or window is not full.</summary>
    public IReadOnlyDictionary<string, double>? PsiOf(string useCase)
    {
        if (!_useCases.TryGetValue(useCase, out var state) || state.Psi() is not { } psi)
        {
            return null;
        }

        var result = new Dictionary<string, double>(psi.Length, StringComparer.Ordinal);
        for (var f = 0; f < psi.Length; f++)
        {
            result[FeatureName(f)] = Math.Round(psi[f], 4);
        }

        return result;
    }

    private static string FeatureName(int feature) => feature < Features.Length ? Features[feature] : LabelFeature;

    /// <summary>Σ (c − b) · ln(c / b) over the bins, with half a call added to every bin so an empty one stays finite.</summary>
    internal static double Psi(ReadOnlySpan<long> baseline, ReadOnlySpan<long> current)
    {
        double baselineTotal = 0, currentTotal = 0;
        for (var i = 0; i < baseline.Length; i++)
        {
            baselineTotal += baseline[i] + 0.5;
            currentTotal += current[i] + 0.5;
        }

        double psi = 0;
        for (var i = 0; i < baseline.Length; i++)
        {
            var b = (baseline[i] + 0.5) / baselineTotal;
            var c = (current[i] + 0.5) / currentTotal;
            psi += (c - b) * Math.Log(c / b);
        }

        return psi;
    }

    internal static int OutputTokensBin(int? tokens) => tokens switch
    {
        null => 6,
        0 => 0,
        <= 16 => 1,
        <= 64 => 2,
        <= 256 => 3,
        <= 1024 => 4,
        _ => 5,
    };

    internal static int LatencyBin(TimeSpan latency) => latency.TotalMilliseconds switch
    {
        < 250 => 0,
        < 500 => 1,
        < 1000 => 2,
        < 2000 => 3,
        < 4000 => 4,
        < 8000 => 5,
        < 16000 => 6,
        _ => 7,
    };

    internal static int FinishReasonBin(string? reason) => reason switch
    {
        "stop" or "end_turn" => 0,
        "length" or "max_tokens" => 1,
        "content_filter" or "refusal" => 2,
        "tool_calls" or "tool_use" or "function_call" => 3,
        null => 5,
        _ => 4,
    };

    private void Check(string useCase, UseCaseDrift state)
    {
        if (state.Psi() is not { } psi)
        {
            return;
        }

        for (var f = 0; f < psi.Length; f++)
        {
            var drifted = psi[f] > _options.Threshold;
            if (!state.SetAlerted(f, drifted) || !drifted)
            {
                continue;
            }

            LogDrift(_logger, useCase, FeatureName(f), psi[f], _options.Threshold);
            if (_options.OpenIncident && _incidents is not null)
            {
                _ = OpenIncidentAsync(useCase, FeatureName(f), psi[f]);
            }
        }
    }

    private async Task OpenIncidentAsync(string useCase, string feature, double psi)
    {
        try
        {
            await _incidents!.ReportAsync(
                auditId: null,
                useCase,
                reporter: "drift-monitor",
                $"Drift: the population stability index of '{feature}' is {psi:0.###} against the use case's baseline (threshold {_options.Threshold:0.###}).",
                IncidentSeverity.Moderate,
                CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogIncidentFailed(_logger, StoreRefusals.Loggable(ex), ex.GetType().Name, useCase, feature);
        }
    }

    private List<Measurement<double>> Observe()
    {
        var measurements = new List<Measurement<double>>();
        var useCases = _registry?.All.Select(u => (u.Id, Labelled: u.OutputLabels.Count > 0))
            ?? _useCases.Select(p => (Id: p.Key, Labelled: p.Value.Labels.Length > 0));
        foreach (var (id, labelled) in useCases)
        {
            var psi = _useCases.TryGetValue(id, out var state) ? state.Psi() : null;
            var features = Features.Length + (labelled || state?.Labels.Length > 0 ? 1 : 0);
            for (var f = 0; f < features; f++)
            {
                measurements.Add(new Measurement<double>(
                    psi is not null && f < psi.Length ? psi[f] : 0,
                    new KeyValuePair<string, object?>("use_case", id),
                    new KeyValuePair<string, object?>("feature", FeatureName(f))));
            }
        }

        return measurements;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drift in use case {UseCase}: the PSI of {Feature} is {Psi:0.###} against its baseline, above {Threshold}.")]
    private static partial void LogDrift(ILogger logger, string useCase, string feature, double psi, double threshold);

    [LoggerMessage(Level = LogLevel.Error, Message = "The drift incident for use case {UseCase} ({Feature}) could not be opened ({ExceptionType}).")]
    private static partial void LogIncidentFailed(ILogger logger, Exception? exception, string exceptionType, string useCase, string feature);

    /// <summary>One use case: baseline counts, the ring of recent calls' bins and their counts, which features have alerted.</summary>
    private sealed class UseCaseDrift(int baselineCalls, int windowCalls, string[] labels)
    {
        private readonly Lock _gate = new();
        private readonly int[] _binCounts = BinsOf(labels);
        private readonly long[][] _baseline = [.. BinsOf(labels).Select(n => new long[n])];
        private readonly long[][] _current = [.. BinsOf(labels).Select(n => new long[n])];
        private readonly byte[] _ring = new byte[windowCalls * BinsOf(labels).Length];
        private readonly bool[] _alerted = new bool[BinsOf(labels).Length];

        public string[] Labels { get; } = labels;
        private int _baselineCount;
        private int _windowCount;
        private int _next;
        private long _added;

        /// <summary>The bins of each feature: the four of every use case, and the labels' and "other" for a classification one.</summary>
        private static int[] BinsOf(string[] labels) => labels.Length > 0 ? [.. BinCounts, labels.Length + 1] : BinCounts;

        /// <returns>Whether the drift should be checked now.</returns>
        public bool Add(ReadOnlySpan<int> bins)
        {
            lock (_gate)
            {
                if (_baselineCount < baselineCalls)
                {
                    for (var f = 0; f < bins.Length; f++)
                    {
                        _baseline[f][bins[f]]++;
                    }

                    _baselineCount++;
                }

                var at = _next * _binCounts.Length;
                for (var f = 0; f < bins.Length; f++)
                {
                    if (_windowCount == windowCalls)
                    {
                        _current[f][_ring[at + f]]--;
                    }

                    _ring[at + f] = (byte)bins[f];
                    _current[f][bins[f]]++;
                }

                _next = (_next + 1) % windowCalls;
                _windowCount = Math.Min(_windowCount + 1, windowCalls);
                return ++_added % CheckEvery == 0;
            }
        }

        public double[]? Psi()
        {
            lock (_gate)
            {
                if (_baselineCount < baselineCalls || _windowCount < windowCalls)
                {
                    return null;
                }

                var psi = new double[_binCounts.Length];
                for (var f = 0; f < psi.Length; f++)
                {
                    psi[f] = DriftMonitor.Psi(_baseline[f], _current[f]);
                }

                return psi;
            }
        }

        /// <returns>Whether the alert state changed.</returns>
        public bool SetAlerted(int feature, bool drifted)
        {
            lock (_gate)
            {
                var changed = _alerted[feature] != drifted;
                _alerted[feature] = drifted;
                return changed;
            }
        }
    }
}
