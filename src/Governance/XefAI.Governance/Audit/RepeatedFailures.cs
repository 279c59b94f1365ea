namespace XefAI.Governance;

/// <summary>
/// Whether a store's failure is worth its stack trace in the log: the first, and then one every
/// <see cref="Interval"/>. While a database is down every batch fails the same way, and a trace each (about 25 lines)
/// would flood the log at hundreds of calls a second; the others are logged on one line.
/// </summary>
internal sealed class RepeatedFailures(TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    // The timestamp of the last failure logged in full; 0 before the first.
    private long _lastInFull;

    public bool TakeInFull()
    {
        var now = time.GetTimestamp();
        var last = Interlocked.Read(ref _lastInFull);
        if (last != 0 && time.GetElapsedTime(last, now) < Interval)
        {
            return false;
        }

        return Interlocked.CompareExchange(ref _lastInFull, now, last) == last;
    }
}
