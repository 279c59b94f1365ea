using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.Pipeline;
using XefAI.Governance;

namespace XefAI.Gateway.Tests.Pipeline;

/// <summary>
/// Drift: the population stability index of each feature of a use case's answers, its recent window against its
/// baseline; nothing until both are full, about 0 when the answers keep their shape, above the threshold when they
/// change, with one warning and (if configured) one incident per crossing.
/// </summary>
public sealed class DriftMonitorTests
{
    [Fact]
    public void Psi_SameDistribution_IsZero_AndAShiftOfHalfTheMass_IsLarge()
    {
        Assert.Equal(0, DriftMonitor.Psi([50, 30, 20], [50, 30, 20]), 6);

        // (0.1 − 0.6)·ln(0.1/0.6) + (0.9 − 0.4)·ln(0.9/0.4), smoothing aside: about 1.3.
        var psi = DriftMonitor.Psi([600, 400], [100, 900]);
        Assert.InRange(psi, 1.2, 1.4);
    }

    [Fact]
    public void Psi_EmptyBin_StaysFinite() =>
        Assert.True(double.IsFinite(DriftMonitor.Psi([100, 0], [0, 100])));

    [Fact]
    public void Record_BeforeTheBaselineAndWindowAreFull_ReportsNothing()
    {
        var (monitor, _, _) = Monitor(baseline: 20, window: 20);
        for (var i = 0; i < 19; i++)
        {
            monitor.Record("triage", [], 40, TimeSpan.FromMilliseconds(300), emptyOrRefused: false, "stop");
        }

        Assert.Null(monitor.PsiOf("triage"));
    }

    [Fact]
    public void Record_AnswersKeepTheirShape_NoDrift()
    {
        var (monitor, logs, incidents) = Monitor(baseline: 50, window: 50, openIncident: true);
        for (var i = 0; i < 200; i++)
        {
            monitor.Record("triage", [], 30 + (i % 20), TimeSpan.FromMilliseconds(300 + (i % 100)), emptyOrRefused: false, "stop");
        }

        var psi = monitor.PsiOf("triage")!;
        Assert.All(DriftMonitor.Features, feature => Assert.True(psi[feature] < 0.2, $"{feature}: {psi[feature]}"));
        Assert.Empty(logs.Warnings);
        Assert.Empty(incidents.Reports);
    }

    [Fact]
    public async Task Record_AnswersGetLongAndTruncated_DriftIsReportedOnceAndAnIncidentOpened()
    {
        var (monitor, logs, incidents) = Monitor(baseline: 50, window: 50, openIncident: true);
        for (var i = 0; i < 50; i++)
        {
            monitor.Record("triage", [], 40, TimeSpan.FromMilliseconds(300), emptyOrRefused: false, "stop");
        }

        // The model starts answering at length and is cut off: tokens and finish reasons move, latency does not.
        for (var i = 0; i < 150; i++)
        {
            monitor.Record("triage", [], 2000, TimeSpan.FromMilliseconds(300), emptyOrRefused: false, "length");
        }

        var psi = monitor.PsiOf("triage")!;
        Assert.True(psi["output_tokens"] > 0.2);
        Assert.True(psi["finish_reason"] > 0.2);
        Assert.True(psi["latency"] < 0.2);

        await AdminCallsWait(() => incidents.Reports.Count == 2);
        Assert.Equal(2, logs.Warnings.Count);
        Assert.All(logs.Warnings, w => Assert.Contains("triage", w, StringComparison.Ordinal));
        Assert.Equal(["finish_reason", "output_tokens"], incidents.Reports.Select(r => r.Feature).Order());
        Assert.All(incidents.Reports, r => Assert.Equal(("triage", "drift-monitor"), (r.UseCase, r.Reporter)));
    }

