using System.Text.Json.Nodes;

namespace XefAI.Models;

/// <summary>A chat request as the Models layer sees it: validated, routed to one deployment.</summary>
/// <param name="Deployment">The deployment chosen for this attempt.</param>
/// <param name="Messages">The conversation, text only.</param>
/// <param name="Options">Sampling options the client set.</param>
/// <param name="Body">The client's OpenAI request, for providers that pass fields through unchanged.</param>
/// <param name="Context">Clinical context the Data layer extracted from the request.</param>
public sealed record ModelRequest(
    ModelDeployment Deployment,
    IReadOnlyList<ChatMessage> Messages,
    ChatOptions Options,
    JsonObject Body,
    ModelContext Context);

/// <summary>One message of the conversation; <paramref name="Content"/> is the concatenated text parts.</summary>
public sealed record ChatMessage(string Role, string Content, string? Name = null);

/// <summary>Sampling and delivery options; null means the client did not set it.</summary>
/// <param name="Stream">The client asked for server-sent events.</param>
/// <param name="IncludeUsage">The client asked for a final usage chunk (<c>stream_options.include_usage</c>).</param>
public sealed record ChatOptions(
    double? Temperature = null,
    double? TopP = null,
    int? MaxTokens = null,
    IReadOnlyList<string>? Stop = null,
    string? User = null,
    bool Stream = false,
    bool IncludeUsage = false);

/// <summary>Structured clinical context, mapped by the host from the Data layer.</summary>
public sealed record ModelContext(IReadOnlyList<ContextFact> Facts, IReadOnlyList<string> FreeText)
{
    public static ModelContext Empty { get; } = new([], []);

    public bool IsEmpty => Facts.Count == 0 && FreeText.Count == 0;
}

/// <summary>One clinical fact, e.g. category <c>Condition</c>, text <c>Type 2 diabetes mellitus</c>.</summary>
public sealed record ContextFact(string Category, string Text, string? Date = null, string? Status = null);
