namespace XefAI.Gateway.Pipeline;

/// <summary>
/// At most a few lines a second for one kind of per-call failure: an outage refuses every call, and a line for each at
/// hundreds of calls a second buries the log (and the disk it may share with the store that failed). The lines past
/// the budget are counted, and the count is handed to the next line that may be written, so none goes unreported
/// for longer than the outage lasts. Safe for concurrent use; used on failure paths only.
/// </summary>
internal sealed class LogBudget(TimeProvider time, int perSecond)
{
    private readonly Lock _gate = new();
    private long _window = long.MinValue;
    private int _used;
    private int _suppressed;

    /// <summary>Whether one more line may be written now.</summary>
    /// <param name="suppressedBefore">Lines held back since the last one written, to report with this one.</param>
    public bool TryTake(out int suppressedBefore)
    {
        var window = time.GetUtcNow().ToUnixTimeSeconds();
        lock (_gate)
        {
            if (window != _window)
            {
                _window = window;
                _used = 0;
            }

            if (_used >= perSecond)
            {
                _suppressed++;
                suppressedBefore = 0;
                return false;
            }

            _used++;
            suppressedBefore = _suppressed;
            _suppressed = 0;
            return true;
        }
    }
}
