using System.Text.Json;
using Microsoft.Net.Http.Headers;
using XefAI.Gateway.Clinical;
using XefAI.Gateway.OpenAI;
using XefAI.Integration;

namespace XefAI.Gateway.CdsHooks;

/// <summary>A CDS service call as the EHR sent it, checked.</summary>
/// <param name="Context">The hook's context members that are text (<c>patientId</c>, <c>encounterId</c>, <c>userId</c>…).</param>
/// <param name="ContextResources">FHIR resources the context carries (<c>draftOrders</c>, <c>selections</c>' Bundle), as JSON.</param>
/// <param name="Prefetch">Prefetched resources by key as JSON text; null where the EHR had none (a key sent as null).</param>
internal sealed record CdsServiceCall(
    string Hook,
    string HookInstance,
    IReadOnlyDictionary<string, string> Context,
    IReadOnlyList<string> ContextResources,
    IReadOnlyDictionary<string, string?> Prefetch,
    Uri? FhirServer,
    string? AccessToken);

/// <summary>
/// Reads a CDS Hooks 2.0 service request (<c>hook</c>, <c>hookInstance</c>, <c>context</c>, <c>prefetch</c>,
/// <c>fhirServer</c>, <c>fhirAuthorization</c>) and refuses, before anything reaches a model, what cannot be one: not
/// JSON, a hook other than the service's, prefetch that is not FHIR, a FHIR server the gateway must not call, a patient
/// in the context that the prefetched Patient contradicts.
/// </summary>
internal static class CdsServiceRequestReader
{
    /// <summary>Context members the CDS Hooks 2.0 hook library defines as text: who the call is about and who asks.</summary>
    private static readonly IReadOnlySet<string> IdentifierMembers = new HashSet<string>(StringComparer.Ordinal)
    {
        "patientId", "encounterId", "userId",
    };

    public static bool TryRead(
        ReadOnlyMemory<byte> body, HttpRequest request, string serviceHook, int maxJsonDepth, int maxBundleEntries, out CdsServiceCall? call, out CallError? error)
        => TryRead(body, request, serviceHook, maxJsonDepth, maxBundleEntries, [], out call, out error);

