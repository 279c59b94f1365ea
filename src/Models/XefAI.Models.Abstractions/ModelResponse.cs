using System.Text.Json.Nodes;

namespace XefAI.Models;

/// <summary>A provider's answer as an OpenAI chat completion, plus what governance needs to read from it.</summary>
/// <param name="Completion">The <c>chat.completion</c> object returned to the client.</param>
/// <param name="Model">The model that answered, as the vendor names it.</param>
/// <param name="Content">The text of the first choice, for audit and output checks.</param>
/// <param name="FinishReason">Why generation stopped, in OpenAI's terms.</param>
/// <param name="Usage">Token usage, when the vendor reported it.</param>
public sealed record ModelResponse(JsonObject Completion, string Model, string Content, string? FinishReason, TokenUsage? Usage)
{
    /// <summary>
    /// Whether a choice's message holds a refusal (OpenAI's <c>message.refusal</c>), as the provider read it; false where
    /// the provider did not say. A refusal is text for a person, restored as content is.
    /// </summary>
    public bool HasRefusal { get; init; }
}

/// <summary>Token counts of one call.</summary>
public sealed record TokenUsage(int InputTokens, int OutputTokens)
{
    public int TotalTokens => InputTokens + OutputTokens;
}
