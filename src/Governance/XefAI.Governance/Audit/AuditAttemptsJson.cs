using System.Buffers;
using System.Text;
using System.Text.Json;

namespace XefAI.Governance;

/// <summary>
/// The stored form of an entry's attempts: a compact JSON array of
/// <c>{"deployment","destination","outcome","statusCode","latencyMs"}</c>, <c>[]</c> when there are none.
/// </summary>
/// <remarks>
/// Written and read by hand rather than with a serializer, so the column's shape is fixed here and a
/// tampered value is reported as unreadable instead of being half-understood.
/// </remarks>
internal static class AuditAttemptsJson
{
    public const string Empty = "[]";

    public static string Write(IReadOnlyList<AuditAttempt> attempts)
    {
        using var writer = new Writer();
        return writer.Write(attempts);
    }

    /// <exception cref="FormatException">The text is not an array of attempts in the form <see cref="Write"/> produces.</exception>
    public static IReadOnlyList<AuditAttempt> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text == Empty)
        {
            return [];
        }

        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text));
            Expect(ref reader, JsonTokenType.StartArray);
            var attempts = new List<AuditAttempt>();
            while (Read(ref reader) != JsonTokenType.EndArray)
            {
                attempts.Add(ReadAttempt(ref reader));
            }

            if (reader.Read())
            {
                throw new FormatException("The attempts column has text after its array.");
            }

            return attempts;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new FormatException($"The attempts column is not a JSON array of attempts: {ex.Message}", ex);
        }
    }

    private static AuditAttempt ReadAttempt(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FormatException($"An attempt must be a JSON object, not {reader.TokenType}.");
        }

        string? deployment = null, destination = null, outcome = null;
        int? statusCode = null;
        double? latencyMs = null;
        var seen = 0;
        while (Read(ref reader) != JsonTokenType.EndObject)
        {
            var bit = reader.ValueTextEquals("deployment"u8) ? 1
                : reader.ValueTextEquals("destination"u8) ? 2
                : reader.ValueTextEquals("outcome"u8) ? 4
                : reader.ValueTextEquals("statusCode"u8) ? 8
                : reader.ValueTextEquals("latencyMs"u8) ? 16
                : throw new FormatException($"An attempt has an unknown property '{reader.GetString()}'.");
            if ((seen & bit) != 0)
            {
                throw new FormatException($"An attempt has the property '{reader.GetString()}' twice.");
            }

            seen |= bit;
            var token = Read(ref reader);
            switch (bit)
            {
                case 1:
                    deployment = reader.GetString();
                    break;
                case 2:
                    destination = token == JsonTokenType.Null ? null : reader.GetString();
                    break;
                case 4:
                    outcome = reader.GetString();
                    break;
                case 8:
                    statusCode = token == JsonTokenType.Null ? null : reader.GetInt32();
                    break;
                default:
                    latencyMs = reader.GetDouble();
                    break;
            }
        }

        if (seen != 31 || deployment is null || outcome is null || latencyMs is null)
        {
            throw new FormatException("An attempt lacks one of deployment, destination, outcome, statusCode and latencyMs.");
        }

        return new AuditAttempt(deployment, destination, outcome, statusCode, latencyMs.Value);
    }

    private static JsonTokenType Read(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new FormatException("The attempts column ends early.");

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (Read(ref reader) != type)
        {
            throw new FormatException($"The attempts column must hold a JSON array, not {reader.TokenType}.");
        }
    }

    /// <summary>
    /// Writes attempts again and again through one buffer and one JSON writer, so a store's writer loop pays only
    /// for each column's string. Not thread-safe; each user keeps its own.
    /// </summary>
    public sealed class Writer : IDisposable
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(256);
        private readonly Utf8JsonWriter _json;

        public Writer()
        {
            _json = new Utf8JsonWriter(_buffer);
        }

        public string Write(IReadOnlyList<AuditAttempt> attempts)
        {
            ArgumentNullException.ThrowIfNull(attempts);
            return attempts.Count == 0 ? Empty : Encoding.UTF8.GetString(WriteUtf8(attempts));
        }

        /// <summary>
        /// The column's text as UTF-8, for a store that binds bytes: valid until the next write, and no string at all.
        /// </summary>
        public ReadOnlySpan<byte> WriteUtf8(IReadOnlyList<AuditAttempt> attempts)
        {
            ArgumentNullException.ThrowIfNull(attempts);
            if (attempts.Count == 0)
            {
                return "[]"u8;
            }

            _buffer.ResetWrittenCount();
            _json.Reset(_buffer);
            _json.WriteStartArray();
            for (var i = 0; i < attempts.Count; i++)
            {
                var attempt = attempts[i];
                _json.WriteStartObject();
                _json.WriteString("deployment"u8, attempt.Deployment);
                _json.WriteString("destination"u8, attempt.Destination);
                _json.WriteString("outcome"u8, attempt.Outcome);
                if (attempt.StatusCode is { } status)
                {
                    _json.WriteNumber("statusCode"u8, status);
                }
                else
                {
                    _json.WriteNull("statusCode"u8);
                }

                _json.WriteNumber("latencyMs"u8, attempt.LatencyMs);
                _json.WriteEndObject();
            }

            _json.WriteEndArray();
            _json.Flush();
            return _buffer.WrittenSpan;
        }

        public void Dispose() => _json.Dispose();
    }
}