    /// <param name="allowedFhirServers">The <c>CdsHooks:FhirServers</c> a <c>fhirServer</c> must be among; empty allows any.</param>
    public static bool TryRead(
        ReadOnlyMemory<byte> body,
        HttpRequest request,
        string serviceHook,
        int maxJsonDepth,
        int maxBundleEntries,
        IReadOnlyList<string> allowedFhirServers,
        out CdsServiceCall? call,
        out CallError? error)
    {
        call = null;
        error = CheckContentType(request.ContentType) ?? JsonBodyGuard.Check(body.Span, maxJsonDepth);
        if (error is not null)
        {
            return false;
        }

        body = JsonBodyGuard.WithoutByteOrderMark(body);

        using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = maxJsonDepth });
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = CallError.InvalidRequest("invalid_request", "The body must be a CDS Hooks request: a JSON object with 'hook', 'hookInstance' and 'context'.");
            return false;
        }

        if (!TryGetString(root, "hook", out var hook, out error) || !TryGetString(root, "hookInstance", out var hookInstance, out error))
        {
            return false;
        }

        if (!CdsHookRules.KnownHooks.Contains(hook!))
        {
            error = CallError.InvalidRequest("unknown_hook", $"'hook' is not a CDS hook this gateway answers ({string.Join(", ", CdsHookRules.KnownHooks.Order(StringComparer.Ordinal))}).", "hook");
            return false;
        }

        if (hook != serviceHook)
        {
            error = CallError.InvalidRequest("hook_mismatch", $"This service answers '{serviceHook}', not '{hook}'; GET /cds-services lists each service's hook.", "hook");
            return false;
        }

        if (!root.TryGetProperty("context", out var contextElement) || contextElement.ValueKind != JsonValueKind.Object)
        {
            error = CallError.InvalidRequest("missing_required_parameter", "'context' is required: an object of the hook's context.", "context");
            return false;
        }

        var context = new Dictionary<string, string>(StringComparer.Ordinal);
        var contextResources = new List<string>();
        foreach (var member in contextElement.EnumerateObject())
        {
            if (member.Value.ValueKind == JsonValueKind.String)
            {
                context[member.Name] = member.Value.GetString()!;
            }
            else if (IdentifierMembers.Contains(member.Name) && member.Value.ValueKind != JsonValueKind.Null)
            {
                // The hook library defines these as FHIR ids (userId a reference) in text. One sent as a number or an
                // object would be dropped, and with it the check that the prefetched Patient is the context's patient.
                error = CallError.InvalidRequest(
                    "invalid_type", $"Invalid type for 'context.{member.Name}': expected a string (a FHIR id).", $"context.{member.Name}");
                return false;
            }
            else if (member.Value.ValueKind == JsonValueKind.Object && member.Value.TryGetProperty("resourceType", out _))
            {
                if (CheckResource(member.Value, $"context.{ClinicalTaskRequestReader.Echo(member.Name)}", maxBundleEntries) is { } bad)
                {
                    error = bad;
                    return false;
                }

                contextResources.Add(member.Value.GetRawText());
            }
        }

        if (CheckRequiredContext(hook!, contextElement) is { } missing)
        {
            error = missing;
            return false;
        }

        var prefetch = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (root.TryGetProperty("prefetch", out var prefetchElement) && prefetchElement.ValueKind != JsonValueKind.Null)
        {
            if (prefetchElement.ValueKind != JsonValueKind.Object)
            {
                error = CallError.InvalidRequest("invalid_prefetch", "'prefetch' must be an object of FHIR resources by prefetch key.", "prefetch");
                return false;
            }

            foreach (var member in prefetchElement.EnumerateObject())
            {
                var path = $"prefetch.{ClinicalTaskRequestReader.Echo(member.Name)}";
                if (member.Value.ValueKind == JsonValueKind.Null)
                {
                    // The specification's way of saying the EHR has no data for the key.
                    prefetch[member.Name] = null;
                    continue;
                }

                if (CheckResource(member.Value, path, maxBundleEntries) is { } bad)
                {
                    error = bad;
                    return false;
                }

                prefetch[member.Name] = member.Value.GetRawText();
            }
        }

        Uri? fhirServer = null;
        if (root.TryGetProperty("fhirServer", out var serverElement) && serverElement.ValueKind != JsonValueKind.Null)
        {
            fhirServer = FhirServerAddress.Check(serverElement.ValueKind == JsonValueKind.String ? serverElement.GetString() : null, out var problem);
            if (fhirServer is null)
            {
                error = CallError.InvalidRequest("invalid_fhir_server", problem!, "fhirServer");
                return false;
            }

            if (!FhirServerAllowList.Allows(allowedFhirServers, fhirServer))
            {
                // Named by its origin only: the caller sent it, and the path may carry a tenant or a patient.
                error = CallError.InvalidRequest(
                    "invalid_fhir_server",
                    $"'fhirServer' ({fhirServer.GetLeftPart(UriPartial.Authority)}) is not one of the FHIR servers this gateway may fetch from (CdsHooks:FhirServers); send the prefetch instead, or ask the operator to list the server.",
                    "fhirServer");
                return false;
            }
        }

        string? accessToken = null;
        if (root.TryGetProperty("fhirAuthorization", out var authorization) && authorization.ValueKind != JsonValueKind.Null)
        {
            if (authorization.ValueKind != JsonValueKind.Object
                || !authorization.TryGetProperty("access_token", out var token) || token.ValueKind != JsonValueKind.String
                || string.IsNullOrEmpty(token.GetString()))
            {
                error = CallError.InvalidRequest("invalid_fhir_authorization", "'fhirAuthorization' must be an object with an 'access_token'.", "fhirAuthorization");
                return false;
            }

            accessToken = token.GetString();
        }

        call = new CdsServiceCall(hook!, hookInstance!, context, contextResources, prefetch, fhirServer, accessToken);
        error = CheckPatient(call);
        return error is null;
    }

    /// <summary>A prefetched or fetched resource is FHIR: an object of an R4 resource type; a Bundle's entries are checked as the invoke API checks them.</summary>
    public static CallError? CheckResource(JsonElement resource, string path, int maxBundleEntries)
    {
        if (resource.ValueKind != JsonValueKind.Object
            || !resource.TryGetProperty("resourceType", out var type) || type.ValueKind != JsonValueKind.String
            || !BundleShape.IsResourceType(type.GetString()!))
        {
            return CallError.InvalidRequest("invalid_prefetch", $"{path} is not a FHIR R4 resource: a JSON object with a known 'resourceType', or null when the EHR has none.", path);
        }

        return type.GetString() == "Bundle" ? Relabel(BundleShape.Check(resource, path, path, maxBundleEntries)) : null;
    }

    /// <summary>
    /// The patient the context names must be the patient the prefetch and the context's resources (<c>draftOrders</c>…)
    /// are about: a Patient resource (alone, or in a Bundle) with another id, or a resource whose subject is another
    /// patient, means the EHR mixed two charts, and the answer would be about the wrong person. Without
    /// <c>context.patientId</c>, the data must still be about one patient.
    /// </summary>
    public static CallError? CheckPatient(CdsServiceCall call)
    {
        call.Context.TryGetValue("patientId", out var patientId);
        var patient = patientId;
        foreach (var (key, json) in call.Prefetch)
        {
            if (json is not null && OtherPatient(json, ref patient))
            {
                var path = $"prefetch.{ClinicalTaskRequestReader.Echo(key)}";
                return Mismatch(patientId is not null, $"the data in {path}", path);
            }
        }

        foreach (var json in call.ContextResources)
        {
            if (OtherPatient(json, ref patient))
            {
                return Mismatch(patientId is not null, "a FHIR resource in the context", "context");
            }
        }

        return null;
    }

    /// <summary>Whether the resource is about another patient than <paramref name="patient"/>, which the first patient found sets when null.</summary>
    private static bool OtherPatient(string json, ref string? patient)
    {
        using var document = JsonDocument.Parse(json);
        foreach (var id in PatientIds(document.RootElement))
        {
            patient ??= id;
            if (id != patient)
            {
                return true;
            }
        }

        return false;
    }

    private static CallError Mismatch(bool named, string what, string param) => CallError.InvalidRequest(
        "patient_mismatch",
        named
            ? $"context.patientId names another patient than {what} is about; send one patient's data per call."
            : $"The call's data is about more than one patient ({what} names another); send one patient's data per call, named in context.patientId.",
        param);

    /// <summary>Whether a resource (or a Bundle's entries) is a Patient with another id, or names another patient as its subject.</summary>
    public static bool IsAboutAnotherPatient(string json, string patientId)
    {
        using var document = JsonDocument.Parse(json);
        return PatientIds(document.RootElement).Any(id => id != patientId);
    }

    private static readonly string[] SubjectElements = ["subject", "patient"];

    private static IEnumerable<string> PatientIds(JsonElement resource)
    {
        var type = resource.TryGetProperty("resourceType", out var t) ? t.GetString() : null;
        if (type == "Patient" && resource.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
        {
            yield return id.GetString()!;
        }
        else if (type != "Bundle")
        {
            // A clinical resource names its patient in "subject" or "patient": one about another patient mixes charts too.
            foreach (var element in SubjectElements)
            {
                if (PatientIdOf(resource, element) is { } subject)
                {
                    yield return subject;
                }
            }
        }
        else if (resource.TryGetProperty("entry", out var entries) && entries.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in entries.EnumerateArray())
            {
                if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("resource", out var inner) && inner.ValueKind == JsonValueKind.Object)
                {
                    foreach (var nested in PatientIds(inner))
                    {
                        yield return nested;
                    }
                }
            }
        }
    }

    // "Patient/123", "https://ehr.example.org/fhir/Patient/123" and either with "/_history/{v}" name patient 123; a
    // reference by identifier, a urn:uuid or a contained "#id" names no id that could be compared.
    internal static string? PatientIdOf(JsonElement resource, string element)
    {
        if (!resource.TryGetProperty(element, out var target) || target.ValueKind != JsonValueKind.Object
            || !target.TryGetProperty("reference", out var reference) || reference.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var segments = reference.GetString()!.Split('/');
        var at = Array.LastIndexOf(segments, "Patient");
        return at >= 0 && at + 1 < segments.Length && (at + 2 == segments.Length || segments[at + 2] == "_history") && segments[at + 1].Length > 0
            ? segments[at + 1]
            : null;
    }

    // A search that found nothing is an empty searchset Bundle: no data, not bad input.
    private static CallError? Relabel(CallError? error) => error switch
    {
        null or { Code: "empty_bundle" } => null,
        { Code: "invalid_fhir" or "not_a_bundle" or "unknown_resource_type" or "unresolved_reference" } => error with { Code = "invalid_prefetch" },
        _ => error,
    };

    /// <summary>The hook's required context members (<see cref="CdsHookRules.RequiredContext"/>): present, and of their kind.</summary>
    private static CallError? CheckRequiredContext(string hook, JsonElement context)
    {
        foreach (var (name, kind) in CdsHookRules.RequiredContext[hook])
        {
            var path = $"context.{name}";
            if (!context.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null
                || (value.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(value.GetString())))
            {
                return CallError.InvalidRequest("missing_required_parameter", $"'{path}' is required by the '{hook}' hook (CDS Hooks 2.0).", path);
            }

            var fits = kind switch
            {
                ContextMember.Text => value.ValueKind == JsonValueKind.String,
                ContextMember.TextArray => value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0
                    && value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String),
                _ => value.ValueKind == JsonValueKind.Object
                    && value.TryGetProperty("resourceType", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "Bundle",
            };
            if (!fits)
            {
                var expected = kind switch
                {
                    ContextMember.Text => "a string (a FHIR id)",
                    ContextMember.TextArray => "a non-empty array of order ids as strings",
                    _ => "a FHIR Bundle",
                };
                return CallError.InvalidRequest("invalid_type", $"Invalid type for '{path}': expected {expected}.", path);
            }
        }

        return null;
    }

    private static bool TryGetString(JsonElement root, string name, out string? value, out CallError? error)
    {
        value = null;
        error = null;
        if (root.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(element.GetString()))
        {
            value = element.GetString();
            return true;
        }

        error = CallError.InvalidRequest("missing_required_parameter", $"'{name}' is required: a CDS Hooks request names its hook and hook instance.", name);
        return false;
    }

    private static CallError? CheckContentType(string? contentType) =>
        string.IsNullOrEmpty(contentType)
        || (MediaTypeHeaderValue.TryParse(contentType, out var parsed) && parsed.MediaType.Value is { } type
            && (type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.Equals("application/fhir+json", StringComparison.OrdinalIgnoreCase)))
            ? null
            : new CallError(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", "Send the CDS Hooks request as application/json.");
}
