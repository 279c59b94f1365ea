using System.Text.Json;
using Hl7.Fhir.Model;
using XefAI.Integration;

namespace XefAI.Gateway.Clinical;

/// <summary>
/// The structural checks of a clinical task's Bundle, made before anything reaches a model: a Bundle, entries that
/// carry R4 resources (nested Bundles too), no more of them than <c>Data:MaxBundleEntries</c>. What is recoverable
/// inside a resource is left to the Data layer, which reads it leniently and reports warnings.
/// </summary>
internal static class BundleShape
{
    /// <summary>The shape a FHIR parser cannot recover from, checked for the whole Bundle, nested Bundles included.</summary>
    /// <param name="path">Where the Bundle is, as error locations start: <c>Bundle</c> or <c>bundle</c>.</param>
    /// <param name="label">How messages name it: the body, or the envelope's field.</param>
    public static CallError? Check(JsonElement bundle, string path, string label, int maxEntries)
    {
        if (!bundle.TryGetProperty("resourceType", out var type) || type.ValueKind != JsonValueKind.String)
        {
            return ClinicalTaskRequestReader.NotABundle($"{label} must be a FHIR R4 Bundle: its 'resourceType' must be the string \"Bundle\".", path);
        }

        var typeName = type.GetString()!;
        if (typeName != "Bundle")
        {
            var what = IsResourceType(typeName) ? $"a FHIR {typeName}" : "not a FHIR R4 resource";
            return ClinicalTaskRequestReader.NotABundle(
                $"{label} is {what}; the clinical task API takes a Bundle of the patient's data (send a single resource as a Bundle of type collection).",
                path);
        }

        var count = 0;
        return CheckEntries(bundle, path, maxEntries, ref count)
            ?? (count == 0
                ? CallError.InvalidRequest("empty_bundle", "The Bundle carries no resources: there is no clinical data for the task to read.", $"{path}.entry")
                : null);
    }

    private static CallError? CheckEntries(JsonElement bundle, string path, int maxEntries, ref int count)
    {
        if (!bundle.TryGetProperty("entry", out var entries) || entries.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (entries.ValueKind != JsonValueKind.Array)
        {
            return ClinicalTaskRequestReader.Malformed($"{path}.entry must be an array of entries.", $"{path}.entry");
        }

        var index = 0;
        foreach (var entry in entries.EnumerateArray())
        {
            var at = $"{path}.entry[{index++}]";
            if (++count > maxEntries)
            {
                return CallError.InvalidRequest(
                    "bundle_too_large",
                    $"The Bundle holds more than {maxEntries} entries (nested Bundles included), this gateway's limit; send the resources the task needs.",
                    path);
            }

            if (entry.ValueKind != JsonValueKind.Object)
            {
                return ClinicalTaskRequestReader.Malformed($"{at} must be an object.", at);
            }

            if (!entry.TryGetProperty("resource", out var resource) || resource.ValueKind == JsonValueKind.Null)
            {
                // A fullUrl or a GET request without the resource is a reference; fetching it from a FHIR server is not built yet.
                return CallError.InvalidRequest(
                    "unresolved_reference",
                    $"{at} carries no resource, only a reference to one; this gateway reads the resources a Bundle carries and cannot fetch referenced ones yet. Put each resource in its entry's 'resource'.",
                    at);
            }

            if (resource.ValueKind != JsonValueKind.Object)
            {
                return ClinicalTaskRequestReader.Malformed($"{at}.resource must be a FHIR resource, a JSON object.", $"{at}.resource");
            }

            if (!resource.TryGetProperty("resourceType", out var type) || type.ValueKind != JsonValueKind.String)
            {
                return ClinicalTaskRequestReader.Malformed($"{at}.resource has no 'resourceType' string naming its R4 resource type.", $"{at}.resource");
            }

            var typeName = type.GetString()!;
            if (!IsResourceType(typeName))
            {
                return CallError.InvalidRequest(
                    "unknown_resource_type",
                    $"{at}.resource has resourceType {ClinicalTaskRequestReader.Quoted(typeName)}, which is not a FHIR R4 resource type.",
                    $"{at}.resource.resourceType");
            }

            if (typeName == "Bundle" && CheckEntries(resource, $"{at}.resource", maxEntries, ref count) is { } nested)
            {
                return nested;
            }
        }

        return null;
    }

    /// <summary>
    /// A clinical task reads one patient's chart: a Bundle that carries two patients (two Patient resources, or a
    /// resource whose subject is another patient than the Bundle's Patient) would have the model write one summary
    /// of both, about no one. Patients are told apart by id, by the entry's fullUrl when a Patient has no id, and a
    /// Patient with neither counts as one of its own. References that name no id (a urn:uuid not among the
    /// Patients' fullUrls, an identifier, a contained "#id") are not compared.
    /// </summary>
    public static CallError? CheckOnePatient(JsonElement bundle, string path)
    {
        var patients = new HashSet<string>(StringComparer.Ordinal);
        var subjects = new HashSet<string>(StringComparer.Ordinal);
        var anonymous = 0;
        CollectPatients(bundle, patients, subjects, ref anonymous);
        foreach (var subject in subjects)
        {
            patients.Add("Patient/" + subject);
        }

        var count = patients.Count + anonymous;
        return count <= 1
            ? null
            : CallError.InvalidRequest(
                "multiple_patients",
                $"The Bundle holds the data of {count} patients; a clinical task reads one patient's chart. Send one patient's data per call.",
                $"{path}.entry");
    }

    private static void CollectPatients(JsonElement bundle, HashSet<string> patients, HashSet<string> subjects, ref int anonymous)
    {
        if (!bundle.TryGetProperty("entry", out var entries) || entries.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var entry in entries.EnumerateArray())
        {
            var resource = entry.GetProperty("resource");
            var type = resource.GetProperty("resourceType").GetString();
            if (type == "Bundle")
            {
                CollectPatients(resource, patients, subjects, ref anonymous);
            }
            else if (type == "Patient")
            {
                if (resource.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() is { Length: > 0 } patientId)
                {
                    patients.Add("Patient/" + patientId);
                }
                else if (entry.TryGetProperty("fullUrl", out var url) && url.ValueKind == JsonValueKind.String && url.GetString() is { Length: > 0 } fullUrl)
                {
                    // "https://ehr.example.org/fhir/Patient/123" is Patient/123, as a subject reference would name it.
                    var at = fullUrl.LastIndexOf("/Patient/", StringComparison.Ordinal);
                    patients.Add(at >= 0 && fullUrl.IndexOf('/', at + 9) < 0 ? fullUrl[(at + 1)..] : fullUrl);
                }
                else
                {
                    anonymous++;
                }
            }
            else
            {
                // A reference by urn:uuid names an entry of this Bundle (a Patient already counted) or nothing comparable.
                foreach (var element in (ReadOnlySpan<string>)["subject", "patient"])
                {
                    if (CdsHooks.CdsServiceRequestReader.PatientIdOf(resource, element) is { } subject)
                    {
                        subjects.Add(subject);
                    }
                }
            }
        }
    }

    /// <summary>A concrete R4 resource type, spelt exactly as FHIR JSON spells it.</summary>
    internal static bool IsResourceType(string name) =>
        ModelInfo.GetTypeForFhirType(name) is { IsAbstract: false } type
        && type.IsSubclassOf(typeof(Resource))
        && ModelInfo.GetFhirTypeNameForType(type) == name;
}
