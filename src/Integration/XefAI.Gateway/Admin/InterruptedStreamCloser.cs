using Microsoft.Extensions.Options;
using XefAI.Gateway.Configuration;
using XefAI.Governance;

namespace XefAI.Gateway.Admin;

/// <summary>
/// At start-up, gives every stream that a crash cut short its closing record, so the trail says how every
/// call ended. A stream's opening record (decision <c>streaming</c>) is normally followed by a closing one
/// with the same trace id (reasons <c>stream_opened_by:{id}</c>, or the error code); when the process died
/// between the two, this appends decision <c>interrupted</c>, status 500 (the gateway, not the client,
/// failed to finish), reasons <c>stream_interrupted;opened_by:{id}</c>, with the opening's trace id, app,
/// use case, patient pseudonym and call-start time.
/// </summary>
/// <remarks>
/// <para>Only streams that are certainly dead are closed. With the embedded SQLite store one process owns the
/// trail, so every stream opened before this process started is dead. With a shared store (PostgreSQL, or any
/// other kind) other replicas may be serving streams right now, and records do not say which replica wrote
/// them; a stream is then closed only if its call started more than the longest total timeout plus an hour
/// before this process did: the total timeout also bounds the silence between chunks, and no model streams
/// for an hour. A stream too young for that is closed by a later start-up.</para>
/// <para>Runs before the gateway takes calls, and every start-up re-reads what is already closed, so
/// restarting does not close a stream twice. Two replicas of a shared store starting at the same moment could
/// both close the same dead stream; both records then name the same opening, and the first one counts.</para>
/// <para>Looks back <see cref="Lookback"/> from start-up: the scan must stay cheap on a trail of years.</para>
/// </remarks>
internal sealed partial class InterruptedStreamCloser(
    IAuditTrail audit,
    TimeProvider time,
    IOptions<ResilienceOptions> resilience,
    ILogger<InterruptedStreamCloser> logger) : IHostedService
{
    public const string Decision = "interrupted";

    public const int StatusCode = StatusCodes.Status500InternalServerError;

    private const string OpeningDecision = "streaming";
    private const string OpenedByPrefix = "opened_by:";
    private const string StreamOpenedByPrefix = "stream_opened_by:";
    private const int PageSize = 1000;

    public static readonly TimeSpan Lookback = TimeSpan.FromDays(30);

    private static readonly TimeSpan SharedStoreMargin = TimeSpan.FromHours(1);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var closed = await CloseInterruptedStreamsAsync(cancellationToken);
            if (closed > 0)
            {
                LogClosed(logger, closed);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The audit store may be down at start-up; readiness reports that, and the next start-up tries again.
            LogFailed(logger, StoreRefusals.Loggable(ex), ex.GetType().Name);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <returns>How many closing records were appended.</returns>
    internal async Task<int> CloseInterruptedStreamsAsync(CancellationToken cancellationToken)
    {
        var startedAt = time.GetUtcNow();
        var cutoff = startedAt - GraceFor(audit.StoreKind);

        // Newest first, so every closing record is read before the opening it closes.
        var closedIds = new HashSet<string>(StringComparer.Ordinal);
        var unnamedClosings = new Dictionary<string, int>(StringComparer.Ordinal);
        var interrupted = new List<AuditRecord>();
        long? before = null;
        while (true)
        {
            var page = await audit.QueryAsync(
                new AuditQuery(From: startedAt - Lookback, Limit: PageSize, BeforeSequence: before, Streamed: true), cancellationToken);
            foreach (var record in page)
            {
                var entry = record.Entry;
                if (entry.Decision != OpeningDecision)
                {
                    if (OpeningNamedBy(entry.Reasons) is { } opening)
                    {
                        closedIds.Add(opening);
                    }
                    else
                    {
                        // A failed stream's closing record carries its error code, not the opening's id: match by trace id.
                        unnamedClosings[entry.TraceId] = unnamedClosings.GetValueOrDefault(entry.TraceId) + 1;
                    }
                }
                else if (!closedIds.Remove(record.Id) && !TakeUnnamedClosing(unnamedClosings, entry.TraceId) && entry.Timestamp < cutoff)
                {
                    interrupted.Add(record);
                }
            }

            if (page.Count < PageSize)
            {
                break;
            }

            before = page[^1].Sequence;
        }

        // Oldest first, so the trail closes streams in the order they opened.
        interrupted.Reverse();
        foreach (var opening in interrupted)
        {
            await audit.AppendAsync(ClosingOf(opening), cancellationToken);
        }

        return interrupted.Count;
    }

    internal static AuditEntry ClosingOf(AuditRecord opening) => new()
    {
        Timestamp = opening.Entry.Timestamp,
        TraceId = opening.Entry.TraceId,
        AppId = opening.Entry.AppId,
        UserId = opening.Entry.UserId,
        PatientPseudonym = opening.Entry.PatientPseudonym,
        UseCaseId = opening.Entry.UseCaseId,
        RiskTier = opening.Entry.RiskTier,
        Decision = Decision,
        Reasons = $"stream_interrupted;{OpenedByPrefix}{opening.Id}",
        StatusCode = StatusCode,
        Provider = opening.Entry.Provider,
        Deployment = opening.Entry.Deployment,
        Model = opening.Entry.Model,
        InputSha256 = opening.Entry.InputSha256,

        // What left for the vendor was decided before the stream opened.
        DeIdentification = opening.Entry.DeIdentification,
        Redactions = opening.Entry.Redactions,

        // How long it ran and what it sent died with the process.
        LatencyMs = 0,
        Streamed = true,
    };

    private TimeSpan GraceFor(string storeKind)
    {
        if (string.Equals(storeKind, "sqlite", StringComparison.OrdinalIgnoreCase))
        {
            return TimeSpan.Zero;
        }

        var options = resilience.Value;
        var longest = options.UseCases.Values.Select(u => u.TotalTimeout ?? TimeSpan.Zero).Append(options.TotalTimeout).Max();
        return longest + SharedStoreMargin;
    }

    /// <summary>The opening record a closing one names: <c>stream_opened_by:{id}</c> or <c>opened_by:{id}</c>.</summary>
    private static string? OpeningNamedBy(string? reasons)
    {
        if (reasons is null)
        {
            return null;
        }

        foreach (var part in reasons.Split([';', ','], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.StartsWith(StreamOpenedByPrefix, StringComparison.Ordinal))
            {
                return part[StreamOpenedByPrefix.Length..];
            }

            if (part.StartsWith(OpenedByPrefix, StringComparison.Ordinal))
            {
                return part[OpenedByPrefix.Length..];
            }
        }

        return null;
    }

    private static bool TakeUnnamedClosing(Dictionary<string, int> unnamedClosings, string traceId)
    {
        if (!unnamedClosings.TryGetValue(traceId, out var count))
        {
            return false;
        }

        if (count == 1)
        {
            unnamedClosings.Remove(traceId);
        }
        else
        {
            unnamedClosings[traceId] = count - 1;
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closed {Count} streams that a previous run of the gateway left open; their records say 'interrupted'.")]
    private static partial void LogClosed(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Streams left open by a previous run could not be closed on the audit trail ({ExceptionType}); the next start-up tries again.")]
    private static partial void LogFailed(ILogger logger, Exception? exception, string exceptionType);
}
