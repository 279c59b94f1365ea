using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using XefAI.Models.Providers.Wire;

namespace XefAI.Models.Providers.Anthropic;

/// <summary>
/// Translates the parts of an OpenAI chat request that are more than text into Anthropic's Messages format:
/// tools and tool choice, assistant tool calls, tool results and images. What Anthropic cannot honour is refused
/// with <see cref="UnsupportedRequestException"/> naming the field, never dropped.
/// </summary>
/// <remarks>
/// The simplified <see cref="ModelRequest.Messages"/> join text parts and lose everything else, so each message is
/// read together with its original in <see cref="ModelRequest.Body"/>. A request built without the client's
/// messages (an in-process caller) is translated from its text alone.
/// </remarks>
internal static class AnthropicRequestTranslator
{
    /// <summary>Prefixes a tool result that names no tool call (legacy <c>function</c> messages), sent as user text.</summary>
    public const string ToolResultPrefix = "Tool result: ";

    // The image types Anthropic's vision documentation lists.
    private static readonly HashSet<string> ImageMediaTypes = new(StringComparer.Ordinal) { "image/jpeg", "image/png", "image/gif", "image/webp" };

    /// <summary>
    /// Refuses OpenAI request fields that change what the answer is and that Anthropic has no equivalent for.
    /// Fields at their default (<c>"logprobs": false</c>, <c>"frequency_penalty": 0</c>) pass, since SDKs send them
    /// unasked. <c>seed</c> passes: OpenAI itself promises no determinism from it.
    /// </summary>
    public static void RefuseUntranslatable(JsonObject body)
    {
        if (body["response_format"] is { } format && !(format is JsonObject formatObject && GetString(formatObject, "type") == "text"))
        {
            throw new UnsupportedRequestException(
                "response_format",
                "Anthropic models cannot be held to a JSON 'response_format'. Ask for JSON in the prompt, or define a tool with the schema and force it with 'tool_choice'.");
        }

        foreach (var legacy in (string[])["functions", "function_call"])
        {
            if (body[legacy] is not null)
            {
                throw new UnsupportedRequestException(
                    legacy, $"'{legacy}' (legacy function calling) cannot be sent to Anthropic models. Use 'tools' and 'tool_choice'.");
            }
        }

        if (body["audio"] is not null || (body["modalities"] is { } modalities && !IsTextOnly(modalities)))
        {
            throw new UnsupportedRequestException(
                body["audio"] is not null ? "audio" : "modalities", "Anthropic models answer in text only.");
        }

        if (body["logprobs"] is { } logprobs && !IsFalse(logprobs))
        {
            throw new UnsupportedRequestException("logprobs", "Anthropic models do not report log probabilities.");
        }

        if (body["top_logprobs"] is not null)
        {
            throw new UnsupportedRequestException("top_logprobs", "Anthropic models do not report log probabilities.");
        }

        if (body["logit_bias"] is { } bias && !(bias is JsonObject { Count: 0 }))
        {
            throw new UnsupportedRequestException("logit_bias", "Anthropic models take no logit bias.");
        }

        foreach (var penalty in (string[])["frequency_penalty", "presence_penalty"])
        {
            if (body[penalty] is { } value && !IsZero(value))
            {
                throw new UnsupportedRequestException(penalty, $"Anthropic models take no '{penalty}'; leave it unset or 0.");
            }
        }

        if (body["web_search_options"] is not null)
        {
            throw new UnsupportedRequestException("web_search_options", "The gateway does not enable web search for Anthropic models.");
        }
    }

