using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.OpenAI.Responses;

/// <summary>
/// The Responses API's stream of semantic events, written from the chat completion chunks the pipeline streams:
/// <c>response.created</c> and <c>response.in_progress</c> first; for the message, <c>output_item.added</c>,
/// a <c>content_part.added</c> when its text (or its refusal) starts, and an <c>output_text.delta</c> (or
/// <c>refusal.delta</c>) per delta; for each function call,
/// <c>output_item.added</c> and its <c>function_call_arguments.delta</c>s; then, once the closing audit record is
/// committed, each item's <c>done</c> events and <c>response.completed</c>. Every event carries its
/// <c>sequence_number</c>. One instance frames one call's stream.
/// </summary>
internal sealed class ResponseEvents(ResponseObject response) : IStreamFraming
{
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // Chat tool call index → the function call item it opened.
    private readonly Dictionary<int, ResponseFunctionCallItem> _calls = [];
    private ResponseMessageItem? _message;
    private int _sequence;
    private bool _started;

    public string ContentType => "text/event-stream";

    public IReadOnlyDictionary<string, string> Headers => ServerSentEvents.Instance.Headers;

    public int FramingBytes => "event: \ndata: \n\n".Length;

    /// <summary>The items' done events and <c>response.completed</c> (or <c>response.incomplete</c>); no <c>[DONE]</c> follows.</summary>
    public ReadOnlyMemory<byte> End
    {
        get
        {
            var events = new ArrayBufferWriter<byte>(1024);
            Start(events);
            for (var index = 0; index < response.Output.Count; index++)
            {
                switch (response.Output[index])
                {
                    case ResponseMessageItem message:
                        if (message.Text.Length > 0)
                        {
                            var text = message.Text.ToString();
                            Write(events, "response.output_text.done", w =>
                            {
                                Position(w, message, index, message.TextIndex);
                                w.WriteString("text", text);
                                w.WriteStartArray("logprobs");
                                w.WriteEndArray();
                            });
                            Write(events, "response.content_part.done", w =>
                            {
                                Position(w, message, index, message.TextIndex);
                                w.WritePropertyName("part");
                                ResponseMessageItem.WriteTextPart(w, text);
                            });
                        }

                        if (message.Refusal is { } refusal)
                        {
                            Write(events, "response.refusal.done", w =>
                            {
                                Position(w, message, index, message.RefusalIndex);
                                w.WriteString("refusal", refusal);
                            });
                            Write(events, "response.content_part.done", w =>
                            {
                                Position(w, message, index, message.RefusalIndex);
                                w.WritePropertyName("part");
                                ResponseMessageItem.WriteRefusalPart(w, refusal);
                            });
                        }

                        break;
                    case ResponseFunctionCallItem call:
                        Write(events, "response.function_call_arguments.done", w =>
                        {
                            Position(w, call, index, contentIndex: null);
                            w.WriteString("name", call.Name);
                            w.WriteString("arguments", call.Arguments.ToString());
                        });
                        break;
                }

                var item = response.Output[index];
                Write(events, "response.output_item.done", w =>
                {
                    w.WriteNumber("output_index", index);
                    w.WritePropertyName("item");
                    item.Write(w, completed: true);
                });
            }

            Write(events, response.Status == "completed" ? "response.completed" : "response.incomplete", w =>
            {
                w.WritePropertyName("response");
                response.Write(w, completed: true);
            });
            return events.WrittenMemory;
        }
    }

    /// <summary>The events one chat completion chunk makes; none for a chunk that only reports usage.</summary>
    public ReadOnlyMemory<byte> Frame(ReadOnlyMemory<byte> chunk)
    {
        var events = new ArrayBufferWriter<byte>(256);
        Start(events);
        using var document = JsonDocument.Parse(chunk);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return events.WrittenMemory;
        }

        if (root.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String)
        {
            response.Model = model.GetString();
        }

