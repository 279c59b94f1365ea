using System.Text.Json;
using System.Text.Json.Nodes;
using XefAI.Models.Providers.Wire;

namespace XefAI.Models.Providers.OpenAI;

/// <summary>
/// Writes the body an OpenAI-compatible vendor gets from the client's body in one pass: every member as the client
/// sent it, except the few the gateway decides, which are replaced where they stand or added at the end.
/// </summary>
/// <remarks>
/// The client's <see cref="JsonObject"/> is only read, never cloned or changed: audit and the fallback attempts to
/// other deployments read it after this attempt, and a step before an attempt may replace message content, so each
/// attempt writes the body as it is at that moment. Values are written by <see cref="JsonNode.WriteTo"/>, which keeps
/// a number's text as the client wrote it (<c>1e2</c> stays <c>1e2</c>). Members are read by index, since the object's
/// enumerator is an allocated interface.
/// </remarks>
internal static class OpenAIRequestWriter
{
    private const string Model = "model";
    private const string Stream = "stream";
    private const string StreamOptions = "stream_options";
    private const string IncludeUsage = "include_usage";
    private const string Dimensions = "dimensions";
    private const string Store = "store";

    /// <summary>
    /// A chat completion request: the deployment's <c>model</c>; when <paramref name="stream"/>, <c>stream: true</c>
    /// and <c>stream_options.include_usage: true</c> with the client's other stream options kept; otherwise neither
    /// member, whatever the client sent, since the gateway reads the answer as the options say.
    /// </summary>
    public static byte[] ChatCompletion(JsonObject body, string model, bool stream)
    {
        var comparer = ComparerOf(body);
        using var json = PooledJsonWriter.Rent();
        var writer = json.Writer;
        bool wroteModel = false, wroteStream = false, wroteStreamOptions = false;
        writer.WriteStartObject();
        for (var i = 0; i < body.Count; i++)
        {
            var (name, value) = body.GetAt(i);
            if (comparer.Equals(name, Model))
            {
                writer.WriteString(name, model);
                wroteModel = true;
            }
            else if (comparer.Equals(name, Stream))
            {
                if (stream)
                {
                    writer.WriteBoolean(name, true);
                    wroteStream = true;
                }
            }
            else if (comparer.Equals(name, StreamOptions))
            {
                if (stream)
                {
                    writer.WritePropertyName(name);
                    WriteStreamOptions(writer, value as JsonObject);
                    wroteStreamOptions = true;
                }
            }
            else if (comparer.Equals(name, Store))
            {
                // The vendor keeps no copy of a governed call for its own evals or distillation: the gateway's audit
                // trail is the record. Accepted from the client (the SDKs send it), always false to the vendor.
                writer.WriteBoolean(name, false);
            }
            else
            {
                writer.WritePropertyName(name);
                WriteValue(writer, value);
            }
        }

        if (!wroteModel)
        {
            writer.WriteString(Model, model);
        }

        if (stream && !wroteStream)
        {
            writer.WriteBoolean(Stream, true);
        }

        if (stream && !wroteStreamOptions)
        {
            writer.WritePropertyName(StreamOptions);
            WriteStreamOptions(writer, null);
        }

        writer.WriteEndObject();

        return json.ToArray();
    }

    /// <summary>
    /// An embeddings request: the deployment's <c>model</c>, and <paramref name="dimensions"/> when not null (the
    /// deployment's size where the client asked for none); everything else as the client sent it.
    /// </summary>
    public static byte[] Embeddings(JsonObject body, string model, int? dimensions)
    {
        var comparer = ComparerOf(body);
        using var json = PooledJsonWriter.Rent();
        var writer = json.Writer;
        bool wroteModel = false, wroteDimensions = false;
        writer.WriteStartObject();
        for (var i = 0; i < body.Count; i++)
        {
            var (name, value) = body.GetAt(i);
            if (comparer.Equals(name, Model))
            {
                writer.WriteString(name, model);
                wroteModel = true;
            }
            else if (dimensions is { } size && comparer.Equals(name, Dimensions))
            {
                writer.WriteNumber(name, size);
                wroteDimensions = true;
            }
            else
            {
                writer.WritePropertyName(name);
                WriteValue(writer, value);
            }
        }

        if (!wroteModel)
        {
            writer.WriteString(Model, model);
        }

        if (dimensions is { } added && !wroteDimensions)
        {
            writer.WriteNumber(Dimensions, added);
        }

        writer.WriteEndObject();

        return json.ToArray();
    }

    /// <summary>
    /// The client's stream options with <c>include_usage</c> forced on: the audit needs token usage for every call,
    /// and the stream translator hides the usage chunk from a client that did not ask for it.
    /// </summary>
    private static void WriteStreamOptions(Utf8JsonWriter writer, JsonObject? options)
    {
        writer.WriteStartObject();
        var wroteIncludeUsage = false;
        if (options is not null)
        {
            var comparer = ComparerOf(options);
            for (var i = 0; i < options.Count; i++)
            {
                var (name, value) = options.GetAt(i);
                if (comparer.Equals(name, IncludeUsage))
                {
                    writer.WriteBoolean(name, true);
                    wroteIncludeUsage = true;
                }
                else
                {
                    writer.WritePropertyName(name);
                    WriteValue(writer, value);
                }
            }
        }

        if (!wroteIncludeUsage)
        {
            writer.WriteBoolean(IncludeUsage, true);
        }

        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, JsonNode? value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            value.WriteTo(writer);
        }
    }

    /// <summary>Matches member names the way the client's object does, so a member is found where an indexer would find it.</summary>
    private static StringComparer ComparerOf(JsonObject node) =>
        node.Options?.PropertyNameCaseInsensitive == true ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
}
