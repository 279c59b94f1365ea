using XefAI.Governance;

namespace XefAI.Gateway.Admin;

/// <summary>
/// How clinicians took the AI's output, per use case, from the audit trail over a window: CDS Hooks card feedback
/// (<c>feedback</c> records: accepted or overridden with a reason code) and review decisions (<c>review-approved</c>,
/// <c>review-edited</c>, <c>review-rejected</c>). Accept, edit and override rates, and override reasons by code: the
/// numbers a governance committee reviews each month. Read from the records, so they survive restarts and replicas.
/// </summary>
internal static class AdoptionReport
{
    /// <summary>Most records one report reads; a window with more says so (<c>truncated</c>).</summary>
    public const int MaxRecords = 200_000;

    private const int Page = 1000;

    public static async Task<Report> BuildAsync(IAuditTrail audit, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var byUseCase = new SortedDictionary<string, Counts>(StringComparer.Ordinal);
        long? before = null;
        var scanned = 0;
        var truncated = false;
        while (true)
        {
            var page = await audit.QueryAsync(new AuditQuery(From: from, To: to, Limit: Page, BeforeSequence: before), cancellationToken);
            foreach (var record in page)
            {
                Count(byUseCase, record.Entry);
            }

            scanned += page.Count;
            if (page.Count < Page)
            {
                break;
            }

            if (scanned >= MaxRecords)
            {
                truncated = true;
                break;
            }

            before = page[^1].Sequence;
        }

        return new Report(new Window(from, to), scanned, truncated, [.. byUseCase.Select(p => p.Value.ToJson(p.Key))]);
    }

    /// <summary>The report as JSON names it: its window, how many records were read, and adoption per use case.</summary>
    public sealed record Report(Window Window, int ScannedRecords, bool Truncated, IReadOnlyList<object> Adoption);

    public sealed record Window(DateTimeOffset From, DateTimeOffset To);

    private static void Count(SortedDictionary<string, Counts> byUseCase, AuditEntry entry)
    {
        if (entry.UseCaseId is not { } useCase)
        {
            return;
        }

        switch (entry.Decision)
        {
            case "feedback" when entry.Feedback is { } feedback:
                var counts = For(byUseCase, useCase);
                counts.CardFeedback++;
                if (feedback == AuditFeedback.Accepted)
                {
                    counts.Accepted++;
                }
                else if (feedback.StartsWith(AuditFeedback.Overridden, StringComparison.Ordinal))
                {
                    counts.Overridden++;
                    var code = feedback.Length > AuditFeedback.Overridden.Length + 1 ? feedback[(AuditFeedback.Overridden.Length + 1)..] : "(none)";
                    counts.OverrideReasons[code] = counts.OverrideReasons.GetValueOrDefault(code) + 1;
                }

                break;
            case "review-approved":
                For(byUseCase, useCase).Reviewed(accepted: 1);
                break;
            case "review-edited":
                For(byUseCase, useCase).Reviewed(edited: 1);
                break;
            case "review-rejected":
                For(byUseCase, useCase).Reviewed(overridden: 1);
                break;
        }
    }

    private static Counts For(SortedDictionary<string, Counts> byUseCase, string useCase)
    {
        if (!byUseCase.TryGetValue(useCase, out var counts))
        {
            counts = new Counts();
            byUseCase[useCase] = counts;
        }

        return counts;
    }

    private sealed class Counts
    {
        public int Accepted { get; set; }

        public int Edited { get; set; }

        public int Overridden { get; set; }

        public int CardFeedback { get; set; }

        public int Reviews { get; set; }

        public SortedDictionary<string, int> OverrideReasons { get; } = new(StringComparer.Ordinal);

        public void Reviewed(int accepted = 0, int edited = 0, int overridden = 0)
        {
            Accepted += accepted;
            Edited += edited;
            Overridden += overridden;
            Reviews++;
        }

        public object ToJson(string useCase)
        {
            var total = Accepted + Edited + Overridden;
            return new
            {
                useCase,
                total,
                accepted = Accepted,
                edited = Edited,
                overridden = Overridden,
                acceptRate = Rate(Accepted, total),
                editRate = Rate(Edited, total),
                overrideRate = Rate(Overridden, total),
                overrideReasons = OverrideReasons,
                sources = new { cardFeedback = CardFeedback, reviews = Reviews },
            };
        }

        private static double? Rate(int count, int total) => total == 0 ? null : Math.Round((double)count / total, 4);
    }
}
