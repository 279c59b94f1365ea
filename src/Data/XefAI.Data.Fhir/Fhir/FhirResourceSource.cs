using System.Text.Json;
using System.Text.RegularExpressions;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Utility;
using Hl7.Fhir.Validation;
using Microsoft.Extensions.Options;
using XefAI.Data.Configuration;

namespace XefAI.Data.Fhir;

/// <summary>
/// Reads a FHIR R4 resource or Bundle sent as JSON in a message into clinical facts. Real exports are messy, so
/// recoverable problems (unknown elements, values in the wrong form) become warnings; only data of the wrong shape is refused.
/// </summary>
internal sealed partial class FhirResourceSource(IOptionsMonitor<DataOptions> options) : IClinicalContextSource
{
    private const int MaxReportedIssues = 3;
    private const int MaxEchoedTypeLength = 64;

    // Building the options sets up Firely's converters; once per process keeps the request path cheap.
    private static readonly JsonSerializerOptions FhirJson = new JsonSerializerOptions().ForFhir();

    public string Name => "fhir-request";

    public ClinicalContext? TryRead(string input)
    {
        ArgumentNullException.ThrowIfNull(input);

        // Most inputs are plain text; they leave here without being parsed.
        var text = input.AsSpan().TrimStart();
        if (text.IsEmpty || text[0] != '{')
        {
            return null;
        }

        var limits = options.CurrentValue;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(input, new JsonDocumentOptions { MaxDepth = limits.MaxJsonDepth });
        }
        catch (JsonException ex)
        {
            // A message may legitimately start with a brace without being JSON; one that names a resourceType is
            // FHIR gone wrong, and is never passed on to a vendor as text.
            if (input.Contains("\"resourceType\"", StringComparison.Ordinal))
            {
                throw new ClinicalDataException(ex.Message.Contains("maximum configured depth", StringComparison.OrdinalIgnoreCase)
                    ? $"The FHIR content nests JSON deeper than this gateway's limit of {limits.MaxJsonDepth} levels."
                    : $"The FHIR content is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine}).");
            }

            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("resourceType", out var resourceType))
            {
                return null;
            }

            if (resourceType.ValueKind != JsonValueKind.String)
            {
                throw new ClinicalDataException("The FHIR resourceType must be a string naming an R4 resource type.");
            }

            var typeName = ResolveResourceType(resourceType.GetString()!);
            var entries = CountEntries(root, limits.MaxBundleEntries);
            if (entries > limits.MaxBundleEntries)
            {
                throw new ClinicalDataException(
                    $"The FHIR {typeName} holds more than {limits.MaxBundleEntries} Bundle entries, this gateway's limit.");
            }

            if (FindNullListItem(root, typeName) is { } nullItem)
            {
                // Firely keeps a null list item as a null in the model, which every reader of that list then trips over.
                throw Malformed(typeName, $"null where a list item belongs at {FhirIssueTriage.SafePath(nullItem)}");
            }

