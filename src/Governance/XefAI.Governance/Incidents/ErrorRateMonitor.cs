using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace XefAI.Governance;

/// <summary>
/// Counts each active use case's calls and failures over a sliding window (<c>Governance:ErrorRate</c>) and
/// suspends the use case (actor <c>system</c>) once the failure share exceeds the threshold.
/// </summary>
/// <remarks>
/// In memory and per replica. The window is kept as 30 buckets, so memory per use case is fixed whatever the
/// traffic. The suspension is written off the caller's path; <see cref="RecordOutcome"/> never waits on the store.
/// </remarks>
internal sealed partial class ErrorRateMonitor(
    IUseCaseRegistry registry,
    IUseCaseAdministration administration,
    LastGoodGovernanceOptions options,
    TimeProvider timeProvider,
    ILogger<ErrorRateMonitor> logger) : IErrorRateMonitor
{
    private readonly ConcurrentDictionary<string, SlidingCounter> _counters = new(StringComparer.Ordinal);
    private Task _lastSuspension = Task.CompletedTask;

    /// <summary>The suspension most recently started, for tests to await.</summary>
    internal Task LastSuspension => Volatile.Read(ref _lastSuspension);

    public void RecordOutcome(string useCaseId, bool failed)
    {
        ArgumentNullException.ThrowIfNull(useCaseId);

        // Only configured, active use cases: the map stays bounded, and a suspended one has nothing left to stop.
        if (!registry.TryGet(useCaseId, out var useCase) || useCase.Status != UseCaseStatus.Active)
        {
            return;
        }

        var settings = options.Value.ErrorRate;
        var counter = _counters.GetOrAdd(useCaseId, static _ => new SlidingCounter());
        if (counter.Record(timeProvider.GetUtcNow(), failed, settings, out var calls, out var failures))
        {
            Volatile.Write(ref _lastSuspension, Task.Run(() => SuspendAsync(useCaseId, counter, calls, failures, settings)));
        }
    }

    private async Task SuspendAsync(string useCaseId, SlidingCounter counter, int calls, int failures, ErrorRateOptions settings)
    {
        var reason = string.Create(
            CultureInfo.InvariantCulture,
            $"Suspended automatically: {failures} of {calls} calls failed ({100.0 * failures / calls:0.#} %) within {DurationText.Format(settings.Window)}, " +
            $"above the {100.0 * settings.Threshold:0.#} % threshold.");
        try
        {
            await administration.ApplyAsync(useCaseId, UseCaseAction.Suspend, IncidentReporter.SystemActor, reason, null, CancellationToken.None);
        }
        catch (GovernanceActionException)
        {
            // No longer active: suspended or retired by someone else meanwhile.
        }
        catch (Exception ex)
        {
            LogSuspendFailed(logger, useCaseId, reason, ex);
        }
        finally
        {
            counter.Rearm();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Use case {UseCase} should be suspended ({Reason}) but the suspension could not be recorded.")]
    private static partial void LogSuspendFailed(ILogger logger, string useCase, string reason, Exception exception);

    /// <summary>Calls and failures in the last window, in fixed buckets; trips once until rearmed.</summary>
    private sealed class SlidingCounter
    {
        private const int Buckets = 30;

        private readonly Lock _lock = new();
        private readonly long[] _bucketIndex = new long[Buckets];
        private readonly int[] _calls = new int[Buckets];
        private readonly int[] _failures = new int[Buckets];
        private TimeSpan _window;
        private bool _tripped;

        /// <returns>True when this call takes the rate over the threshold: the caller suspends the use case.</returns>
        public bool Record(DateTimeOffset now, bool failed, ErrorRateOptions settings, out int calls, out int failures)
        {
            lock (_lock)
            {
                if (settings.Window != _window)
                {
                    Clear();
                    _window = settings.Window;
                }

                var width = Math.Max(1, settings.Window.Ticks / Buckets);
                var index = now.UtcTicks / width;
                var slot = (int)(index % Buckets);
                if (_bucketIndex[slot] != index)
                {
                    _bucketIndex[slot] = index;
                    _calls[slot] = 0;
                    _failures[slot] = 0;
                }

                _calls[slot]++;
                if (failed)
                {
                    _failures[slot]++;
                }

                calls = 0;
                failures = 0;
                for (var i = 0; i < Buckets; i++)
                {
                    if (_bucketIndex[i] > index - Buckets && _bucketIndex[i] <= index)
                    {
                        calls += _calls[i];
                        failures += _failures[i];
                    }
                }

                if (_tripped || calls < settings.MinimumCalls || (double)failures / calls <= settings.Threshold)
                {
                    return false;
                }

                // Counted afresh once the use case is resumed: the failures that suspended it must not suspend it again.
                _tripped = true;
                Clear();
                return true;
            }
        }

        public void Rearm()
        {
            lock (_lock)
            {
                _tripped = false;
            }
        }

        private void Clear()
        {
            Array.Clear(_bucketIndex);
            Array.Clear(_calls);
            Array.Clear(_failures);
        }
    }
}