    /// <summary>
    /// Splits the conversation into Anthropic's top-level system prompt and its user/assistant turns.
    /// </summary>
    /// <remarks>
    /// Anthropic has no system role in <c>messages</c>, so system and developer messages, wherever they stand,
    /// become the one system prompt. Consecutive turns of one role are merged: the API reference says it
    /// combines them itself, but it has answered "roles must alternate" before and compatible endpoints still
    /// do. OpenAI's tool messages become <c>tool_result</c> blocks of a user turn, ahead of that turn's other
    /// content as Anthropic requires. Empty text is dropped and a final assistant turn (a prefill) loses
    /// trailing whitespace, since the API rejects both. A turn of text alone is sent as a string, its parts
    /// joined by a blank line.
    /// </remarks>
    public static (string? System, JsonArray Messages) Conversation(ModelRequest request)
    {
        var messages = request.Messages;
        var originals = request.Body["messages"] is JsonArray array && array.Count == messages.Count ? array : null;
        StringBuilder? system = null;
        var turns = new List<Turn>(messages.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            var original = originals?[i] as JsonObject;
            var path = $"messages[{i}]";
            switch (message.Role)
            {
                case "system" or "developer":
                    // Anthropic's system prompt is text; an image there has nowhere to go.
                    _ = ContentBlocks(message, original, path, allowImages: false, allowRefusal: false);
                    if (!string.IsNullOrWhiteSpace(message.Content))
                    {
                        system = system is null ? new StringBuilder(message.Content) : system.Append("\n\n").Append(message.Content);
                    }

                    break;
                case "assistant":
                    Add(turns, "assistant", AssistantBlocks(message, original, path));
                    break;
                case "tool" when original is not null && GetString(original, "tool_call_id") is { } toolCallId:
                    AddToolResult(turns, ToolResult(message, original, toolCallId, path));
                    break;
                case "tool" or "function":
                    // Nothing ties this result to a tool call, so it is kept as text the model can still read.
                    Add(turns, "user", TextBlocks(ToolResultPrefix, message.Content));
                    break;
                default:
                    Add(turns, "user", ContentBlocks(message, original, path, allowImages: true, allowRefusal: false));
                    break;
            }
        }

        if (turns.Count == 0)
        {
            // Anthropic refuses an empty message list; saying so here names the client's fix instead of relaying a vendor 400.
            throw new UnsupportedRequestException(
                "messages",
                "Anthropic models need at least one user or assistant message with content; this conversation has only system or developer messages, or empty ones. Send the request itself as a user message.");
        }

        if (turns is [.., { Role: "assistant" } prefill] && prefill.Blocks[^1] is var lastBlock && IsText(lastBlock))
        {
            var trimmed = ((string)lastBlock["text"]!).TrimEnd();
            lastBlock["text"] = trimmed;
        }

        var result = new JsonArray();
        foreach (var turn in turns)
        {
            JsonNode content = turn.Blocks.TrueForAll(IsText)
                ? string.Join("\n\n", turn.Blocks.Select(block => (string)block["text"]!))
                : new JsonArray([.. turn.Blocks]);
            result.Add(new JsonObject { ["role"] = turn.Role, ["content"] = content });
        }

        return (system?.ToString(), result);
    }

    /// <summary>
    /// Writes <c>tools</c> and <c>tool_choice</c>: OpenAI's function tools as Anthropic tools, <c>auto</c>,
    /// <c>required</c>, <c>none</c> and a named function as <c>auto</c>, <c>any</c>, <c>none</c> and <c>tool</c>,
    /// and <c>parallel_tool_calls: false</c> as <c>disable_parallel_tool_use</c>.
    /// </summary>
    public static void WriteTools(Utf8JsonWriter writer, JsonObject body)
    {
        var tools = body["tools"] switch
        {
            null => null,
            JsonArray array => array,
            _ => throw new UnsupportedRequestException("tools", "'tools' must be an array of function tools."),
        };

        var hasTools = tools is { Count: > 0 };
        var choice = ToolChoice(body, hasTools);
        if (hasTools)
        {
            writer.WriteStartArray("tools");
            for (var i = 0; i < tools!.Count; i++)
            {
                WriteToolDefinition(writer, tools[i], $"tools[{i}]");
            }

            writer.WriteEndArray();
        }

        if (choice is not null)
        {
            writer.WritePropertyName("tool_choice");
            choice.WriteTo(writer);
        }
    }