            var (resource, warnings) = Deserialize(root, typeName);
            RequireEntryContent(resource, typeName, typeName);
            try
            {
                return FhirFactExtractor.Extract(resource) with { Warnings = warnings };
            }
            catch (CodedValidationException)
            {
                // Recovery reads every value it repairs; this only guards a value it could not find by its path.
                throw Malformed(typeName, "a value could not be read");
            }
        }
    }

    // FHIR's bdl-5: an entry without a resource is only meaningful as a request or a response (a DELETE, a batch answer).
    private static void RequireEntryContent(Resource resource, string typeName, string path)
    {
        if (resource is not Bundle bundle)
        {
            return;
        }

        for (var i = 0; i < bundle.Entry.Count; i++)
        {
            var entry = bundle.Entry[i];
            if (entry.Resource is { } nested)
            {
                RequireEntryContent(nested, typeName, $"{path}.entry[{i}].resource");
            }
            else if (entry.Request is null && entry.Response is null)
            {
                throw Malformed(typeName, $"Entry without resource, request or response at {path}.entry[{i}]");
            }
        }
    }

    /// <summary>
    /// The path of the first JSON null inside a list, or null when there is none. FHIR JSON allows one only in a repeating
    /// primitive whose <c>_name</c> sibling list carries that item's id or extensions (and in the <c>_name</c> list itself).
    /// </summary>
    private static string? FindNullListItem(JsonElement element, string path, bool nullsAllowed = false)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in element.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Null && !nullsAllowed)
                {
                    return $"{path}[{i}]";
                }

                if (FindNullListItem(item, $"{path}[{i}]") is { } found)
                {
                    return found;
                }

                i++;
            }

            return null;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var property in element.EnumerateObject())
        {
            var allowed = property.Name.StartsWith('_') || element.TryGetProperty("_" + property.Name, out _);
            if (FindNullListItem(property.Value, $"{path}.{property.Name}", allowed) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>Bundle entries, nested Bundles' included; counting stops once past the limit.</summary>
    private static int CountEntries(JsonElement resource, int limit)
    {
        if (!resource.TryGetProperty("entry", out var entry) || entry.ValueKind != JsonValueKind.Array)
        {
            return 0;
        }

        var count = entry.GetArrayLength();
        foreach (var item in entry.EnumerateArray())
        {
            if (count > limit)
            {
                break;
            }

            if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("resource", out var nested) && nested.ValueKind == JsonValueKind.Object)
            {
                count += CountEntries(nested, limit - count);
            }
        }

        return count;
    }

    private static string ResolveResourceType(string resourceType)
    {
        if (ModelInfo.GetTypeForFhirType(resourceType) is { IsAbstract: false } type && type.IsSubclassOf(typeof(Resource)))
        {
            return ModelInfo.GetFhirTypeNameForType(type) ?? resourceType;
        }

        // Echo the name only when it looks like a type name: the field could hold anything a caller pasted.
        var echoed = resourceType.Length <= MaxEchoedTypeLength && resourceType.All(char.IsAsciiLetterOrDigit)
            ? $" '{resourceType}'"
            : string.Empty;
        throw new ClinicalDataException($"The FHIR resourceType{echoed} is not an R4 resource type.");
    }

    private static (Resource Resource, IReadOnlyList<ClinicalDataWarning> Warnings) Deserialize(JsonElement root, string typeName)
    {
        try
        {
            // Strict, so that Firely reports every issue; which of them refuse the data is decided here, not by a mode
            // that would drop the issues silently.
            return (root.Deserialize<Resource>(FhirJson) ?? throw Malformed(typeName, "the document is empty"), []);
        }
        catch (DeserializationFailedException ex)
        {
            var issues = ex.Exceptions.ToList();
            var structural = issues.Where(FhirIssueTriage.IsStructural).ToList();
            if (structural.Count > 0 || ex.PartialResult is not Resource partial)
            {
                // Not chained as inner exception: Firely's messages quote the offending values, which may be PHI.
                throw Malformed(typeName, Describe(structural.Count > 0 ? structural : issues));
            }

            return (partial, FhirIssueTriage.Recover(partial, issues));
        }
        catch (InvalidOperationException ex) when (ex is not ObjectDisposedException)
        {
            // Firely's reader throws this for a list where one value belongs beside its _element sibling
            // ("birthDate": [], "_birthDate": {…}); its message names the property, never the value.
            var property = PropertyInMessage().Match(ex.Message);
            throw Malformed(typeName, property.Success
                ? $"the element '{property.Groups[1].Value}' does not match the shape of its value"
                : "an element does not match the shape of its value");
        }
        catch (CodedValidationException ex)
        {
            // Firely's validation of a resource it built (a single object where a list belongs, e.g. contained) throws
            // instead of reporting an issue. Its display text and path name the element, never the value.
            throw Malformed(typeName, Describe(ex));
        }
        catch (NotSupportedException)
        {
            // System.Text.Json's answer when an entry names an abstract type such as DomainResource.
            throw Malformed(typeName, "a resource has an abstract type the R4 model cannot instantiate");
        }
        catch (JsonException ex)
        {
            throw Malformed(typeName, $"invalid JSON structure at {ex.Path}");
        }
    }

    private static ClinicalDataException Malformed(string typeName, string reason) =>
        new($"The FHIR {typeName} is malformed: {reason}");

    private static string Describe(IEnumerable<CodedException> issues)
    {
        var reasons = issues.Select(Describe).Distinct(StringComparer.Ordinal).ToList();
        var shown = string.Join("; ", reasons.Take(MaxReportedIssues));
        return reasons.Count > MaxReportedIssues ? $"{shown}; and {reasons.Count - MaxReportedIssues} more" : shown;
    }

    // Firely's short display text plus the element path names the problem without repeating the data.
    private static string Describe(CodedException issue) => issue switch
    {
        ExtendedCodedException { InstancePath.Length: > 0 } e => $"{FhirIssueTriage.DisplayOf(e)} at {FhirIssueTriage.SafePath(e.InstancePath)}",
        _ => FhirIssueTriage.DisplayOf(issue),
    };

    [GeneratedRegex("for property '([A-Za-z_][A-Za-z0-9_]{0,63})'", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex PropertyInMessage();
}
