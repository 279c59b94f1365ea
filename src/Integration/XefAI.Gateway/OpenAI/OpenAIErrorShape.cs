using System.Text.Json;
using XefAI.Gateway.Pipeline;
using XefAI.Integration;

namespace XefAI.Gateway.OpenAI;

/// <summary>
/// A <see cref="CallError"/> in OpenAI's shape (<c>{"error":{"message","type","param","code"}}</c>), which every
/// OpenAI client already knows how to surface to a developer. The gateway's own JSON APIs answer errors the same way.
/// </summary>
internal static class OpenAIErrorShape
{
    // Messages are read by developers in terminals and logs; \u0027 for every apostrophe helps no one.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// OpenAI's error <c>type</c> for a status: what its clients branch on. The gateway's own reason is the
    /// <c>code</c>, as OpenAI's refusal of content is <c>invalid_request_error</c> with code <c>content_policy_violation</c>:
    /// a rejected review's 410 is <c>invalid_request_error</c> with code <c>review_rejected</c>. Only OpenAI's own types are
    /// used: a client that maps <c>type</c> to an exception has no case for a type OpenAI never sends, so every 5xx (a
    /// store outage, an overload, a vendor's failure) is <c>server_error</c>, and its <c>code</c> says which.
    /// </summary>
    public static string TypeOf(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => "authentication_error",
        StatusCodes.Status403Forbidden => "permission_error",
        StatusCodes.Status429TooManyRequests => "rate_limit_error",
        >= 500 => "server_error",
        _ => "invalid_request_error",
    };

    public static byte[] ToUtf8Json(this CallError error)
    {
        using var buffer = new MemoryStream(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("message", error.Message);
            writer.WriteString("type", TypeOf(error.StatusCode));
            if (error.Param is null)
            {
                writer.WriteNull("param");
            }
            else
            {
                writer.WriteString("param", error.Param);
            }

            writer.WriteString("code", error.Code);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public static Task WriteAsync(this CallError error, HttpResponse response)
    {
        response.StatusCode = error.StatusCode;
        GatewayHeaders.SetRetryAfter(response, error.RetryAfter);
        GatewayHeaders.SetShouldRetry(response, error);
        response.ContentType = "application/json";
        return response.Body.WriteAsync(error.ToUtf8Json()).AsTask();
    }
}