    /// <summary>
    /// Writes one function tool as an Anthropic tool. The schema is written from the client's node, not copied into
    /// a new tree: the client's body is shared with audit and fallback attempts and must stay as it is.
    /// </summary>
    private static void WriteToolDefinition(Utf8JsonWriter writer, JsonNode? node, string path)
    {
        if (node is not JsonObject tool || GetString(tool, "type") != "function")
        {
            throw new UnsupportedRequestException(
                $"{path}.type", "Only function tools ({\"type\": \"function\", \"function\": {...}}) can be sent to Anthropic models.");
        }

        if (tool["function"] is not JsonObject function || GetString(function, "name") is not { } name)
        {
            throw new UnsupportedRequestException($"{path}.function.name", "A function tool needs a 'function' object with a string 'name'.");
        }

        var parameters = function["parameters"] switch
        {
            null => null,
            JsonObject schema => schema,
            _ => throw new UnsupportedRequestException($"{path}.function.parameters", "A function's 'parameters' must be a JSON Schema object."),
        };

        writer.WriteStartObject();
        writer.WriteString("name", name);
        if (GetString(function, "description") is { } description)
        {
            writer.WriteString("description", description);
        }

        // Anthropic requires an input schema; OpenAI's default for a function without parameters is no arguments.
        writer.WritePropertyName("input_schema");
        if (parameters is null)
        {
            writer.WriteStartObject();
            writer.WriteString("type", "object");
            writer.WriteStartObject("properties");
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        else
        {
            parameters.WriteTo(writer);
        }

        // Anthropic's strict tool use gives the guarantee OpenAI's strict does: inputs that match the schema.
        if (function["strict"] is { } strict && !IsFalse(strict))
        {
            writer.WriteBoolean("strict", true);
        }

        writer.WriteEndObject();
    }

    private static JsonObject? ToolChoice(JsonObject body, bool hasTools)
    {
        var parallel = body["parallel_tool_calls"];
        if (parallel is not null && parallel.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
        {
            throw new UnsupportedRequestException("parallel_tool_calls", "'parallel_tool_calls' must be a boolean.");
        }

        var choice = body["tool_choice"] switch
        {
            null => null,
            JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>() switch
            {
                "auto" => new JsonObject { ["type"] = "auto" },
                "required" => new JsonObject { ["type"] = "any" },
                "none" => new JsonObject { ["type"] = "none" },
                _ => null,
            },
            JsonObject named when GetString(named, "type") == "function" && named["function"] is JsonObject function
                && GetString(function, "name") is { } name => new JsonObject { ["type"] = "tool", ["name"] = name },
            _ => null,
        };

        if (choice is null && body["tool_choice"] is not null)
        {
            throw new UnsupportedRequestException(
                "tool_choice",
                "'tool_choice' must be \"auto\", \"required\", \"none\" or {\"type\": \"function\", \"function\": {\"name\": ...}} for Anthropic models.");
        }

        if (!hasTools)
        {
            // "auto" and "none" without tools mean what no tools means; asking for a tool that does not exist does not.
            return GetString(choice, "type") is "any" or "tool"
                ? throw new UnsupportedRequestException("tool_choice", "'tool_choice' asks for a tool call, but 'tools' defines no tools.")
                : null;
        }

        var disableParallel = parallel?.GetValueKind() == JsonValueKind.False;
        if (disableParallel && GetString(choice, "type") != "none")
        {
            choice ??= new JsonObject { ["type"] = "auto" };
            choice["disable_parallel_tool_use"] = true;
        }

        return choice;
    }

    private static List<JsonObject> AssistantBlocks(ChatMessage message, JsonObject? original, string path)
    {
        var blocks = ContentBlocks(message, original, path, allowImages: false, allowRefusal: true);
        if (original is null)
        {
            return blocks;
        }

        if (original["function_call"] is not null)
        {
            throw new UnsupportedRequestException(
                $"{path}.function_call", "Legacy function calls cannot be sent to Anthropic models. Use 'tool_calls'.");
        }

        if (original["audio"] is not null)
        {
            throw new UnsupportedRequestException($"{path}.audio", "Anthropic models cannot take an earlier audio answer.");
        }

        switch (original["tool_calls"])
        {
            case null:
                break;
            case JsonArray calls:
                for (var k = 0; k < calls.Count; k++)
                {
                    blocks.Add(ToolUse(calls[k], $"{path}.tool_calls[{k}]"));
                }

                break;
            default:
                throw new UnsupportedRequestException($"{path}.tool_calls", "'tool_calls' must be an array of tool calls.");
        }

        return blocks;
    }

    private static JsonObject ToolUse(JsonNode? node, string path)
    {
        if (node is not JsonObject call)
        {
            throw new UnsupportedRequestException(path, "A tool call must be an object.");
        }

        if (GetString(call, "type") is { } type && type != "function")
        {
            throw new UnsupportedRequestException($"{path}.type", "Only function tool calls can be sent to Anthropic models.");
        }

        var id = GetString(call, "id") ?? throw new UnsupportedRequestException($"{path}.id", "A tool call needs a string 'id'.");
        if (call["function"] is not JsonObject function || GetString(function, "name") is not { } name)
        {
            throw new UnsupportedRequestException($"{path}.function.name", "A tool call needs a 'function' object with a string 'name'.");
        }

        // OpenAI carries arguments as a JSON string, Anthropic as the object itself.
        var arguments = GetString(function, "arguments");
        JsonNode? input;
        try
        {
            input = string.IsNullOrWhiteSpace(arguments) ? new JsonObject() : JsonNode.Parse(arguments);
        }
        catch (JsonException)
        {
            input = null;
        }

        if (input is not JsonObject)
        {
            throw new UnsupportedRequestException(
                $"{path}.function.arguments", "A tool call's 'arguments' must be a JSON object in a string; Anthropic takes a tool's input as an object.");
        }

        return new JsonObject { ["type"] = "tool_use", ["id"] = ToolUseId(id), ["name"] = name, ["input"] = input };
    }

    /// <summary>
    /// A tool call's id as Anthropic takes it (letters, digits, <c>_</c> and <c>-</c> only). An OpenAI id passes as it
    /// is; any other (an app's own id, or one the gateway de-identified into <c>[NAME_1]</c>) is written as
    /// <c>xefai_</c> and its UTF-8 bytes in base64url: the same id always gives the same one, so a tool use and its
    /// result still pair, and no two rewritten ids are alike.
    /// </summary>
    internal static string ToolUseId(string id)
    {
        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                return "xefai_" + Convert.ToBase64String(Encoding.UTF8.GetBytes(id)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            }
        }

        return id;
    }

    private static JsonObject ToolResult(ChatMessage message, JsonObject original, string toolCallId, string path)
    {
        var result = new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = ToolUseId(toolCallId) };
        if (original["content"] is JsonArray parts && !AllText(parts))
        {
            result["content"] = new JsonArray([.. ContentBlocks(message, original, path, allowImages: true, allowRefusal: false)]);
        }
        else if (!string.IsNullOrWhiteSpace(message.Content))
        {
            // An empty result is sent without content, as Anthropic's documentation shows.
            result["content"] = message.Content;
        }

        return result;
    }

