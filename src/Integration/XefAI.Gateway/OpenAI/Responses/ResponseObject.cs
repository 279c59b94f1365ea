using System.Text.Json;
using System.Text.Json.Nodes;
using XefAI.Models;

namespace XefAI.Gateway.OpenAI.Responses;

/// <summary>One output item of a response: the assistant's message, or a function call it made.</summary>
internal abstract class ResponseOutputItem(string id)
{
    public string Id { get; } = id;

    /// <summary>The item as the Responses API writes it, <c>completed</c> or still <c>in_progress</c>.</summary>
    public abstract void Write(Utf8JsonWriter writer, bool completed);
}

/// <summary>The assistant's message: its text, and a refusal when the model refused.</summary>
internal sealed class ResponseMessageItem(string id) : ResponseOutputItem(id)
{
    public System.Text.StringBuilder Text { get; } = new();

    public string? Refusal { get; set; }

    /// <summary>In a stream, whether the refusal's part was opened before the text's: the parts keep the order they were announced in.</summary>
    public bool RefusalFirst { get; set; }

    /// <summary>The index of the text part among the message's parts (0 unless the refusal came first).</summary>
    public int TextIndex => RefusalFirst ? 1 : 0;

    /// <summary>The index of the refusal part among the message's parts (0 unless text came first).</summary>
    public int RefusalIndex => RefusalFirst || Text.Length == 0 ? 0 : 1;

    public override void Write(Utf8JsonWriter writer, bool completed)
    {
        writer.WriteStartObject();
        writer.WriteString("id", Id);
        writer.WriteString("type", "message");
        writer.WriteString("status", completed ? "completed" : "in_progress");
        writer.WriteString("role", "assistant");
        writer.WriteStartArray("content");
        if (completed)
        {
            var text = Text.Length > 0 || Refusal is null;
            if (RefusalFirst && Refusal is not null)
            {
                WriteRefusalPart(writer, Refusal);
            }

            if (text)
            {
                WriteTextPart(writer, Text.ToString());
            }

            if (!RefusalFirst && Refusal is not null)
            {
                WriteRefusalPart(writer, Refusal);
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>A <c>refusal</c> content part.</summary>
    public static void WriteRefusalPart(Utf8JsonWriter writer, string refusal)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "refusal");
        writer.WriteString("refusal", refusal);
        writer.WriteEndObject();
    }

    /// <summary>An <c>output_text</c> content part.</summary>
    public static void WriteTextPart(Utf8JsonWriter writer, string text)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "output_text");
        writer.WriteString("text", text);
        writer.WriteStartArray("annotations");
        writer.WriteEndArray();
        writer.WriteStartArray("logprobs");
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}

/// <summary>A function call the model made: the caller runs it and sends its output back as a <c>function_call_output</c>.</summary>
internal sealed class ResponseFunctionCallItem(string id, string callId, string name) : ResponseOutputItem(id)
{
    public string CallId { get; } = callId;

    public string Name { get; } = name;

    public System.Text.StringBuilder Arguments { get; } = new();

    public override void Write(Utf8JsonWriter writer, bool completed)
    {
        writer.WriteStartObject();
        writer.WriteString("id", Id);
        writer.WriteString("type", "function_call");
        writer.WriteString("status", completed ? "completed" : "in_progress");
        writer.WriteString("arguments", completed ? Arguments.ToString() : string.Empty);
        writer.WriteString("call_id", CallId);
        writer.WriteString("name", Name);
        writer.WriteEndObject();
    }
}

/// <summary>
/// The <c>response</c> object of one call: its id and time, the request's settings echoed as the Responses API does,
/// its output items and usage. The gateway stores no response: <c>store</c> is always false.
/// </summary>
internal sealed class ResponseObject(JsonObject request, TimeProvider time)
{
    /// <summary>The Responses request whose settings the response echoes.</summary>
    public JsonObject Request => request;

    public string Id { get; } = "resp_" + Guid.NewGuid().ToString("N");

    public long CreatedAt { get; } = time.GetUtcNow().ToUnixTimeSeconds();

    public List<ResponseOutputItem> Output { get; } = [];

    public string? Model { get; set; }

    public TokenUsage? Usage { get; set; }

    /// <summary>The chat finish reason, once known: <c>length</c> and <c>content_filter</c> make the response incomplete.</summary>
    public string? FinishReason { get; set; }

    public string Status => FinishReason is "length" or "content_filter" ? "incomplete" : "completed";

    /// <summary>A new item id with the Responses API's prefix for its type (<c>msg_</c>, <c>fc_</c>).</summary>
    public static string NewItemId(string prefix) => prefix + Guid.NewGuid().ToString("N");

