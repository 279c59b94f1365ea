using XefAI.Data;
using XefAI.Governance;
using XefAI.Models;

namespace XefAI.Gateway.Tests.Pipeline.TestSupport;

/// <summary>An audit trail in memory that can be made to fail, and that lets a test look at the call when a record is committed.</summary>
internal sealed class FakeAuditTrail : IAuditTrail
{
    public List<AuditRecord> Records { get; } = [];

    /// <summary>When set, every append throws, as a store that cannot commit does.</summary>
    public bool Failing { get; set; }

    /// <summary>Runs as a record is committed (before the append returns).</summary>
    public Action<AuditEntry>? Committing { get; set; }

    public string StoreKind => "memory";

    public ValueTask<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        if (Failing)
        {
            throw new AuditUnavailableException("The test store is down.");
        }

        Committing?.Invoke(entry);
        var record = new AuditRecord($"audit-{Records.Count + 1}", Records.Count + 1, entry, "prev", "hash");
        Records.Add(record);
        return ValueTask.FromResult(record);
    }

    public ValueTask<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<AuditRecord>>(Records);

    public ValueTask<AuditRecord?> GetAsync(string id, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Records.FirstOrDefault(r => r.Id == id));

    public ValueTask<AuditChainVerification> VerifyAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(new AuditChainVerification(true, Records.Count));

    public ValueTask<bool> IsReadyAsync(CancellationToken cancellationToken) => ValueTask.FromResult(!Failing);
}

internal sealed class FakeMetrics : IGatewayMetrics
{
    public List<string> Denials { get; } = [];

    public List<CallMeasurement> Calls { get; } = [];

    public List<(string Kind, int Count)> Redactions { get; } = [];

    public void RecordCall(CallMeasurement measurement) => Calls.Add(measurement);

    public void RecordPolicyDenial(string reasonCode) => Denials.Add(reasonCode);

    public void RecordAuditWrite(bool committed, TimeSpan duration)
    {
    }

    public void RecordFallback(string useCase, string fromDeployment, string reason)
    {
    }

    public void RecordDeprecatedModelCall(string deployment)
    {
    }

    public void RecordAuthFailures(string route, string kind, string outcome, int count)
    {
    }

    public void RecordPhiRedactions(string kind, int count) => Redactions.Add((kind, count));

    public void RecordFeedback(string useCase, string outcome)
    {
    }
}

/// <summary>A policy engine that decides as the test says, and keeps what it was asked.</summary>
internal sealed class FakePolicyEngine(Func<PolicyContext, PolicyDecision>? decide = null) : IPolicyEngine
{
    public List<PolicyContext> Asked { get; } = [];

    public PolicyDecision Evaluate(PolicyContext context)
    {
        Asked.Add(context);
        return decide?.Invoke(context) ?? PolicyDecision.Allow;
    }

    public static PolicyDecision Deny(string code, TimeSpan? retryAfter = null) =>
        new([new PolicyDenial(code, $"Denied: {code}.") { RetryAfter = retryAfter }]);
}

internal sealed class FakeReviewQueue : IReviewQueue
{
    public List<ReviewRequest> Queued { get; } = [];

    public bool Failing { get; set; }

    public ValueTask<ReviewItem> EnqueueAsync(ReviewRequest request, CancellationToken cancellationToken)
    {
        if (Failing)
        {
            throw new InvalidOperationException("The test review queue is down.");
        }

        Queued.Add(request);
        return ValueTask.FromResult(new ReviewItem(
            $"review-{Queued.Count}", request.AuditId, request.TraceId, request.UseCaseId, request.AppId, request.RiskTier,
            DateTimeOffset.UnixEpoch, ReviewStatus.Pending, request.Answer));
    }

    public ValueTask<ReviewItem?> GetAsync(string id, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask<IReadOnlyList<ReviewItem>> ListAsync(ReviewStatus? status, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask<ReviewItem?> FindByAuditIdAsync(string auditId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask<ReviewItem> DecideAsync(string id, ReviewDecision decision, CancellationToken cancellationToken) => throw new NotSupportedException();
}

/// <summary>A de-identifier that knows one identifier: it replaces <paramref name="word"/> with <paramref name="token"/>, and back.</summary>
internal sealed class WordProtector(string word, string token) : IDataProtector
{
    public string Name => "test-word";

    public bool DeIdentifies => true;

    public List<ClinicalContext> Begun { get; } = [];

    /// <summary>The app each protection was begun for; null when none was named.</summary>
    public List<string?> Apps { get; } = [];

    public IDataProtection Begin(ClinicalContext context) => Begin(context, null);

    public IDataProtection Begin(ClinicalContext context, string? appId)
    {
        Begun.Add(context);
        Apps.Add(appId);
        return new Protection(word, token);
    }

    private sealed class Protection(string word, string token) : IDataProtection
    {
        public int Replacements { get; private set; }

        public IReadOnlyDictionary<string, int> ReplacementsByKind => Replacements == 0
            ? new Dictionary<string, int>()
            : new Dictionary<string, int> { ["name"] = Replacements };

        public string Protect(string text)
        {
            if (!text.Contains(word, StringComparison.Ordinal))
            {
                return text;
            }

            Replacements++;
            return text.Replace(word, token, StringComparison.Ordinal);
        }

        public string Restore(string text) => text.Contains(token, StringComparison.Ordinal) ? text.Replace(token, word, StringComparison.Ordinal) : text;
    }
}

internal sealed class FakeClinicalContextBuilder(Func<IReadOnlyList<string>, ClinicalContext>? build = null) : IClinicalContextBuilder
{
    public List<IReadOnlyList<string>> Inputs { get; } = [];

    public ClinicalContext Build(IReadOnlyList<string> inputs)
    {
        Inputs.Add(inputs);
        return build?.Invoke(inputs) ?? ClinicalContext.Empty;
    }
}

internal sealed class FakePseudonymizer : IPatientPseudonymizer
{
    public string Pseudonymize(string patientReference) => "pseudo:" + patientReference.Length;
}

/// <summary>A template catalog that renders as the test says, and keeps what it was asked.</summary>
internal sealed class FakeTemplateCatalog(Func<string, string, ClinicalContext, IReadOnlyDictionary<string, string>, RenderedPrompt> render) : IPromptTemplateCatalog
{
    public int Renders { get; private set; }

    public IReadOnlyList<PromptTemplateInfo> Templates => [];

    public PromptTemplateInfo? Find(string templateName, string version) => null;

    public Task<RenderedPrompt> RenderAsync(
        string templateName, string version, ClinicalContext context, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken = default)
    {
        Renders++;
        return Task.FromResult(render(templateName, version, context, parameters));
    }
}

internal sealed class FakeErrorRates : IErrorRateMonitor
{
    public List<(string UseCase, bool Failed)> Outcomes { get; } = [];

    public void RecordOutcome(string useCaseId, bool failed) => Outcomes.Add((useCaseId, failed));
}

internal sealed class FakeProviderCatalog(params IModelProvider[] providers) : IModelProviderCatalog
{
    public List<string> Asked { get; } = [];

    public IReadOnlyCollection<string> Kinds => [.. providers.Select(p => p.Kind)];

    public bool TryGet(string kind, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IModelProvider? provider)
    {
        Asked.Add(kind);
        provider = providers.FirstOrDefault(p => p.Kind == kind);
        return provider is not null;
    }
}