    /// <summary>
    /// The message's content as Anthropic blocks. Text alone is taken from the simplified message, so text parts
    /// stay joined as the gateway joins them everywhere; content with other parts is translated part by part.
    /// </summary>
    private static List<JsonObject> ContentBlocks(ChatMessage message, JsonObject? original, string path, bool allowImages, bool allowRefusal)
    {
        if (original?["content"] is not JsonArray parts || AllText(parts))
        {
            return TextBlocks(null, message.Content);
        }

        var blocks = new List<JsonObject>(parts.Count);
        for (var j = 0; j < parts.Count; j++)
        {
            var part = parts[j]!.AsObject();
            var partPath = $"{path}.content[{j}]";
            switch (GetString(part, "type"))
            {
                case "text":
                    blocks.AddRange(TextBlocks(null, GetString(part, "text") ?? string.Empty));
                    break;
                case "refusal" when allowRefusal:
                    blocks.AddRange(TextBlocks(null, GetString(part, "refusal")
                        ?? throw new UnsupportedRequestException($"{partPath}.refusal", "A refusal part needs a string 'refusal'.")));
                    break;
                case "image_url" when allowImages:
                    blocks.Add(ImageBlock(part, partPath));
                    break;
                case var type:
                    var named = VendorJson.SafeIdentifier(type) is { } safe ? $"'{safe}' content parts" : "This content part";
                    throw new UnsupportedRequestException(
                        partPath,
                        allowImages
                            ? $"{named} cannot be sent to Anthropic models; text and image_url parts can."
                            : $"{named} cannot be sent to Anthropic models in a {message.Role} message; text parts can.");
            }
        }

        return blocks;
    }