        if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            response.Usage = new TokenUsage(Count(usage, "prompt_tokens"), Count(usage, "completion_tokens"));
        }

        if (root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array)
        {
            foreach (var choice in choices.EnumerateArray())
            {
                // The gateway asks for one choice (n = 1).
                if (choice.ValueKind == JsonValueKind.Object && (!choice.TryGetProperty("index", out var i) || (i.ValueKind == JsonValueKind.Number && i.TryGetInt32(out var n) && n == 0)))
                {
                    Choice(choice, events);
                }
            }
        }

        return events.WrittenMemory;
    }

    /// <summary>
    /// An <c>error</c> event the OpenAI clients raise as an API error: its <c>error</c> member is the error in the
    /// shape their buffered calls get, beside the Responses event's own <c>code</c> and <c>message</c>.
    /// </summary>
    public ReadOnlyMemory<byte> FrameError(CallError error)
    {
        var events = new ArrayBufferWriter<byte>(256);
        Write(events, "error", w =>
        {
            w.WriteString("code", error.Code);
            w.WriteString("message", error.Message);
            if (error.Param is null)
            {
                w.WriteNull("param");
            }
            else
            {
                w.WriteString("param", error.Param);
            }

            w.WritePropertyName("error");
            using var shape = JsonDocument.Parse(error.ToUtf8Json());
            shape.RootElement.GetProperty("error").WriteTo(w);
        });
        return events.WrittenMemory;
    }

    private void Start(ArrayBufferWriter<byte> events)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        Write(events, "response.created", w =>
        {
            w.WritePropertyName("response");
            response.Write(w, completed: false);
        });
        Write(events, "response.in_progress", w =>
        {
            w.WritePropertyName("response");
            response.Write(w, completed: false);
        });
    }

    private void Choice(JsonElement choice, ArrayBufferWriter<byte> events)
    {
        if (choice.TryGetProperty("finish_reason", out var finish) && finish.ValueKind == JsonValueKind.String)
        {
            response.FinishReason = finish.GetString();
        }

        if (!choice.TryGetProperty("delta", out var delta) || delta.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (delta.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String && content.GetString() is { Length: > 0 } text)
        {
            var message = OpenMessage(events);
            var index = response.Output.IndexOf(message);
            if (message.Text.Length == 0)
            {
                Write(events, "response.content_part.added", w =>
                {
                    Position(w, message, index, message.TextIndex);
                    w.WritePropertyName("part");
                    ResponseMessageItem.WriteTextPart(w, string.Empty);
                });
            }

            message.Text.Append(text);
            Write(events, "response.output_text.delta", w =>
            {
                Position(w, message, index, message.TextIndex);
                w.WriteString("delta", text);
                w.WriteStartArray("logprobs");
                w.WriteEndArray();
            });
        }

        // A refusal (structured outputs) streams as its own part: response.refusal.delta, as OpenAI's Responses API sends it.
        if (delta.TryGetProperty("refusal", out var refusal) && refusal.ValueKind == JsonValueKind.String && refusal.GetString() is { Length: > 0 } refused)
        {
            var message = OpenMessage(events);
            var index = response.Output.IndexOf(message);
            if (message.Refusal is null)
            {
                message.RefusalFirst = message.Text.Length == 0;
                message.Refusal = string.Empty;
                Write(events, "response.content_part.added", w =>
                {
                    Position(w, message, index, message.RefusalIndex);
                    w.WritePropertyName("part");
                    ResponseMessageItem.WriteRefusalPart(w, string.Empty);
                });
            }

            message.Refusal += refused;
            Write(events, "response.refusal.delta", w =>
            {
                Position(w, message, index, message.RefusalIndex);
                w.WriteString("delta", refused);
            });
        }

        if (delta.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
        {
            var position = 0;
            foreach (var call in calls.EnumerateArray())
            {
                ToolCall(call, position++, events);
            }
        }
    }

    private ResponseMessageItem OpenMessage(ArrayBufferWriter<byte> events)
    {
        if (_message is not null)
        {
            return _message;
        }

        // The item first; each of its parts is announced when its first delta comes.
        var message = _message = new ResponseMessageItem(ResponseObject.NewItemId("msg_"));
        Add(message, events);
        return message;
    }

    private void ToolCall(JsonElement call, int position, ArrayBufferWriter<byte> events)
    {
        if (call.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var key = call.TryGetProperty("index", out var i) && i.ValueKind == JsonValueKind.Number && i.TryGetInt32(out var k) ? k : position;
        var function = call.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object ? f : default;
        if (!_calls.TryGetValue(key, out var item))
        {
            var callId = call.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString()! : ResponseObject.NewItemId("call_");
            var name = function.ValueKind == JsonValueKind.Object && function.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : string.Empty;
            item = _calls[key] = new ResponseFunctionCallItem(ResponseObject.NewItemId("fc_"), callId, name);
            Add(item, events);
        }

        if (function.ValueKind == JsonValueKind.Object && function.TryGetProperty("arguments", out var arguments)
            && arguments.ValueKind == JsonValueKind.String && arguments.GetString() is { Length: > 0 } fragment)
        {
            item.Arguments.Append(fragment);
            var index = response.Output.IndexOf(item);
            Write(events, "response.function_call_arguments.delta", w =>
            {
                Position(w, item, index, contentIndex: null);
                w.WriteString("delta", fragment);
            });
        }
    }

    /// <summary>An output item opened: added to the response, and its <c>output_item.added</c> event.</summary>
    /// <returns>Its output index.</returns>
    private int Add(ResponseOutputItem item, ArrayBufferWriter<byte> events)
    {
        response.Output.Add(item);
        var index = response.Output.Count - 1;
        Write(events, "response.output_item.added", w =>
        {
            w.WriteNumber("output_index", index);
            w.WritePropertyName("item");
            item.Write(w, completed: false);
        });
        return index;
    }

    private static void Position(Utf8JsonWriter writer, ResponseOutputItem item, int index, int? contentIndex)
    {
        writer.WriteString("item_id", item.Id);
        writer.WriteNumber("output_index", index);
        if (contentIndex is { } part)
        {
            writer.WriteNumber("content_index", part);
        }
    }

    /// <summary>One server-sent event: <c>event: type</c>, and the data with its type and sequence number.</summary>
    private void Write(ArrayBufferWriter<byte> events, string type, Action<Utf8JsonWriter> members)
    {
        events.Write(Encoding.UTF8.GetBytes($"event: {type}\ndata: "));
        using (var writer = new Utf8JsonWriter(events, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            writer.WriteNumber("sequence_number", _sequence++);
            members(writer);
            writer.WriteEndObject();
        }

        events.Write("\n\n"u8);
    }

    private static int Count(JsonElement usage, string name) =>
        usage.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var count) ? count : 0;
}
