using System.Diagnostics;
using System.Text.Json.Nodes;
using Npgsql;
using XefAI.Testing;

namespace XefAI.Governance.Tests;

/// <summary>
/// The review queue on PostgreSQL against a real server: the SQLite queue's behaviour, and reviews held on one
/// replica decided on another. Each test has an empty schema of the class's database.
/// </summary>
public sealed class PostgresReviewQueueTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private const string Answer = """{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Admit to cardiology."}}]}""";

    [PostgresFact]
    public async Task EnqueueAsync_ThenGetAndFindByAuditId_ReturnTheHeldAnswerAsEnqueued()
    {
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        var clock = new ManualClock(new DateTimeOffset(2025, 7, 1, 14, 0, 0, TimeSpan.FromHours(2)).AddTicks(1_234_567));
        var queue = schema.CreateReviewQueue(clock);

        var held = await queue.EnqueueAsync(Request("aud_1"), CancellationToken.None);

        Assert.Matches("^rev_[0-9a-f]{24}$", held.Id);
        Assert.Equal(ReviewStatus.Pending, held.Status);
        Assert.Equal(clock.Now, held.CreatedAt);
        Assert.Equal(held, await queue.GetAsync(held.Id, CancellationToken.None));
        Assert.Equal(held, await queue.FindByAuditIdAsync("aud_1", CancellationToken.None));
        Assert.Null(await queue.FindByAuditIdAsync("aud_2", CancellationToken.None));
        Assert.Null(await queue.GetAsync("rev_000000000000000000000000", CancellationToken.None));
    }

    [PostgresFact]
    public async Task ListAsync_ByStatus_OldestFirstWithinTheLimit()
    {
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        var clock = new ManualClock(new DateTimeOffset(2025, 7, 1, 12, 0, 0, TimeSpan.Zero));
        var queue = schema.CreateReviewQueue(clock);
        var first = await queue.EnqueueAsync(Request("aud_1"), CancellationToken.None);
        var sameTick = await queue.EnqueueAsync(Request("aud_2"), CancellationToken.None);
        clock.Now = clock.Now.AddMinutes(1);
        var later = await queue.EnqueueAsync(Request("aud_3"), CancellationToken.None);
        var decided = await queue.DecideAsync(sameTick.Id, new ReviewDecision(ReviewStatus.Rejected, "dr.b", "No", null), CancellationToken.None);

        Assert.Equal([first.Id, later.Id], (await queue.ListAsync(ReviewStatus.Pending, 10, CancellationToken.None)).Select(r => r.Id));
        Assert.Equal([first.Id, sameTick.Id], (await queue.ListAsync(null, 2, CancellationToken.None)).Select(r => r.Id));
        Assert.Equal([decided], await queue.ListAsync(ReviewStatus.Rejected, 10, CancellationToken.None));
        Assert.Empty(await queue.ListAsync(ReviewStatus.Approved, 10, CancellationToken.None));
    }

    [PostgresFact]
    public async Task DecideAsync_ApproveEditReject_ReleaseTheAnswerTheReviewersTextOrNothing()
    {
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        var clock = new ManualClock(new DateTimeOffset(2025, 7, 1, 12, 0, 0, TimeSpan.Zero));
        var queue = schema.CreateReviewQueue(clock);
        var approve = await queue.EnqueueAsync(Request("aud_1"), CancellationToken.None);
        var edit = await queue.EnqueueAsync(Request("aud_2"), CancellationToken.None);
        var reject = await queue.EnqueueAsync(Request("aud_3"), CancellationToken.None);
        clock.Now = clock.Now.AddMinutes(5);

        var approved = await queue.DecideAsync(approve.Id, new ReviewDecision(ReviewStatus.Approved, "dr.b", "ok", null), CancellationToken.None);
        var edited = await queue.DecideAsync(edit.Id, new ReviewDecision(ReviewStatus.Edited, "dr.b", null, "Likely NSTEMI – admit."), CancellationToken.None);
        var rejected = await queue.DecideAsync(reject.Id, new ReviewDecision(ReviewStatus.Rejected, "dr.b", "Not supported", null), CancellationToken.None);

        Assert.Equal(approve with { Status = ReviewStatus.Approved, Reviewer = "dr.b", DecidedAt = clock.Now, Comment = "ok", ReleasedAnswer = Answer }, approved);
        Assert.Equal(ReviewStatus.Edited, edited.Status);
        Assert.Equal("Likely NSTEMI – admit.", (string?)JsonNode.Parse(edited.ReleasedAnswer!)!["choices"]![0]!["message"]!["content"]);
        Assert.Equal(Answer, edited.Answer);
        Assert.Equal(ReviewStatus.Rejected, rejected.Status);
        Assert.Null(rejected.ReleasedAnswer);
        Assert.Equal(approved, await queue.GetAsync(approve.Id, CancellationToken.None));
    }

    [PostgresFact]
    public async Task DecideAsync_UnknownPendingOrEmptyEdit_RefusedWithTheirCodes()
    {
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        var queue = schema.CreateReviewQueue();
        var held = await queue.EnqueueAsync(Request("aud_1"), CancellationToken.None);

        var unknown = await Assert.ThrowsAsync<ReviewDecisionException>(() =>
            queue.DecideAsync("rev_000000000000000000000000", new ReviewDecision(ReviewStatus.Approved, "dr.b", null, null), CancellationToken.None).AsTask());
        var pending = await Assert.ThrowsAsync<ReviewDecisionException>(() =>
            queue.DecideAsync(held.Id, new ReviewDecision(ReviewStatus.Pending, "dr.b", null, null), CancellationToken.None).AsTask());
        var emptyEdit = await Assert.ThrowsAsync<ReviewDecisionException>(() =>
            queue.DecideAsync(held.Id, new ReviewDecision(ReviewStatus.Edited, "dr.b", null, " "), CancellationToken.None).AsTask());

        Assert.Equal("unknown_review", unknown.Code);
        Assert.Equal("invalid_decision", pending.Code);
        Assert.Equal("invalid_decision", emptyEdit.Code);
        Assert.Equal(held, await queue.GetAsync(held.Id, CancellationToken.None));
    }

    [PostgresFact]
    public async Task DecideAsync_HeldOnOneReplicaDecidedOnAnother_SeenByBothAndFinal()
    {
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        var holding = schema.CreateReviewQueue();
        var deciding = schema.CreateReviewQueue();
        var held = await holding.EnqueueAsync(Request("aud_1"), CancellationToken.None);

        var found = await deciding.FindByAuditIdAsync("aud_1", CancellationToken.None);
        var approved = await deciding.DecideAsync(found!.Id, new ReviewDecision(ReviewStatus.Approved, "dr.b", "ok", null), CancellationToken.None);
        var late = await Assert.ThrowsAsync<ReviewDecisionException>(() =>
            holding.DecideAsync(held.Id, new ReviewDecision(ReviewStatus.Rejected, "dr.c", null, null), CancellationToken.None).AsTask());

        Assert.Equal(approved, await holding.GetAsync(held.Id, CancellationToken.None));
        Assert.Equal("review_already_decided", late.Code);
        Assert.Equal($"Review '{held.Id}' was already approved by dr.b; a decision is final.", late.Message);
    }

    [PostgresFact]
    public async Task DecideAsync_TwoReviewersOnTwoReplicasAtOnce_ExactlyOneWinsTheOtherIsToldWhoDid()
    {
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        var first = schema.CreateReviewQueue();
        var second = schema.CreateReviewQueue();
        var held = await first.EnqueueAsync(Request("aud_1"), CancellationToken.None);

        // Both reviewers read the review as pending and reach their UPDATE while a third session holds the row:
        // when it lets go, the two updates race for the same pending review.
        Task<ReviewItem>[] decisions;
        await using (var blocker = new NpgsqlConnection(schema.ConnectionString))
        {
            await blocker.OpenAsync();
            await using var transaction = await blocker.BeginTransactionAsync();
            await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM reviews WHERE id = $1 FOR UPDATE", blocker, transaction))
            {
                lockRow.Parameters.Add(new NpgsqlParameter { Value = held.Id });
                await lockRow.ExecuteNonQueryAsync();
            }

            decisions =
            [
                Task.Run(() => first.DecideAsync(held.Id, new ReviewDecision(ReviewStatus.Approved, "dr.a", "ok", null), CancellationToken.None).AsTask()),
                Task.Run(() => second.DecideAsync(held.Id, new ReviewDecision(ReviewStatus.Rejected, "dr.b", "no", null), CancellationToken.None).AsTask()),
            ];
            await WaitUntilAsync(
                async () => await schema.ScalarAsync(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'UPDATE reviews%'") is 2L,
                "both decisions wait for the row");
            await transaction.CommitAsync();
        }

        await Task.WhenAll(decisions.Select(d => d.ContinueWith(_ => { }, TaskScheduler.Default)));
        var winner = Assert.Single(decisions, d => d.IsCompletedSuccessfully).Result;
        var loser = Assert.IsType<ReviewDecisionException>(Assert.Single(decisions, d => d.IsFaulted).Exception!.InnerException);

        Assert.Equal("review_already_decided", loser.Code);
        Assert.Equal($"Review '{held.Id}' was already {winner.Status.ToString().ToLowerInvariant()} by {winner.Reviewer}; a decision is final.", loser.Message);
        Assert.Equal(winner, await second.GetAsync(held.Id, CancellationToken.None));
    }

    [PostgresFact]
    public async Task ListDecideAndEnqueue_TableLockedByAStalledSession_FailWithinTheTimeoutThenRecover()
    {
        await using var schema = await TempPostgresGovernanceSchema.CreateAsync(database);
        var queue = schema.CreateReviewQueue(commandTimeoutSeconds: 1);
        var held = await queue.EnqueueAsync(Request("aud_1"), CancellationToken.None);

        await using (var stalled = await schema.OpenForeignConnectionAsync())
        {
            await using var transaction = await stalled.BeginTransactionAsync();
            await using (var hold = new NpgsqlCommand("LOCK TABLE reviews IN ACCESS EXCLUSIVE MODE", stalled, transaction))
            {
                await hold.ExecuteNonQueryAsync();
            }

            var clock = Stopwatch.StartNew();
            var failure = await Assert.ThrowsAnyAsync<NpgsqlException>(() => queue.ListAsync(null, 10, CancellationToken.None).AsTask());
            // lock_timeout, statement_timeout and the client's Command Timeout are equal: whichever fires first ends the
            // wait; on a loaded machine the client's own timer can come first.
            if (failure is PostgresException server)
            {
                Assert.Contains(server.SqlState, new[] { PostgresErrorCodes.LockNotAvailable, PostgresErrorCodes.QueryCanceled });
            }
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => queue.DecideAsync(
                held.Id, new ReviewDecision(ReviewStatus.Approved, "dr.b", "ok", null), CancellationToken.None).AsTask());
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => queue.EnqueueAsync(Request("aud_2"), CancellationToken.None).AsTask());

            // Generous: three statements against a 1 s timeout; unbounded, each waits as long as the lock is held.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(9), $"Three statements against a 1 s timeout took {clock.Elapsed}.");
        }

        var approved = await queue.DecideAsync(held.Id, new ReviewDecision(ReviewStatus.Approved, "dr.b", "ok", null), CancellationToken.None);
        Assert.Equal(ReviewStatus.Approved, approved.Status);
        Assert.Equal([held.Id], (await queue.ListAsync(null, 10, CancellationToken.None)).Select(r => r.Id));
    }

    private static ReviewRequest Request(string auditId) => new(auditId, "trace-" + auditId, "triage", "ed-board", 4, Answer);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what} did not happen within 15 s.");
            await Task.Delay(20);
        }
    }
}
