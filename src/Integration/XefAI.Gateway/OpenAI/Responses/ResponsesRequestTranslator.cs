using System.Text.Json;
using System.Text.Json.Nodes;
using XefAI.Integration;
using static XefAI.Gateway.OpenAI.JsonFields;

namespace XefAI.Gateway.OpenAI.Responses;

/// <summary>
/// An OpenAI Responses API request (<c>POST /v1/responses</c>) written as the chat completion request it asks for, so
/// it is governed, de-identified, audited and sent to any vendor exactly as a chat call is. The gateway keeps no
/// conversation state: a request that refers to stored state (<c>previous_response_id</c>, <c>conversation</c>) or asks
/// for a hosted tool is refused with a 400 that says what to send instead.
/// </summary>
internal static class ResponsesRequestTranslator
{
    // Members the chat request takes as they are.
    private static readonly string[] SameInChat = ["model", "temperature", "top_p", "user", "metadata", "parallel_tool_calls", "service_tier", "stream", "prompt_cache_key", "safety_identifier"];

    // Members that change nothing the gateway sends: it stores no response, and every answer is whole text.
    private static readonly string[] Ignored = ["store", "include", "truncation", "stream_options"];

    private static readonly string[] Refused = ["previous_response_id", "conversation", "prompt", "background"];

    private static readonly string[] Known =
        [.. SameInChat, .. Ignored, .. Refused, "input", "instructions", "max_output_tokens", "tools", "tool_choice", "text", "reasoning", "top_logprobs"];

    /// <summary>The chat request, and for each of its messages the Responses path it came from (for errors).</summary>
    /// <param name="request">The Responses request.</param>
    /// <param name="chat">The chat completion request, when it translates.</param>
    /// <param name="sources">The Responses path of each chat message: <c>instructions</c> or <c>input[2]</c>.</param>
    /// <param name="error">Why it does not, naming the Responses field.</param>
    public static bool TryTranslate(JsonObject request, out JsonObject chat, out List<string> sources, out CallError? error)
    {
        chat = [];
        sources = [];
        foreach (var (name, _) in request)
        {
            if (Array.IndexOf(Known, name) < 0)
            {
                // The name is the caller's and could be anything pasted: echoed only when it is plainly a field's.
                var shown = Clinical.ClinicalTaskRequestReader.Echo(name);
                error = CallError.InvalidRequest("unknown_parameter", $"Unknown parameter: {Clinical.ClinicalTaskRequestReader.Quoted(name)}.", shown);
                return false;
            }
        }

        foreach (var name in Refused)
        {
            if (request[name] is { } value && value.GetValueKind() is not (JsonValueKind.Null or JsonValueKind.False))
            {
                error = CallError.InvalidRequest(
                    "unsupported_parameter",
                    $"'{name}' is not supported: this gateway stores no responses or conversations. Send the whole conversation in 'input'.",
                    name);
                return false;
            }
        }

        foreach (var name in SameInChat)
        {
            if (request[name] is { } value)
            {
                chat[name] = value.DeepClone();
            }
        }

        var messages = new JsonArray();
        if (request["instructions"] is { } instructions && instructions.GetValueKind() != JsonValueKind.Null)
        {
            if (!TryGetString(instructions, out var text))
            {
                error = WrongType("instructions", "a string");
                return false;
            }

            messages.Add(new JsonObject { ["role"] = "system", ["content"] = text });
            sources.Add("instructions");
        }

        error = AddInput(request["input"], messages, sources)
            ?? AddOutputLimit(request, chat)
            ?? AddTools(request, chat)
            ?? AddTextFormat(request, chat)
            ?? AddReasoning(request, chat);
        if (error is not null)
        {
            return false;
        }

        chat["messages"] = messages;
        if (request["top_logprobs"] is { } top && top.GetValueKind() != JsonValueKind.Null)
        {
            chat["logprobs"] = true;
            chat["top_logprobs"] = top.DeepClone();
        }

        // Usage is read from the last chunk of a stream, for the response's usage and the audit.
        if (request["stream"] is JsonValue stream && stream.GetValueKind() == JsonValueKind.True)
        {
            chat["stream_options"] = new JsonObject { ["include_usage"] = true };
        }

        return true;
    }

