using System.Text.Json.Nodes;
using XefAI.Models;

namespace XefAI.Integration;

/// <summary>What a call asks a model to do.</summary>
public enum CallOperation
{
    /// <summary>A chat completion: the conversation, or a use case's prompt template filled with clinical context.</summary>
    Chat,

    /// <summary>Vectors for texts.</summary>
    Embeddings,
}

/// <summary>
/// A call as every way in translates it. The pipeline governs it the same way whatever protocol it came in by.
/// </summary>
/// <param name="UseCaseId">The use case named by the caller; null when it named none (refused as a missing parameter).</param>
/// <param name="Operation">Chat or embeddings.</param>
public sealed record GatewayRequest(string? UseCaseId, CallOperation Operation)
{
    /// <summary>The request field that names the use case, for errors (OpenAI's <c>model</c>); null when the path names it.</summary>
    public string? UseCaseParam { get; init; }

    /// <summary>The conversation of a chat call; empty when the use case's prompt template writes it.</summary>
    public IReadOnlyList<ChatMessage> Messages { get; init; } = [];

    /// <summary>Sampling and delivery options of a chat call.</summary>
    public ChatOptions Options { get; init; } = NoOptions;

    // Immutable, so one instance serves every request that sets none: a chat adapter sets its own, and a new default
    // here would be made and dropped on every call.
    private static readonly ChatOptions NoOptions = new();

    /// <summary>
    /// The client's OpenAI-shaped request, for providers that pass fields through unchanged; for a templated call the
    /// pipeline writes it from the rendered prompt.
    /// </summary>
    public JsonObject? Body { get; init; }

    /// <summary>The inputs of an embeddings call.</summary>
    public OpenAIEmbeddingRequest? Embeddings { get; init; }

    /// <summary>
    /// The texts that may hold clinical data (a FHIR resource or Bundle as JSON, or plain text). By default, for a chat
    /// call, the content of its messages.
    /// </summary>
    public IReadOnlyList<string>? ClinicalInputs { get; init; }

    /// <summary>The request field that holds the clinical data, for errors (OpenAI's <c>messages</c>).</summary>
    public string? ClinicalInputsParam { get; init; }

    /// <summary>
    /// Where clinical data fetched from a FHIR server was cut short at the fetch's page or entry limit (e.g.
    /// <c>prefetch.observations</c>), each reported as a <c>truncated</c> data warning; never a query, which names the patient.
    /// </summary>
    public IReadOnlyList<string> TruncatedClinicalInputs { get; init; } = [];

    /// <summary>
    /// Task parameters of a clinical task: the use case's prompt template, rendered with the clinical context and
    /// these, writes the conversation. Null for a call that brings its own conversation.
    /// </summary>
    public IReadOnlyDictionary<string, string>? TaskParameters { get; init; }

    /// <summary>The end user on whose behalf the app calls, when it names one.</summary>
    public string? UserId { get; init; }

    /// <summary>
    /// A reason code the way in adds to the call's audit record to name what it called, e.g. a CDS service's
    /// <c>cds_service:&lt;id&gt;</c>. Bounded: a configured name, never text from the request; no ';' or ','.
    /// </summary>
    public string? AuditReason { get; init; }

    /// <summary>The client asked for the answer as a stream.</summary>
    public bool Stream => Operation == CallOperation.Chat && Options.Stream;
}
