using System.Text.Json.Nodes;

namespace XefAI.Models.Tests.Support;

internal static class TestRequests
{
    public static ModelDeployment OpenAIDeployment { get; } =
        new("gpt-4o-mini", "openai", "openai", "gpt-4o-mini-2024-07-18", "2024-07-18", HasBaa: false);

    public static ModelDeployment LocalDeployment { get; } =
        new("local-extractive", "local", null, "xefai-local-extractive", null, HasBaa: true);

    public static ModelRequest ForBody(string body, ModelDeployment? deployment = null) => new(
        deployment ?? OpenAIDeployment,
        [],
        new ChatOptions(),
        JsonNode.Parse(body)!.AsObject(),
        ModelContext.Empty);

    public static ModelRequest ForMessages(IReadOnlyList<ChatMessage> messages, ModelContext? context = null, int? maxTokens = null) => new(
        LocalDeployment,
        messages,
        new ChatOptions(MaxTokens: maxTokens),
        new JsonObject { ["model"] = "discharge-summary" },
        context ?? ModelContext.Empty);
}
