using System.Buffers;
using System.Text.Json;

namespace XefAI.Models;

/// <summary>
/// Writes OpenAI <c>chat.completion.chunk</c> objects for providers whose vendor streams another format, in the
/// shape of OpenAI's own stream so the official SDKs' streaming readers accept them.
/// </summary>
/// <param name="Id">Shared by every chunk of one answer.</param>
/// <param name="Created">Unix seconds; shared by every chunk of one answer.</param>
/// <param name="Model">The model that answers.</param>
/// <param name="IncludeUsage">
/// The client asked for a usage chunk; OpenAI then puts <c>"usage": null</c> on every other chunk.
/// </param>
public sealed record OpenAIChatCompletionChunks(string Id, long Created, string Model, bool IncludeUsage)
{
    // Chunks go to API clients, never into HTML; escaping every non-ASCII character would inflate clinical text.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The first chunk, announcing the assistant's turn.</summary>
    public ReadOnlyMemory<byte> Start() => Choice(role: "assistant", content: string.Empty, finishReason: null);

    public ReadOnlyMemory<byte> Content(string text) => Choice(role: null, content: text, finishReason: null);

    /// <summary>The chunk with an empty delta that carries the finish reason.</summary>
    public ReadOnlyMemory<byte> Finish(string finishReason) => Choice(role: null, content: null, finishReason);

    /// <summary>
    /// The chunk opening tool call <paramref name="index"/> (0, 1, … within the answer): its id, type, function
    /// name and empty arguments, as OpenAI's own stream opens one.
    /// </summary>
    public ReadOnlyMemory<byte> ToolCallStart(int index, string id, string name) =>
        Choice(role: null, content: null, finishReason: null, new ToolCallDelta(index, id, name, string.Empty));

    /// <summary>A fragment of tool call <paramref name="index"/>'s arguments; the fragments joined are its JSON arguments.</summary>
    public ReadOnlyMemory<byte> ToolCallArguments(int index, string arguments) =>
        Choice(role: null, content: null, finishReason: null, new ToolCallDelta(index, null, null, arguments));

    /// <summary>The usage chunk: no choices, the answer's token counts.</summary>
    public ReadOnlyMemory<byte> Usage(TokenUsage usage)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteHeader(writer);
            writer.WriteStartArray("choices");
            writer.WriteEndArray();
            writer.WriteStartObject("usage");
            writer.WriteNumber("prompt_tokens", usage.InputTokens);
            writer.WriteNumber("completion_tokens", usage.OutputTokens);
            writer.WriteNumber("total_tokens", usage.TotalTokens);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    private ReadOnlyMemory<byte> Choice(string? role, string? content, string? finishReason, ToolCallDelta? toolCall = null)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteHeader(writer);
            writer.WriteStartArray("choices");
            writer.WriteStartObject();
            writer.WriteNumber("index", 0);
            writer.WriteStartObject("delta");
            if (role is not null)
            {
                writer.WriteString("role", role);
            }

            if (content is not null)
            {
                writer.WriteString("content", content);
            }

            if (toolCall is { } call)
            {
                writer.WriteStartArray("tool_calls");
                writer.WriteStartObject();
                writer.WriteNumber("index", call.Index);
                if (call.Id is not null)
                {
                    writer.WriteString("id", call.Id);
                    writer.WriteString("type", "function");
                }

                writer.WriteStartObject("function");
                if (call.Name is not null)
                {
                    writer.WriteString("name", call.Name);
                }

                writer.WriteString("arguments", call.Arguments);
                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteEndArray();
            }

            writer.WriteEndObject();
            writer.WriteNull("logprobs");
            if (finishReason is null)
            {
                writer.WriteNull("finish_reason");
            }
            else
            {
                writer.WriteString("finish_reason", finishReason);
            }

            writer.WriteEndObject();
            writer.WriteEndArray();
            if (IncludeUsage)
            {
                writer.WriteNull("usage");
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    private void WriteHeader(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("id", Id);
        writer.WriteString("object", "chat.completion.chunk");
        writer.WriteNumber("created", Created);
        writer.WriteString("model", Model);
    }

    private readonly record struct ToolCallDelta(int Index, string? Id, string? Name, string Arguments);
}
