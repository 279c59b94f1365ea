using System.Diagnostics;

namespace XefAI.Governance;

/// <summary>
/// A verification walk's progress and pace, the same in every store: it counts what the walk checked, tells
/// <see cref="AuditVerificationRequest.Progress"/> how far it has come, and after each page rests long enough that
/// the walk's busy time stays under <see cref="AuditVerificationRequest.MaxBusyShare"/> of a core. Not thread-safe.
/// </summary>
internal sealed class AuditWalkPace
{
    /// <summary>Records a walk reads between two reports (and two rests).</summary>
    public const int RecordPage = 2000;

    // A rest never outlasts this, so even a slow page cannot put the walk to sleep for long.
    private static readonly TimeSpan MaxRest = TimeSpan.FromSeconds(1);

    private readonly AuditVerificationRequest _request;
    private readonly TimeProvider _time;
    private long _busySince = Stopwatch.GetTimestamp();

    /// <exception cref="ArgumentOutOfRangeException"><see cref="AuditVerificationRequest.MaxBusyShare"/> is not in (0, 1].</exception>
    public AuditWalkPace(AuditVerificationRequest request, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!(request.MaxBusyShare > 0 && request.MaxBusyShare <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.MaxBusyShare, "MaxBusyShare must be more than 0 and at most 1.");
        }

        _request = request;
        _time = time;
    }

    /// <summary>Records read and checked so far.</summary>
    public long Checked { get; private set; }

    /// <summary>Records the walk expects to read, once the store has counted them.</summary>
    public long ToCheck { get; set; }

    /// <summary>Checkpoints checked so far.</summary>
    public long Checkpoints { get; private set; }

    public void RecordChecked() => Checked++;

    public void CheckpointChecked() => Checkpoints++;

    public void Report() => _request.Progress?.Report(new AuditVerificationProgress(Checked, ToCheck, Checkpoints));

    /// <summary>Reports, then rests as the busy share asks.</summary>
    public async Task PageDoneAsync(CancellationToken cancellationToken)
    {
        Report();
        var share = _request.MaxBusyShare;
        if (share < 1)
        {
            var busy = Stopwatch.GetElapsedTime(_busySince);
            var rest = busy * ((1 / share) - 1);
            await Task.Delay(rest < MaxRest ? rest : MaxRest, _time, cancellationToken);
        }

        _busySince = Stopwatch.GetTimestamp();
    }
}
