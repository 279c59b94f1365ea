namespace XefAI.Governance.Tests;

/// <summary>
/// What the audit writer loop spends per record on the entry's checks and its attempts column: nothing for the
/// checks of a valid entry, only the column's string for the attempts, and the same text as before.
/// </summary>
public sealed class AuditWriterAllocationTests
{
    private static readonly AuditAttempt[] Attempts =
    [
        new("gpt-eu-2", null, "vendor_timeout", null, 30000.5),
        new("gpt-eu-1", "openai/primary", "answered", 200, 812.25),
    ];

    [Fact]
    public void Validate_ValidEntryWithAttempts_AllocatesNothing()
    {
        var entry = AuditEntries.Create(1) with { Attempts = Attempts };
        AuditEntryGuard.Validate(entry);

        var before = GC.GetAllocatedBytesForCurrentThread();
        AuditEntryGuard.Validate(entry);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Validate_AttemptWithoutOutcome_NamesTheAttempt()
    {
        var entry = AuditEntries.Create(1) with { Attempts = [Attempts[0], Attempts[1] with { Outcome = "" }] };

        var error = Assert.Throws<ArgumentException>(() => AuditEntryGuard.Validate(entry));

        Assert.StartsWith("The audit entry's attempt 1 needs an outcome.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writer_UsedForSeveralEntries_WritesWhatWriteWrites()
    {
        using var writer = new AuditAttemptsJson.Writer();
        IReadOnlyList<AuditAttempt>[] entries = [Attempts, [], [Attempts[1]], Attempts.Reverse().ToArray()];

        foreach (var attempts in entries)
        {
            var text = writer.Write(attempts);

            Assert.Equal(AuditAttemptsJson.Write(attempts), text);
            Assert.Equal(attempts, AuditAttemptsJson.Parse(text));
        }
    }

    [Fact]
    public void Writer_Reused_AllocatesOnlyTheColumnText()
    {
        using var writer = new AuditAttemptsJson.Writer();
        var text = writer.Write(Attempts);

        var before = GC.GetAllocatedBytesForCurrentThread();
        writer.Write(Attempts);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // The string: 2 bytes a character and a header. A buffer and a JSON writer per record cost as much again.
        Assert.True(allocated <= (2 * text.Length) + 32, $"{allocated} bytes allocated for a {text.Length}-character column");
    }
}
