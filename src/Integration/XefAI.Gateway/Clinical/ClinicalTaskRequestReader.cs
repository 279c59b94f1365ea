using System.Globalization;
using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using Microsoft.Net.Http.Headers;
using XefAI.Gateway.OpenAI;
using XefAI.Integration;

namespace XefAI.Gateway.Clinical;

/// <summary>A clinical task as the caller sent it: the Bundle's JSON text, the template's task parameters, the options.</summary>
/// <param name="BundleJson">The Bundle exactly as sent, for the Data layer to read.</param>
/// <param name="BundleParam">Where the Bundle is in the request (<c>Bundle</c> or <c>bundle</c>), for errors.</param>
/// <param name="Parameters">The task parameters; empty when none were sent, so the template always renders.</param>
/// <param name="MaxTokens">The caller's cap on the answer's length, when it set one.</param>
internal sealed record ClinicalTask(string BundleJson, string BundleParam, IReadOnlyDictionary<string, string> Parameters, int? MaxTokens)
{
    /// <summary>
    /// Set instead of a Bundle (<c>{"patient": "123"}</c>): the use case fetches the patient's data from its FHIR
    /// server; <see cref="BundleJson"/> is then empty.
    /// </summary>
    public string? PatientId { get; init; }
}

/// <summary>
/// Reads a clinical task request in one of its two shapes and refuses, before anything reaches a model, what cannot be
/// a patient's clinical data: a body that is not JSON, a resource other than a Bundle, an entry of no R4 resource type,
/// an entry that only points at a resource, more entries than the gateway reads, task parameters that are not text.
/// Everything a FHIR parser can recover from is left to the Data layer, which reads it leniently and reports warnings.
/// </summary>
/// <remarks>
/// The two shapes:
/// <list type="bullet">
/// <item>the FHIR Bundle itself as the body, task parameters in the query string (<c>?audience=patient</c>), and the
/// gateway's own options prefixed with <c>_</c> (<c>_max_tokens</c>), a prefix no template parameter can have;</item>
/// <item>a JSON envelope <c>{"bundle": {…}, "parameters": {"audience": "patient"}, "max_tokens": 800}</c>, for apps
/// that keep parameters out of URLs (proxies log them).</item>
/// </list>
/// A body whose root has a <c>resourceType</c> is the first shape, any other object the second.
/// </remarks>
internal static class ClinicalTaskRequestReader
{
    public const string MaxTokensQuery = "_max_tokens";
    public const string FormatQuery = "_format";

    private const int MaxEchoedNameLength = 64;

    private static readonly HashSet<string> EnvelopeMembers = new(StringComparer.Ordinal) { "bundle", "patient", "parameters", "max_tokens" };

