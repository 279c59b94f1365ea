namespace XefAI.Governance.Tests;

/// <summary>Progress&lt;T&gt; posts to the thread pool; a test needs the reports in order, before the walk returns.</summary>
internal sealed class SynchronousProgress(Action<AuditVerificationProgress> report) : IProgress<AuditVerificationProgress>
{
    public void Report(AuditVerificationProgress value) => report(value);
}