    private static CallError? AddInput(JsonNode? input, JsonArray messages, List<string> sources)
    {
        switch (input)
        {
            case null:
                return CallError.InvalidRequest("missing_required_parameter", "Missing required parameter: 'input'.", "input");
            case JsonValue when TryGetString(input, out var text):
                messages.Add(new JsonObject { ["role"] = "user", ["content"] = text });
                sources.Add("input");
                return null;
            case JsonArray items:
                for (var i = 0; i < items.Count; i++)
                {
                    if (AddItem(items[i], $"input[{i}]", messages, sources) is { } error)
                    {
                        return error;
                    }
                }

                return messages.Count == 0
                    ? CallError.InvalidRequest("empty_array", "'input' must hold at least one message.", "input")
                    : null;
            default:
                return WrongType("input", "a string or an array of input items");
        }
    }

    /// <summary>One input item: a message, a function call the model made, or its output.</summary>
    private static CallError? AddItem(JsonNode? node, string path, JsonArray messages, List<string> sources)
    {
        if (node is not JsonObject item)
        {
            return WrongType(path, "an input item object");
        }

        var type = item["type"] is { } typeNode && TryGetString(typeNode, out var t) ? t : item.ContainsKey("role") ? "message" : null;
        switch (type)
        {
            case "message":
                return AddMessage(item, path, messages, sources);
            case "function_call":
                if (!Text(item, "call_id", out var callId) || !Text(item, "name", out var name) || !Text(item, "arguments", out var arguments))
                {
                    return WrongType(path, "a function call with string 'call_id', 'name' and 'arguments'");
                }

                // Calls the model made together are one assistant message in the chat form.
                var call = new JsonObject { ["id"] = callId, ["type"] = "function", ["function"] = new JsonObject { ["name"] = name, ["arguments"] = arguments } };
                if (messages.Count > 0 && messages[^1] is JsonObject last && last["tool_calls"] is JsonArray calls && sources[^1].StartsWith("input[", StringComparison.Ordinal))
                {
                    calls.Add(call);
                }
                else
                {
                    messages.Add(new JsonObject { ["role"] = "assistant", ["content"] = null, ["tool_calls"] = new JsonArray(call) });
                    sources.Add(path);
                }

                return null;
            case "function_call_output":
                if (!Text(item, "call_id", out var outputOf))
                {
                    return WrongType($"{path}.call_id", "a string");
                }

                if (FunctionOutput(item["output"], $"{path}.output", out var output) is { } outputError)
                {
                    return outputError;
                }

                messages.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = outputOf, ["content"] = output });
                sources.Add(path);
                return null;
            case "reasoning":
                // A model's reasoning summary from an earlier turn: chat models take none back.
                return null;
            case "item_reference":
                // Clients that keep conversations stored at the vendor send earlier answers by id (the Vercel AI SDK's
                // Responses model does, unless told store: false). Nothing is stored here to look the id up in.
                return CallError.InvalidRequest(
                    "unsupported_value",
                    "Input items of type 'item_reference' are not supported: this gateway stores no responses. Send the item itself; a client that sends earlier answers by reference does so when 'store' is not false, so set 'store' to false in its request options.",
                    $"{path}.type");
            default:
                return CallError.InvalidRequest(
                    "unsupported_value",
                    $"Input items of type '{Shown(type)}' are not supported; send messages, function_call and function_call_output items.",
                    $"{path}.type");
        }
    }

    /// <summary>
    /// A function call's output: a string, or parts (<c>input_text</c>, <c>input_image</c>, <c>input_file</c>). Text parts
    /// alone are joined into the tool message's text, de-identified as a string output is; with an image or a file the
    /// output keeps its parts in the chat form, so a call that must be de-identified is refused (422) as a chat message
    /// holding an image is, and one that need not be sends them as chat would.
    /// </summary>
    private static CallError? FunctionOutput(JsonNode? node, string path, out JsonNode? content)
    {
        content = null;
        switch (node)
        {
            case JsonValue value when TryGetString(value, out var text):
                content = text;
                return null;
            case JsonArray parts:
                var chatParts = new JsonArray();
                var textOnly = true;
                for (var i = 0; i < parts.Count; i++)
                {
                    var partPath = $"{path}[{i}]";
                    if (parts[i] is JsonObject source && source["type"] is { } typeNode && TryGetString(typeNode, out var type)
                        && type is not ("input_text" or "input_image" or "input_file"))
                    {
                        return CallError.InvalidRequest(
                            "unsupported_value", $"Output parts of type '{Shown(type)}' are not supported; send input_text, input_image or input_file.", $"{partPath}.type");
                    }

                    if (ContentPart(parts[i], partPath, out var part) is { } error)
                    {
                        return error;
                    }

                    textOnly &= (string?)part["type"] == "text";
                    chatParts.Add(part);
                }

                content = textOnly ? string.Join('\n', chatParts.Select(p => (string?)p!["text"])) : chatParts;
                return null;
            default:
                return WrongType(path, "a string or an array of input_text, input_image and input_file parts");
        }
    }

    private static CallError? AddMessage(JsonObject item, string path, JsonArray messages, List<string> sources)
    {
        if (!Text(item, "role", out var role))
        {
            return CallError.InvalidRequest("missing_required_parameter", $"Missing required parameter: '{path}.role'.", $"{path}.role");
        }

        JsonNode? content;
        switch (item["content"])
        {
            case JsonValue value when TryGetString(value, out var text):
                content = text;
                break;
            case JsonArray parts:
                var chatParts = new JsonArray();
                for (var i = 0; i < parts.Count; i++)
                {
                    if (ContentPart(parts[i], $"{path}.content[{i}]", out var part) is { } error)
                    {
                        return error;
                    }

                    chatParts.Add(part);
                }

                // An assistant's earlier answer is text in the chat form; chat takes parts from users only.
                content = role == "assistant" ? string.Join('\n', chatParts.Select(p => (string?)p!["text"])) : chatParts;
                break;
            default:
                return WrongType($"{path}.content", "a string or an array of content parts");
        }

        messages.Add(new JsonObject { ["role"] = role, ["content"] = content });
        sources.Add(path);
        return null;
    }

    private static CallError? ContentPart(JsonNode? node, string path, out JsonObject part)
    {
        part = [];
        if (node is not JsonObject source || source["type"] is not { } typeNode || !TryGetString(typeNode, out var type))
        {
            return WrongType(path, "a content part object with a string 'type'");
        }

        switch (type)
        {
            case "input_text" or "output_text" or "text":
                if (!Text(source, "text", out var text))
                {
                    return WrongType($"{path}.text", "a string");
                }

                part = new JsonObject { ["type"] = "text", ["text"] = text };
                return null;
            case "refusal":
                part = new JsonObject { ["type"] = "text", ["text"] = source["refusal"]?.DeepClone() };
                return null;
            case "input_image":
                if (!Text(source, "image_url", out var url))
                {
                    return CallError.InvalidRequest(
                        "unsupported_value", $"'{path}.image_url' must be a string: a URL or a data URL (file ids are not supported).", $"{path}.image_url");
                }

                var image = new JsonObject { ["url"] = url };
                if (source["detail"] is { } detail)
                {
                    image["detail"] = detail.DeepClone();
                }

                part = new JsonObject { ["type"] = "image_url", ["image_url"] = image };
                return null;
            case "input_file":
                var file = new JsonObject();
                foreach (var name in (string[])["file_data", "file_id", "filename"])
                {
                    if (source[name] is { } value)
                    {
                        file[name] = value.DeepClone();
                    }
                }

                part = new JsonObject { ["type"] = "file", ["file"] = file };
                return null;
            default:
                return CallError.InvalidRequest(
                    "unsupported_value", $"Content parts of type '{Shown(type)}' are not supported; send input_text, input_image or input_file.", $"{path}.type");
        }
    }

    private static CallError? AddOutputLimit(JsonObject request, JsonObject chat)
    {
        if (request["max_output_tokens"] is { } limit && limit.GetValueKind() != JsonValueKind.Null)
        {
            chat["max_completion_tokens"] = limit.DeepClone();
        }

        return null;
    }

    /// <summary>Function tools, flat in the Responses form, nested under <c>function</c> in the chat form.</summary>
    private static CallError? AddTools(JsonObject request, JsonObject chat)
    {
        if (request["tools"] is { } toolsNode && toolsNode.GetValueKind() != JsonValueKind.Null)
        {
            if (toolsNode is not JsonArray tools)
            {
                return WrongType("tools", "an array of tools");
            }

            var chatTools = new JsonArray();
            for (var i = 0; i < tools.Count; i++)
            {
                if (tools[i] is not JsonObject tool || tool["type"] is not { } typeNode || !TryGetString(typeNode, out var type))
                {
                    return WrongType($"tools[{i}]", "a tool object with a string 'type'");
                }

                if (type != "function")
                {
                    return CallError.InvalidRequest(
                        "unsupported_value",
                        $"Tools of type '{Shown(type)}' are not supported: the gateway governs what leaves for a vendor, and a hosted tool would reach out on its own. Use function tools.",
                        $"tools[{i}].type");
                }

                if (tool["name"] is not { } nameNode || !TryGetString(nameNode, out _))
                {
                    return WrongType($"tools[{i}].name", "a string");
                }

                if (tool["parameters"] is { } parameters && parameters is not JsonObject && parameters.GetValueKind() != JsonValueKind.Null)
                {
                    return WrongType($"tools[{i}].parameters", "a JSON schema object");
                }

                var function = new JsonObject();
                foreach (var (name, value) in tool)
                {
                    if (name != "type")
                    {
                        function[name] = value?.DeepClone();
                    }
                }

                chatTools.Add(new JsonObject { ["type"] = "function", ["function"] = function });
            }

            chat["tools"] = chatTools;
        }

        switch (request["tool_choice"])
        {
            case null:
                return null;
            case JsonValue choice when TryGetString(choice, out var word):
                chat["tool_choice"] = word;
                return null;
            case JsonObject choice when choice["type"] is { } t && TryGetString(t, out var kind) && kind == "function" && choice["name"] is { } name:
                chat["tool_choice"] = new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = name.DeepClone() } };
                return null;
            default:
                return WrongType("tool_choice", "\"none\", \"auto\", \"required\" or {\"type\": \"function\", \"name\": ...}");
        }
    }

    /// <summary><c>text.format</c>, which the chat form calls <c>response_format</c> (a JSON schema nested one level deeper).</summary>
    private static CallError? AddTextFormat(JsonObject request, JsonObject chat)
    {
        if (request["text"] is not { } textNode || textNode.GetValueKind() == JsonValueKind.Null)
        {
            return null;
        }

        if (textNode is not JsonObject text)
        {
            return WrongType("text", "an object");
        }

        if (text["verbosity"] is { } verbosity)
        {
            chat["verbosity"] = verbosity.DeepClone();
        }

        if (text["format"] is not JsonObject format)
        {
            return text["format"] is null ? null : WrongType("text.format", "an object");
        }

        var type = format["type"] is { } t && TryGetString(t, out var s) ? s : null;
        switch (type)
        {
            case "text":
                return null;
            case "json_object":
                chat["response_format"] = new JsonObject { ["type"] = "json_object" };
                return null;
            case "json_schema":
                var schema = new JsonObject();
                foreach (var (name, value) in format)
                {
                    if (name != "type")
                    {
                        schema[name] = value?.DeepClone();
                    }
                }

                chat["response_format"] = new JsonObject { ["type"] = "json_schema", ["json_schema"] = schema };
                return null;
            default:
                return OutOfRange("text.format.type", "one of text, json_object, json_schema");
        }
    }

    private static CallError? AddReasoning(JsonObject request, JsonObject chat)
    {
        switch (request["reasoning"])
        {
            case null:
                return null;
            case JsonObject reasoning:
                if (reasoning["effort"] is { } effort && effort.GetValueKind() != JsonValueKind.Null)
                {
                    chat["reasoning_effort"] = effort.DeepClone();
                }

                return null;
            default:
                return request["reasoning"]!.GetValueKind() == JsonValueKind.Null ? null : WrongType("reasoning", "an object like {\"effort\": \"low\"}");
        }
    }

    private static bool Text(JsonObject item, string name, out string value)
    {
        value = string.Empty;
        if (item[name] is { } node && TryGetString(node, out var text))
        {
            value = text!;
            return true;
        }

        return false;
    }

    /// <summary>A type name of the client's, shown in an error only when it looks like one.</summary>
    private static string Shown(string? type) =>
        type is { Length: > 0 and <= 40 } && Clinical.ClinicalTaskRequestReader.Echo(type) == type ? type : "unknown";
}