    /// <summary>The response of a buffered answer: its message and function calls, read from the chat completion.</summary>
    public static ResponseObject From(JsonObject request, ModelResponse answer, TimeProvider time)
    {
        var response = new ResponseObject(request, time) { Model = answer.Model, Usage = answer.Usage, FinishReason = answer.FinishReason };
        var message = answer.Completion["choices"] is JsonArray { Count: > 0 } choices ? choices[0]?["message"] as JsonObject : null;
        var refusal = message?["refusal"] is JsonValue r && r.TryGetValue<string>(out var refused) ? refused : null;

        // The tool calls as the chat path streams them: the same reading of the first choice's message.
        var calls = ChatCompletionChunks.StreamedToolCalls(answer);
        if (answer.Content.Length > 0 || refusal is not null || calls is null)
        {
            var item = new ResponseMessageItem(NewItemId("msg_")) { Refusal = refusal };
            item.Text.Append(answer.Content);
            response.Output.Add(item);
        }

        foreach (var call in calls ?? [])
        {
            var item = new ResponseFunctionCallItem(NewItemId("fc_"), call.Id ?? NewItemId("call_"), call.Name ?? string.Empty);
            item.Arguments.Append(call.Arguments);
            response.Output.Add(item);
        }

        return response;
    }

    public byte[] ToUtf8Json(bool completed)
    {
        using var buffer = new MemoryStream(1024);
        using (var writer = new Utf8JsonWriter(buffer, ResponseEvents.WriterOptions))
        {
            Write(writer, completed);
        }

        return buffer.ToArray();
    }

    /// <summary>The object; while it is not <paramref name="completed"/>, in progress with no output.</summary>
    public void Write(Utf8JsonWriter writer, bool completed)
    {
        writer.WriteStartObject();
        writer.WriteString("id", Id);
        writer.WriteString("object", "response");
        writer.WriteNumber("created_at", CreatedAt);
        writer.WriteString("status", completed ? Status : "in_progress");
        writer.WriteBoolean("background", false);
        writer.WriteNull("error");
        if (completed && Status == "incomplete")
        {
            writer.WriteStartObject("incomplete_details");
            writer.WriteString("reason", FinishReason == "length" ? "max_output_tokens" : "content_filter");
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("incomplete_details");
        }

        Echo(writer, "instructions", null);
        Echo(writer, "max_output_tokens", null);
        writer.WriteString("model", Model ?? Text(request["model"]) ?? string.Empty);
        writer.WriteStartArray("output");
        if (completed)
        {
            foreach (var item in Output)
            {
                item.Write(writer, completed: true);
            }
        }

        writer.WriteEndArray();
        Echo(writer, "parallel_tool_calls", true);
        writer.WriteNull("previous_response_id");
        writer.WriteStartObject("reasoning");
        writer.WritePropertyName("effort");
        if ((request["reasoning"] as JsonObject)?["effort"] is { } effort)
        {
            effort.WriteTo(writer);
        }
        else
        {
            writer.WriteNullValue();
        }

        writer.WriteNull("summary");
        writer.WriteEndObject();
        writer.WriteBoolean("store", false);
        Echo(writer, "temperature", 1);
        writer.WritePropertyName("text");
        if (request["text"] is JsonObject text)
        {
            text.WriteTo(writer);
        }
        else
        {
            writer.WriteStartObject();
            writer.WriteStartObject("format");
            writer.WriteString("type", "text");
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        Echo(writer, "tool_choice", "auto");
        writer.WritePropertyName("tools");
        (request["tools"] as JsonArray ?? []).WriteTo(writer);
        Echo(writer, "top_p", 1);
        writer.WriteString("truncation", "disabled");
        if (completed && Usage is { } usage)
        {
            writer.WriteStartObject("usage");
            writer.WriteNumber("input_tokens", usage.InputTokens);
            writer.WriteStartObject("input_tokens_details");
            writer.WriteNumber("cached_tokens", 0);
            writer.WriteEndObject();
            writer.WriteNumber("output_tokens", usage.OutputTokens);
            writer.WriteStartObject("output_tokens_details");
            writer.WriteNumber("reasoning_tokens", 0);
            writer.WriteEndObject();
            writer.WriteNumber("total_tokens", usage.TotalTokens);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("usage");
        }

        Echo(writer, "user", null);
        writer.WritePropertyName("metadata");
        (request["metadata"] as JsonObject ?? []).WriteTo(writer);
        writer.WriteEndObject();
    }

    /// <summary>A setting of the request as the client sent it, or the API's default when it sent none.</summary>
    private void Echo(Utf8JsonWriter writer, string name, JsonNode? fallback)
    {
        writer.WritePropertyName(name);
        var value = request[name] is { } given && given.GetValueKind() != JsonValueKind.Null ? given : fallback;
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            value.WriteTo(writer);
        }
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
