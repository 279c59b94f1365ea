using System.Text.Json.Nodes;

namespace XefAI.Models;

/// <summary>Builds OpenAI <c>chat.completion</c> objects for providers whose vendor speaks another format.</summary>
public static class OpenAIChatCompletion
{
    public static ModelResponse Create(string id, string model, string content, string finishReason, TokenUsage? usage, DateTimeOffset created)
    {
        var completion = new JsonObject
        {
            ["id"] = id,
            ["object"] = "chat.completion",
            ["created"] = created.ToUnixTimeSeconds(),
            ["model"] = model,
            ["choices"] = new JsonArray
            {
                new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
                    ["finish_reason"] = finishReason,
                },
            },
        };

        if (usage is not null)
        {
            completion["usage"] = new JsonObject
            {
                ["prompt_tokens"] = usage.InputTokens,
                ["completion_tokens"] = usage.OutputTokens,
                ["total_tokens"] = usage.TotalTokens,
            };
        }

        return new ModelResponse(completion, model, content, finishReason, usage);
    }
}