    [Fact]
    public void Record_ClassificationLabelsShift_LabelDriftIsReported()
    {
        var (monitor, logs, _) = Monitor(baseline: 60, window: 60);
        string[] labels = ["urgent", "routine", "non-urgent"];
        for (var i = 0; i < 60; i++)
        {
            monitor.Record("triage", labels, 2, TimeSpan.FromMilliseconds(300), emptyOrRefused: false, "stop", i % 3 == 0 ? "Urgent." : "routine");
        }

        Assert.True(monitor.PsiOf("triage")!["label"] < 0.2);

        // Now nearly every answer is "urgent": the tokens, latency and finish reasons stay as they were.
        for (var i = 0; i < 60; i++)
        {
            monitor.Record("triage", labels, 2, TimeSpan.FromMilliseconds(300), emptyOrRefused: false, "stop", i % 10 == 0 ? "routine" : " URGENT ");
        }

        var psi = monitor.PsiOf("triage")!;
        Assert.True(psi["label"] > 0.2, $"label: {psi["label"]}");
        Assert.True(psi["output_tokens"] < 0.2);
        Assert.Single(logs.Warnings);
        Assert.Contains("label", logs.Warnings[0], StringComparison.Ordinal);
    }

    [Fact]
    public void LabelBin_MatchesADeclaredLabelOrCountsAsOther()
    {
        string[] labels = ["urgent", "routine"];

        Assert.Equal(0, DriftMonitor.LabelBin(labels, " Urgent. "));
        Assert.Equal(1, DriftMonitor.LabelBin(labels, "ROUTINE"));
        Assert.Equal(2, DriftMonitor.LabelBin(labels, "The patient is urgent"));
        Assert.Equal(2, DriftMonitor.LabelBin(labels, null));
    }

    [Fact]
    public void Bins_CoverTheirRanges()
    {
        Assert.Equal(6, DriftMonitor.OutputTokensBin(null));
        Assert.Equal(0, DriftMonitor.OutputTokensBin(0));
        Assert.Equal(5, DriftMonitor.OutputTokensBin(5000));
        Assert.Equal(0, DriftMonitor.LatencyBin(TimeSpan.FromMilliseconds(10)));
        Assert.Equal(7, DriftMonitor.LatencyBin(TimeSpan.FromMinutes(1)));
        Assert.Equal(1, DriftMonitor.FinishReasonBin("length"));
        Assert.Equal(2, DriftMonitor.FinishReasonBin("content_filter"));
        Assert.Equal(4, DriftMonitor.FinishReasonBin("something-new"));
        Assert.Equal(5, DriftMonitor.FinishReasonBin(null));
    }

    private static async Task AdminCallsWait(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
    }

    private static (DriftMonitor Monitor, ListLogger Logs, RecordingIncidents Incidents) Monitor(int baseline, int window, bool openIncident = false)
    {
        var options = Options.Create(new GatewayOptions { Drift = new DriftOptions { BaselineCalls = baseline, WindowCalls = window, OpenIncident = openIncident } });
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        var logs = new ListLogger();
        var incidents = new RecordingIncidents();
        return (new DriftMonitor(options, meters, logs, incidents), logs, incidents);
    }

    private sealed class ListLogger : ILogger<DriftMonitor>
    {
        private readonly List<string> _warnings = [];

        public IReadOnlyList<string> Warnings
        {
            get
            {
                lock (_warnings)
                {
                    return [.. _warnings];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                lock (_warnings)
                {
                    _warnings.Add(formatter(state, exception));
                }
            }
        }
    }

    private sealed class RecordingIncidents : IIncidentReporter
    {
        private readonly List<(string UseCase, string Reporter, string Feature)> _reports = [];

        public IReadOnlyList<(string UseCase, string Reporter, string Feature)> Reports
        {
            get
            {
                lock (_reports)
                {
                    return [.. _reports];
                }
            }
        }

        public ValueTask<IncidentReport> ReportAsync(
            string? auditId, string useCaseId, string reporter, string description, IncidentSeverity severity, CancellationToken cancellationToken)
        {
            var feature = DriftMonitor.Features.First(f => description.Contains($"'{f}'", StringComparison.Ordinal));
            lock (_reports)
            {
                _reports.Add((useCaseId, reporter, feature));
            }

            return ValueTask.FromResult(new IncidentReport(new Incident("inc_1", auditId, useCaseId, reporter, description, severity, DateTimeOffset.UnixEpoch), null));
        }

        public ValueTask<IReadOnlyList<Incident>> QueryAsync(IncidentQuery query, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<Incident>>([]);
    }
}