    /// <param name="maxJsonDepth">Deepest JSON nesting accepted (<c>Gateway:MaxJsonDepth</c>).</param>
    /// <param name="maxBundleEntries">Most Bundle entries accepted, nested Bundles' included (<c>Data:MaxBundleEntries</c>).</param>
    public static bool TryRead(
        ReadOnlyMemory<byte> body, HttpRequest request, int maxJsonDepth, int maxBundleEntries, out ClinicalTask? task, out CallError? error)
    {
        task = null;
        error = CheckContentType(request.ContentType) ?? CheckFormat(request.Query) ?? JsonBodyGuard.Check(body.Span, maxJsonDepth);
        if (error is not null)
        {
            return false;
        }

        body = JsonBodyGuard.WithoutByteOrderMark(body);

        using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = maxJsonDepth });
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = NotABundle("The body must be a JSON object: a FHIR Bundle, or {\"bundle\": {…}, \"parameters\": {…}}.", null);
            return false;
        }

        return root.TryGetProperty("resourceType", out _)
            ? TryReadBundleBody(root, body, request.Query, maxBundleEntries, out task, out error)
            : TryReadEnvelope(root, request.Query, maxBundleEntries, out task, out error);
    }

    private static bool TryReadBundleBody(
        JsonElement root, ReadOnlyMemory<byte> body, IQueryCollection query, int maxBundleEntries, out ClinicalTask? task, out CallError? error)
    {
        task = null;
        error = BundleShape.Check(root, "Bundle", "The body", maxBundleEntries) ?? BundleShape.CheckOnePatient(root, "Bundle");
        if (error is not null)
        {
            return false;
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        int? maxTokens = null;
        foreach (var (name, values) in query)
        {
            if (values.Count != 1)
            {
                error = CallError.InvalidRequest("duplicate_parameter", $"The query string gives '{Echo(name)}' {values.Count} times; give each parameter once.", Echo(name));
                return false;
            }

            var value = values[0] ?? string.Empty;
            if (name == FormatQuery)
            {
                continue;
            }

            if (name == MaxTokensQuery)
            {
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var cap) || cap < 1)
                {
                    error = CallError.InvalidRequest("invalid_value", $"{MaxTokensQuery} must be a whole number of at least 1.", MaxTokensQuery);
                    return false;
                }

                maxTokens = cap;
            }
            else if (name.StartsWith('_'))
            {
                error = CallError.InvalidRequest(
                    "unknown_parameter",
                    $"'{Echo(name)}' is not a parameter of the clinical task API: names starting with '_' are the gateway's ({MaxTokensQuery}, {FormatQuery}); task parameters never start with '_'.",
                    Echo(name));
                return false;
            }
            else
            {
                // A name the template does not declare is refused when the template renders, naming what it declares.
                parameters[name] = value;
            }
        }

        task = new ClinicalTask(Encoding.UTF8.GetString(body.Span), "Bundle", parameters, maxTokens);
        return true;
    }

    private static bool TryReadEnvelope(JsonElement root, IQueryCollection query, int maxBundleEntries, out ClinicalTask? task, out CallError? error)
    {
        task = null;
        if (query.Keys.FirstOrDefault(k => k != FormatQuery) is { } queried)
        {
            error = CallError.InvalidRequest(
                "unexpected_query_parameter",
                $"The body is a JSON envelope, so its task parameters belong in its 'parameters' object, not in the query string ('{Echo(queried)}').",
                Echo(queried));
            return false;
        }

        JsonElement? bundle = null;
        string? patient = null;
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        int? maxTokens = null;
        foreach (var member in root.EnumerateObject())
        {
            if (!EnvelopeMembers.Contains(member.Name))
            {
                error = CallError.InvalidRequest(
                    "unknown_field",
                    $"The envelope has no field '{Echo(member.Name)}': it takes 'bundle' (a FHIR Bundle) or 'patient' (a patient id, for a use case that fetches from its FHIR server), 'parameters' (the task parameters, as text) and 'max_tokens'. A FHIR resource as the body needs its 'resourceType'.",
                    Echo(member.Name));
                return false;
            }

            var value = member.Value;
            switch (member.Name)
            {
                case "bundle":
                    bundle = value;
                    break;
                case "patient":
                    if (value.ValueKind != JsonValueKind.String || !IsFhirId(value.GetString()!))
                    {
                        error = CallError.InvalidRequest(
                            "invalid_value", "'patient' must be a FHIR id: 1 to 64 letters, digits, '-' or '.'.", "patient");
                        return false;
                    }

                    patient = value.GetString();
                    break;
                case "parameters" when value.ValueKind == JsonValueKind.Null:
                    break;
                case "parameters" when value.ValueKind != JsonValueKind.Object:
                    error = CallError.InvalidRequest("invalid_type", "'parameters' must be an object of task parameters, each a string.", "parameters");
                    return false;
                case "parameters":
                    foreach (var parameter in value.EnumerateObject())
                    {
                        if (parameter.Value.ValueKind != JsonValueKind.String)
                        {
                            error = CallError.InvalidRequest(
                                "invalid_type",
                                $"Task parameter '{Echo(parameter.Name)}' must be a string; it is {Describe(parameter.Value.ValueKind)}.",
                                $"parameters.{Echo(parameter.Name)}");
                            return false;
                        }

                        parameters[parameter.Name] = parameter.Value.GetString()!;
                    }

                    break;
                case "max_tokens" when value.ValueKind == JsonValueKind.Null:
                    break;
                case "max_tokens":
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var cap) || cap < 1)
                    {
                        error = CallError.InvalidRequest("invalid_value", "'max_tokens' must be a whole number of at least 1.", "max_tokens");
                        return false;
                    }

                    maxTokens = cap;
                    break;
            }
        }

        if (patient is not null)
        {
            if (bundle is not null)
            {
                error = CallError.InvalidRequest("conflicting_parameters", "Send either 'bundle' or 'patient', not both.", "patient");
                return false;
            }

            task = new ClinicalTask(string.Empty, "patient", parameters, maxTokens) { PatientId = patient };
            error = null;
            return true;
        }

        if (bundle is not { ValueKind: JsonValueKind.Object } clinical)
        {
            error = bundle is null or { ValueKind: JsonValueKind.Null }
                ? CallError.InvalidRequest("missing_required_parameter", "Send the patient's clinical data as 'bundle': a FHIR R4 Bundle.", "bundle")
                : NotABundle("'bundle' must be a FHIR R4 Bundle, a JSON object.", "bundle");
            return false;
        }

        error = BundleShape.Check(clinical, "bundle", "'bundle'", maxBundleEntries) ?? BundleShape.CheckOnePatient(clinical, "bundle");
        if (error is not null)
        {
            return false;
        }

        task = new ClinicalTask(clinical.GetRawText(), "bundle", parameters, maxTokens);
        return true;
    }

    /// <summary>FHIR's id type: 1–64 of <c>A–Z a–z 0–9 - .</c>; nothing a query could be steered with.</summary>
    public static bool IsFhirId(string value) =>
        value.Length is >= 1 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.');

    private static CallError? CheckContentType(string? contentType)
    {
        // No content type is read as JSON, as the other APIs do; a declared non-JSON type (a form post, FHIR XML) is refused.
        if (string.IsNullOrEmpty(contentType))
        {
            return null;
        }

        return MediaTypeHeaderValue.TryParse(contentType, out var parsed)
            && parsed.MediaType.Value is { } type
            && (type.Equals("application/fhir+json", StringComparison.OrdinalIgnoreCase)
                || type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                || type.Equals("application/json+fhir", StringComparison.OrdinalIgnoreCase))
            ? null
            : new CallError(
                StatusCodes.Status415UnsupportedMediaType,
                "unsupported_media_type",
                "Send the request as JSON: Content-Type application/fhir+json (a FHIR Bundle) or application/json. FHIR XML is not read.");
    }

    private static CallError? CheckFormat(IQueryCollection query) =>
        query[FormatQuery] is { Count: > 0 } format && !format.All(f => f is "json" or "application/json" or "application/fhir+json")
            ? new CallError(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", "Only JSON is read and written: _format must be json or application/fhir+json.", FormatQuery)
            : null;

    internal static CallError NotABundle(string message, string? param) => CallError.InvalidRequest("not_a_bundle", message, param);

    internal static CallError Malformed(string message, string param) =>
        CallError.InvalidRequest("invalid_fhir", $"The FHIR Bundle is malformed: {message}", param);

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => "null",
    };

    // Names from the request are echoed only when short and plain: a member name or a type could hold anything pasted.
    // Plain means a name's characters, starting as a name does, with fewer than five digits: 987-65-4321 (an SSN),
    // ssn_987-65-4321 or mrn-4471923 holds a value, not a name.
    internal static string Echo(string name) => IsPlainName(name) ? name : "(unprintable name)";

    private static bool IsPlainName(string name)
    {
        if (name.Length is 0 or > MaxEchoedNameLength || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        var digits = 0;
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            {
                return false;
            }

            digits += char.IsAsciiDigit(c) ? 1 : 0;
            if (digits >= 5)
            {
                return false;
            }
        }

        return true;
    }

    internal static string Quoted(string name) => Echo(name) == name ? $"'{name}'" : "(unprintable)";
}
