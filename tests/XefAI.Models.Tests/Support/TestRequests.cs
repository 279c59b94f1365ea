using System.Text.Json.Nodes;

namespace XefAI.Models.Tests.Support;

internal static class TestRequests
{
    public static ModelDeployment OpenAIDeployment { get; } =
        new("gpt-4o-mini", "openai", "openai", "gpt-4o-mini-2024-07-18", "2024-07-18", HasBaa: false);

    public static ModelDeployment LocalDeployment { get; } =
        new("local-extractive", "local", null, "xefai-local-extractive", null, HasBaa: true);

    public static ModelDeployment AnthropicDeployment { get; } =
        new("claude-sonnet", "anthropic", "anthropic", "claude-sonnet-4-5-20250929", "20250929", HasBaa: true);

    public static ModelRequest ForBody(string body, ModelDeployment? deployment = null, ChatOptions? options = null) => new(
        deployment ?? OpenAIDeployment,
        [],
        options ?? new ChatOptions(),
        JsonNode.Parse(body)!.AsObject(),
        ModelContext.Empty);

    public static ModelRequest ForMessages(IReadOnlyList<ChatMessage> messages, ModelContext? context = null, int? maxTokens = null) => new(
        LocalDeployment,
        messages,
        new ChatOptions(MaxTokens: maxTokens),
        new JsonObject { ["model"] = "discharge-summary" },
        context ?? ModelContext.Empty);

    /// <summary>A request as the host builds it for a translating provider: messages and options, not the raw body.</summary>
    public static ModelRequest ForChat(IReadOnlyList<ChatMessage> messages, ChatOptions? options = null) => new(
        AnthropicDeployment,
        messages,
        options ?? new ChatOptions(),
        new JsonObject { ["model"] = "discharge-summary" },
        ModelContext.Empty);
}
