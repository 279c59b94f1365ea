using System.Collections.Concurrent;
using Polly;
using Polly.CircuitBreaker;
using XefAI.Gateway.Configuration;
using XefAI.Governance;

namespace XefAI.Gateway.Pipeline;

/// <summary>
/// The settings a destination's circuit breaker is built from; a breaker is rebuilt only when these change. A value, not
/// an object: every attempt reads them from its snapshot.
/// </summary>
internal readonly record struct BreakerSettings(double FailureRatio, int MinimumThroughput, TimeSpan SamplingDuration, TimeSpan BreakDuration)
{
    /// <summary>The gateway-wide breaker settings of <c>Gateway:Resilience</c>.</summary>
    public static BreakerSettings Of(ResilienceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(options.BreakerFailureRatio, options.BreakerMinimumThroughput, options.BreakerSamplingDuration, options.BreakerBreakDuration);
    }
}

/// <summary>
/// One circuit breaker per vendor destination. A breaker is state, not configuration: a configuration edit that does
/// not change a destination's own breaker settings or address leaves its breaker, and an open circuit, as it is; one
/// that does gets that destination a new, closed breaker, and no other.
/// </summary>
/// <remarks>
/// Breakers are (re)built lazily, when a call asks for one with the settings of its own configuration snapshot, so a
/// call that still holds the snapshot from before an edit and one that holds the new one each get the breaker of
/// their settings; once the new settings are asked for, they stay. Safe for concurrent use.
/// </remarks>
/// <typeparam name="TResult">What an attempt returns; <c>isFailure</c> says which outcomes count against the circuit.</typeparam>
internal sealed class CircuitBreakers<TResult>
{
    /// <summary>The pipeline's name, as Polly's own diagnostics show it; the destination is its instance name.</summary>
    public const string PipelineName = "xefai-vendor-breaker";

    private readonly ConcurrentDictionary<string, CircuitBreaker<TResult>> _breakers = new(StringComparer.OrdinalIgnoreCase);
    private readonly Func<Outcome<TResult>, bool> _isFailure;
    private readonly TimeProvider _time;
    private readonly Action<string, CircuitState>? _onTransition;

    /// <param name="isFailure">Whether an attempt's outcome (a result or an exception) counts as a failure of the destination.</param>
    /// <param name="time">The clock of the sampling window and the break.</param>
    /// <param name="onTransition">
    /// Told each time a destination's circuit opens, half-opens or closes, with the state it enters. The breakers
    /// carry no Polly telemetry: its wrapper would time and tag every attempt to report the same transitions.
    /// </param>
    public CircuitBreakers(Func<Outcome<TResult>, bool> isFailure, TimeProvider time, Action<string, CircuitState>? onTransition = null)
    {
        ArgumentNullException.ThrowIfNull(isFailure);
        ArgumentNullException.ThrowIfNull(time);
        _isFailure = isFailure;
        _time = time;
        _onTransition = onTransition;
    }

    /// <summary>Destinations that have a breaker; for tests and diagnostics.</summary>
    public int Count => _breakers.Count;

    /// <summary>
    /// The state of a destination's breaker as <c>xefai_circuit_state</c> reports it: 0 closed (or no breaker yet),
    /// 1 half-open, 2 open or isolated. Reads only; never builds a breaker.
    /// </summary>
    public int StateOf(string destination) => _breakers.TryGetValue(destination, out var breaker)
        ? breaker.State switch
        {
            CircuitState.HalfOpen => CircuitStates.HalfOpen,
            CircuitState.Open or CircuitState.Isolated => CircuitStates.Open,
            _ => CircuitStates.Closed,
        }
        : CircuitStates.Closed;

    /// <summary>
    /// The breaker of <paramref name="destination"/> for these settings: the one it has when it was built from equal
    /// settings and address, else a new, closed one that replaces it.
    /// </summary>
    /// <param name="destination">A bounded name, such as <c>cluster/destination</c>; case-insensitive, like YARP's ids.</param>
    /// <param name="settings">The destination's breaker settings in the caller's configuration snapshot.</param>
    /// <param name="address">
    /// The destination's address: a destination repointed elsewhere is another vendor endpoint, whose failures the
    /// old circuit says nothing about. Pass it wherever the breaker is asked for (state checks included), or nowhere.
    /// </param>
    public CircuitBreaker<TResult> BreakerFor(string destination, BreakerSettings settings, string? address = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        while (true)
        {
            if (!_breakers.TryGetValue(destination, out var existing))
            {
                var created = Create(destination, settings, address);
                if (_breakers.TryAdd(destination, created))
                {
                    return created;
                }
            }
            else if (existing.IsBuiltFrom(settings, address))
            {
                return existing;
            }
            else
            {
                // Two calls that race to rebuild agree on one winner; the loser uses it.
                var rebuilt = Create(destination, settings, address);
                if (_breakers.TryUpdate(destination, rebuilt, existing))
                {
                    return rebuilt;
                }
            }
        }
    }

