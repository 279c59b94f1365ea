using System.Text.Json;

namespace XefAI.Gateway.OpenAI;

/// <summary>
/// An error in OpenAI's shape (<c>{"error":{"message","type","param","code"}}</c>), which every OpenAI
/// client already knows how to surface to a developer.
/// </summary>
/// <param name="StatusCode">HTTP status.</param>
/// <param name="Type">OpenAI error type, e.g. <c>invalid_request_error</c>.</param>
/// <param name="Code">Machine-readable code; also the audit reason.</param>
/// <param name="Message">What went wrong and what to do, for a developer.</param>
/// <param name="Param">The request field at fault, when there is one.</param>
internal sealed record OpenAIError(int StatusCode, string Type, string Code, string Message, string? Param = null)
{
    /// <summary>Sent as <c>Retry-After</c>, when waiting will help (rate limits).</summary>
    public TimeSpan? RetryAfter { get; init; }

    // Messages are read by developers in terminals and logs; \u0027 for every apostrophe helps no one.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public byte[] ToUtf8Json()
    {
        using var buffer = new MemoryStream(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("message", Message);
            writer.WriteString("type", Type);
            if (Param is null)
            {
                writer.WriteNull("param");
            }
            else
            {
                writer.WriteString("param", Param);
            }

            writer.WriteString("code", Code);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public Task WriteAsync(HttpResponse response)
    {
        response.StatusCode = StatusCode;
        if (RetryAfter is { } wait)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        response.ContentType = "application/json";
        return response.Body.WriteAsync(ToUtf8Json()).AsTask();
    }

    public static OpenAIError InvalidRequest(string code, string message, string? param = null) =>
        new(StatusCodes.Status400BadRequest, "invalid_request_error", code, message, param);

    public static OpenAIError Unauthenticated(string message) =>
        new(StatusCodes.Status401Unauthorized, "authentication_error", "invalid_api_key", message);

    public static OpenAIError Forbidden(string code, string message) =>
        new(StatusCodes.Status403Forbidden, "permission_error", code, message);

    public static OpenAIError NotFound(string code, string message, string? param = null) =>
        new(StatusCodes.Status404NotFound, "invalid_request_error", code, message, param);

    public static OpenAIError Unavailable(string code, string message) =>
        new(StatusCodes.Status503ServiceUnavailable, "service_unavailable", code, message);
}