    /// <summary>A base64 data URL becomes a base64 image block, an http(s) URL a URL image block Anthropic fetches itself.</summary>
    private static JsonObject ImageBlock(JsonObject part, string path)
    {
        var urlPath = $"{path}.image_url.url";
        var url = part["image_url"] is JsonObject image ? GetString(image, "url") : null;
        if (url is null)
        {
            throw new UnsupportedRequestException(urlPath, "An image_url part needs an 'image_url' object with a string 'url'.");
        }

        if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            var comma = url.IndexOf(',', StringComparison.Ordinal);
            var header = comma < 0 ? [] : url[5..comma].Split(';');
            if (comma < 0 || !header.Skip(1).Contains("base64", StringComparer.OrdinalIgnoreCase))
            {
                throw new UnsupportedRequestException(urlPath, "A data URL image must be base64-encoded: data:image/png;base64,....");
            }

            var mediaType = header[0].Trim().ToLowerInvariant();
            if (!ImageMediaTypes.Contains(mediaType))
            {
                throw new UnsupportedRequestException(urlPath, "Anthropic models take JPEG, PNG, GIF and WebP images only.");
            }

            return new JsonObject
            {
                ["type"] = "image",
                ["source"] = new JsonObject { ["type"] = "base64", ["media_type"] = mediaType, ["data"] = url[(comma + 1)..] },
            };
        }

        if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
        {
            return new JsonObject { ["type"] = "image", ["source"] = new JsonObject { ["type"] = "url", ["url"] = url } };
        }

        throw new UnsupportedRequestException(urlPath, "An image must be a base64 data URL or an http(s) URL.");
    }

    private static List<JsonObject> TextBlocks(string? prefix, string text) =>
        string.IsNullOrWhiteSpace(text) ? [] : [new JsonObject { ["type"] = "text", ["text"] = prefix + text }];

    private static void Add(List<Turn> turns, string role, List<JsonObject> blocks)
    {
        if (blocks.Count == 0)
        {
            return;
        }

        if (turns is [.., var last] && last.Role == role)
        {
            last.Blocks.AddRange(blocks);
        }
        else
        {
            turns.Add(new Turn(role, blocks));
        }
    }

    private static void AddToolResult(List<Turn> turns, JsonObject result)
    {
        if (turns is [.., { Role: "user" } last])
        {
            // Anthropic answers 400 when a user turn has anything before its tool results.
            last.Blocks.Insert(last.Blocks.FindLastIndex(block => GetString(block, "type") == "tool_result") + 1, result);
        }
        else
        {
            turns.Add(new Turn("user", [result]));
        }
    }

    private static bool AllText(JsonArray parts) =>
        parts.All(part => part is JsonObject partObject && GetString(partObject, "type") == "text");

    private static bool IsText(JsonObject block) => GetString(block, "type") == "text";

    private static bool IsTextOnly(JsonNode modalities) =>
        modalities is JsonArray array && array.All(item => item is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() == "text");

    private static bool IsFalse(JsonNode node) => node.GetValueKind() == JsonValueKind.False;

    private static bool IsZero(JsonNode node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.GetValue<double>() == 0;

    private static string? GetString(JsonObject? node, string name) =>
        node?[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private sealed record Turn(string Role, List<JsonObject> Blocks);
}