    private CircuitBreaker<TResult> Create(string destination, BreakerSettings settings, string? address)
    {
        var state = new CircuitBreakerStateProvider();
        var breakEnd = new BreakEnd();
        var time = _time;

        var onTransition = _onTransition;
        var pipeline = new ResiliencePipelineBuilder<TResult> { TimeProvider = _time, Name = PipelineName, InstanceName = destination }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<TResult>
            {
                ShouldHandle = args => ValueTask.FromResult(_isFailure(args.Outcome)),
                FailureRatio = settings.FailureRatio,
                MinimumThroughput = settings.MinimumThroughput,
                SamplingDuration = settings.SamplingDuration,
                BreakDuration = settings.BreakDuration,
                StateProvider = state,
                OnOpened = args =>
                {
                    // Polly half-opens an open circuit only when an attempt is made after the break: remembered here so
                    // that the destination is offered for that trial, not left out (and the circuit open) for good.
                    breakEnd.At = time.GetUtcNow() + args.BreakDuration;
                    return onTransition is null ? default : Told(onTransition, destination, CircuitState.Open);
                },
                OnHalfOpened = onTransition is null ? null : _ => Told(onTransition, destination, CircuitState.HalfOpen),
                OnClosed = onTransition is null ? null : _ => Told(onTransition, destination, CircuitState.Closed),
            })
            .Build();
        return new CircuitBreaker<TResult>(destination, settings, address, pipeline, state, breakEnd, time);
    }

    private static ValueTask Told(Action<string, CircuitState> onTransition, string destination, CircuitState state)
    {
        onTransition(destination, state);
        return default;
    }
}

/// <summary>When the last break of a circuit ends, as its breaker's clock tells it.</summary>
internal sealed class BreakEnd
{
    private long _ticks = DateTimeOffset.MinValue.UtcTicks;

    public DateTimeOffset At
    {
        get => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);
        set => Interlocked.Exchange(ref _ticks, value.UtcTicks);
    }
}

/// <summary>The circuit breaker of one destination, as built from one set of settings; never changed after.</summary>
internal sealed class CircuitBreaker<TResult>
{
    private readonly CircuitBreakerStateProvider _state;
    private readonly BreakEnd _breakEnd;
    private readonly TimeProvider _time;

    internal CircuitBreaker(
        string destination, BreakerSettings settings, string? address, ResiliencePipeline<TResult> pipeline, CircuitBreakerStateProvider state, BreakEnd breakEnd, TimeProvider time)
    {
        Destination = destination;
        Settings = settings;
        Address = address;
        Pipeline = pipeline;
        _state = state;
        _breakEnd = breakEnd;
        _time = time;
    }

    public string Destination { get; }

    public BreakerSettings Settings { get; }

    public string? Address { get; }

    /// <summary>Runs an attempt through the circuit; throws <see cref="BrokenCircuitException"/> while it is open.</summary>
    public ResiliencePipeline<TResult> Pipeline { get; }

    public CircuitState State => _state.CircuitState;

    /// <summary>
    /// Open within its break, or isolated: an attempt would be refused without reaching the destination. An open circuit
    /// whose break has ended is not: the next attempt is the trial that half-opens it (Polly moves it only then).
    /// </summary>
    public bool IsOpen => State switch
    {
        CircuitState.Isolated => true,
        CircuitState.Open => _time.GetUtcNow() < _breakEnd.At,
        _ => false,
    };

    /// <summary>
    /// How long until an open circuit lets an attempt through again (the trial that half-opens it); zero when its break
    /// has ended, null when it is not open (or isolated by hand, which no clock ends).
    /// </summary>
    public TimeSpan? RemainingBreak => State == CircuitState.Open
        ? TimeSpan.FromTicks(Math.Max(0, (_breakEnd.At - _time.GetUtcNow()).Ticks))
        : null;

    internal bool IsBuiltFrom(BreakerSettings settings, string? address) =>
        Settings == settings && string.Equals(Address, address, StringComparison.Ordinal);
}
