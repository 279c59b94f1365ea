using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace XefAI.Governance.Tests;

/// <summary>Collects measurements of meters made by one <see cref="IMeterFactory"/>, so parallel tests do not see each other's.</summary>
internal sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Measurement> _measurements = new();

    public MetricRecorder(IMeterFactory meterFactory)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meterFactory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    public IReadOnlyList<Measurement> For(string instrumentName) =>
        [.. _measurements.Where(m => m.Instrument.Name == instrumentName)];

    /// <summary>Takes one observation of every observable instrument, as an exporter's collection does.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _measurements.Enqueue(new Measurement(instrument, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));

    internal sealed record Measurement(Instrument Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);
}
