using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Utility;

namespace XefAI.Data.Fhir;

/// <summary>Reads a FHIR R4 resource or Bundle sent as JSON in a message into clinical facts.</summary>
internal sealed class FhirResourceSource : IClinicalContextSource
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

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(input);
        }
        catch (JsonException)
        {
            // A message may legitimately start with a brace without being JSON.
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("resourceType", out var resourceType)
                || resourceType.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            var typeName = ResolveResourceType(resourceType.GetString()!);
            return FhirFactExtractor.Extract(Deserialize(root, typeName));
        }
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

    private static Resource Deserialize(JsonElement root, string typeName)
    {
        try
        {
            return root.Deserialize<Resource>(FhirJson) ?? throw Malformed(typeName, "the document is empty");
        }
        catch (DeserializationFailedException ex)
        {
            // Not chained as inner exception: Firely's messages quote the offending values, which may be PHI.
            throw Malformed(typeName, Describe(ex.Exceptions));
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
        ExtendedCodedException { InstancePath.Length: > 0 } e => $"{DisplayOf(e)} at {e.InstancePath}",
        ExtendedCodedException e => DisplayOf(e),
        _ => $"error {issue.ErrorCode}",
    };

    private static string DisplayOf(ExtendedCodedException issue) =>
        string.IsNullOrWhiteSpace(issue.Display) ? $"error {issue.ErrorCode}" : issue.Display;
}
