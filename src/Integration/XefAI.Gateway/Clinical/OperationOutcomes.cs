using System.Text.Encodings.Web;
using System.Text.Json;
using XefAI.Integration;

namespace XefAI.Gateway.Clinical;

/// <summary>
/// A <see cref="CallError"/> as a FHIR R4 OperationOutcome, the error shape every FHIR client reads: the issue type for
/// the kind of failure, the gateway's own error code as the issue's details, the message as diagnostics and the field
/// at fault as its expression.
/// </summary>
internal static class OperationOutcomes
{
    public const string ContentType = "application/fhir+json";

    /// <summary>The gateway's error codes (<c>bundle_too_large</c>, <c>prompt_parameter_undeclared</c>, …) as a code system.</summary>
    public const string ErrorCodeSystem = "https://xefai.health/fhir/CodeSystem/gateway-error";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Error(CallError error) => Write("error", IssueTypeOf(error), error.Code, error.Message, error.Param);

    /// <summary>An OperationOutcome of one issue.</summary>
    public static byte[] Write(string severity, string issueType, string code, string diagnostics, string? expression)
    {
        using var buffer = new MemoryStream(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("resourceType", "OperationOutcome");
            writer.WriteStartArray("issue");
            writer.WriteStartObject();
            writer.WriteString("severity", severity);
            writer.WriteString("code", issueType);
            writer.WriteStartObject("details");
            writer.WriteStartArray("coding");
            writer.WriteStartObject();
            writer.WriteString("system", ErrorCodeSystem);
            writer.WriteString("code", code);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteString("diagnostics", diagnostics);
            if (!string.IsNullOrEmpty(expression))
            {
                writer.WriteStartArray("expression");
                writer.WriteStringValue(expression);
                writer.WriteEndArray();
            }

            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// The R4 issue type (http://hl7.org/fhir/issue-type): what FHIR clients branch on. Codes whose kind the status
    /// does not say are named; the rest follow the HTTP status.
    /// </summary>
    public static string IssueTypeOf(CallError error) => error.Code switch
    {
        "invalid_json" or "invalid_encoding" or "duplicate_key" or "json_too_deep" or "invalid_fhir" or "not_a_bundle" or "unknown_resource_type" => "structure",
        "bundle_too_large" => "too-long",
        "unresolved_reference" or "use_case_has_no_template" or "unsupported_media_type" => "not-supported",
        "missing_required_parameter" or "prompt_parameter_missing" or "empty_bundle" => "required",
        _ => error.StatusCode switch
        {
            StatusCodes.Status401Unauthorized => "login",
            StatusCodes.Status403Forbidden => "forbidden",
            StatusCodes.Status404NotFound => "not-found",
            StatusCodes.Status408RequestTimeout => "timeout",
            StatusCodes.Status409Conflict => "conflict",
            StatusCodes.Status410Gone => "deleted",
            StatusCodes.Status413PayloadTooLarge => "too-long",
            StatusCodes.Status415UnsupportedMediaType => "not-supported",
            StatusCodes.Status429TooManyRequests => "throttled",
            499 => "incomplete",
            StatusCodes.Status502BadGateway or StatusCodes.Status503ServiceUnavailable or StatusCodes.Status504GatewayTimeout => "transient",
            >= 500 => "exception",
            _ => "invalid",
        },
    };
}
