using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace XefAI.Gateway.Admin;

/// <summary>
/// Reads the JSON bodies of the governance API with errors in the caller's terms. System.Text.Json's own
/// messages name the .NET type being filled (<c>XefAI.Gateway.Admin.GovernanceEndpoints+StatusChangeBody</c>),
/// which is nobody's business outside the gateway, so they are never passed on.
/// </summary>
internal static class AdminJson
{
    private const int MaxFieldLength = 64;

    /// <summary>
    /// Web defaults, but a member named twice is refused: <c>{"clinicalSponsor":"A","clinicalSponsor":"B"}</c> would
    /// otherwise record B while a reader of the request sees A too, and who approved what must not be ambiguous.
    /// </summary>
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { AllowDuplicateProperties = false };

    /// <summary>
    /// The largest governance body read: a reason, a sponsor, a review's text. Kestrel's own limit (30 MB) let a 3 MB
    /// reason into the state store and the audit trail, where every later reader and verifier pays for it.
    /// </summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>
    /// The error <c>type</c> of a governance API answer. A 4xx is the request's (<c>invalid_request_error</c>, as these
    /// routes have always said); a 5xx, a store outage above all, is not the caller's fault, and is typed as the call
    /// pipeline types its own (<see cref="OpenAI.OpenAIErrorShape.TypeOf"/>: a 503 is <c>server_error</c>, its code naming the store), so a
    /// client branches on one vocabulary.
    /// </summary>
    public static string ErrorType(int status) => status >= 500 ? OpenAI.OpenAIErrorShape.TypeOf(status) : "invalid_request_error";

    private static readonly string TooLarge = $"The request body is over {MaxBodyBytes / 1024} KB; a governance request holds a few short fields.";

    /// <returns>The body (null for a JSON <c>null</c>), or a message naming what is wrong and where.</returns>
    public static async Task<(T? Body, string? Error)> ReadBodyAsync<T>(HttpContext context, CancellationToken ct)
        where T : class
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return (null, TooLarge);
        }

        if (!Pipeline.Steps.ReadRequestStep.IsIdentity(context.Request.Headers.ContentEncoding))
        {
            // Read as it is, a gzip body was "not valid JSON (line 1, byte 1)", which does not say what is wrong.
            return (null, "The request body is sent with a Content-Encoding (e.g. gzip) this gateway does not accept; send the body uncompressed, without a Content-Encoding header.");
        }

        // A chunked body has no length to check first: the server stops reading it at the limit.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        try
        {
            return (await context.Request.ReadFromJsonAsync<T>(Options, ct), null);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge);
        }
        catch (JsonException ex)
        {
            return (null, Describe(ex));
        }
        catch (InvalidOperationException)
        {
            // Thrown for a missing or non-JSON Content-Type.
            return (null, "Send the body as JSON (Content-Type: application/json).");
        }
    }

    public static string Describe(JsonException exception)
    {
        var field = FieldOf(exception.Path);
        var position = exception.LineNumber is { } line
            ? $" (line {line + 1}, byte {exception.BytePositionInLine.GetValueOrDefault() + 1})"
            : string.Empty;

        if (exception.Message.StartsWith("Duplicate propert", StringComparison.Ordinal))
        {
            return field is null
                ? "The request body names a member twice; send each member once."
                : $"The request body names '{field}' twice; send each member once.";
        }

        // A string escaped into an unpaired UTF-16 surrogate ("\ud800") is a JSON string, but not text: saying it is not
        // a string would send the caller looking for the wrong fault. A number or object where a string belongs is an
        // InvalidOperationException too ("Cannot get the value of a token type 'Number' as a string"): only the reader's
        // invalid UTF-16 error is the surrogate case, else `{"content":5}` was told it held a surrogate escape.
        if (exception.InnerException is InvalidOperationException { Message: var inner } && inner.Contains("UTF-16", StringComparison.Ordinal))
        {
            return field is null
                ? "The request body holds an unpaired UTF-16 surrogate escape such as \\ud800; send valid Unicode text."
                : $"'{field}' holds an unpaired UTF-16 surrogate escape such as \\ud800; send valid Unicode text.";
        }

        // A well-formed value of the wrong type (a number for a string, an array for the body) has no syntax position worth naming.
        var wrongType = exception.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal);
        return (wrongType, field) switch
        {
            (true, null) => "The request body must be a JSON object.",
            (true, _) => $"'{field}' must be a JSON string.",
            (false, null) => $"The request body is not valid JSON{position}.",
            (false, _) => $"The request body is not valid JSON at '{field}'{position}.",
        };
    }

    /// <summary>The member a JSON path like <c>$.reason</c> ends in; null for the body itself.</summary>
    private static string? FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return null;
        }

        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return field.Length > MaxFieldLength ? field[..MaxFieldLength] + "…" : field;
    }
}
