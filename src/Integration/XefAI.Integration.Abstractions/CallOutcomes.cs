using XefAI.Data;
using XefAI.Models;

namespace XefAI.Integration;

/// <summary>An answer, for the adapter to render in its protocol's shape.</summary>
/// <param name="UseCaseId">The use case that answered.</param>
/// <param name="RiskTier">Its risk tier, 1–4.</param>
/// <param name="Deployment">The deployment that answered.</param>
/// <param name="Timestamp">When the call started.</param>
public sealed record CallAnswer(string UseCaseId, int RiskTier, ModelDeployment Deployment, DateTimeOffset Timestamp)
{
    /// <summary>The answer of a chat call, as an OpenAI chat completion plus what the gateway read of it.</summary>
    public ModelResponse? Chat { get; init; }

    /// <summary>The vectors of an embeddings call.</summary>
    public EmbeddingResponse? Embeddings { get; init; }

    /// <summary>The prompt template that wrote the conversation, when a use case's template did.</summary>
    public RenderedPrompt? Prompt { get; init; }

    /// <summary>Problems recovered while reading the caller's clinical data (locations and codes, never values).</summary>
    public IReadOnlyList<ClinicalDataWarning> DataWarnings { get; init; } = [];

    /// <summary>The patient's pseudonym in the audit trail, when the data named a patient.</summary>
    public string? PatientPseudonym { get; init; }

    /// <summary>Released as a draft: a clinician must sign it off in the workflow app.</summary>
    public bool Draft { get; init; }

    /// <summary>
    /// Where an adapter may leave what holds its rendering's bytes (a pooled array): the gateway disposes of it when the
    /// call ends, after the response is written, and reads the rendering only until then. Null: the rendering owns its bytes.
    /// </summary>
    public Action<IDisposable>? DisposeWithCall { get; init; }
}

/// <summary>What the committed audit record says of a released answer, for protocols whose response names it.</summary>
/// <param name="OutputSha256">SHA-256 (hex) of the rendered answer, as the record holds it.</param>
public sealed record CallReceipt(string TraceId, string AuditId, string OutputSha256, DateTimeOffset Recorded);

/// <summary>A call whose answer waits for clinician review.</summary>
public sealed record HeldCall(string ReviewId, string AuditId, string TraceId, string UseCaseId);
