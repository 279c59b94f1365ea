using Hl7.Fhir.FhirPath;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Validation;

namespace XefAI.Testing;

/// <summary>
/// Checks exported JSON with what Firely's SDK ships: the strict JSON deserializer, the POCO validator
/// (cardinality, required elements, primitive formats, allowed types) and — because profile validation
/// with StructureDefinitions is not part of Hl7.Fhir.R4 — the R4 core invariants below, evaluated with
/// the SDK's FHIRPath engine. The same checks as XefAI.Data.Tests' export tests, here for what the running
/// gateway serves.
/// </summary>
public static class FhirR4Validation
{
    // R4 core invariants, transcribed from the specification and rooted at the resource they apply to.
    private static readonly (string Key, string Expression)[] ResourceInvariants =
    [
        ("dom-2", "contained.contained.empty()"),
        ("dom-3", "contained.where((('#'+id in (%resource.descendants().reference | %resource.descendants().as(canonical) | %resource.descendants().as(uri) | %resource.descendants().as(url))) or descendants().where(reference = '#').exists() or descendants().where(as(canonical) = '#').exists()).not()).empty()"),
        ("dom-4", "contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()"),
        ("dom-5", "contained.meta.security.empty()"),
        ("ele-1", "descendants().all(hasValue() or (children().count() > id.count()))"),
        ("ext-1", "(extension | descendants().extension).all(extension.exists() != value.exists())"),
        ("ref-1", "descendants().reference.where(startsWith('#')).all(substring(1) in %resource.contained.id)"),
    ];

    private static readonly Dictionary<string, (string Key, string Expression)[]> TypeInvariants = new(StringComparer.Ordinal)
    {
        ["AuditEvent"] = [("sev-1", "entity.all(name.empty() or query.empty())")],
        ["Provenance"] = [("per-1", "occurred.ofType(Period).all(start.hasValue().not() or end.hasValue().not() or (start <= end))")],
        ["Bundle"] =
        [
            ("bdl-1", "total.empty() or (type = 'searchset') or (type = 'history')"),
            ("bdl-2", "entry.search.empty() or (type = 'searchset')"),
            ("bdl-3", "entry.all(request.exists() = (%resource.type = 'batch' or %resource.type = 'transaction' or %resource.type = 'history'))"),
            ("bdl-4", "entry.all(response.exists() = (%resource.type = 'batch-response' or %resource.type = 'transaction-response' or %resource.type = 'history'))"),
            ("bdl-5", "entry.all(resource.exists() or request.exists() or response.exists())"),
            ("bdl-7", "(type = 'history') or entry.where(fullUrl.exists()).select(fullUrl & resource.meta.versionId).isDistinct()"),
            ("bdl-8", "entry.all(fullUrl.contains('/_history/').not())"),
            ("bdl-9", "type = 'document' implies (identifier.system.exists() and identifier.value.exists())"),
        ],
    };

    /// <summary>Deserializes strictly and fails the test with every problem found.</summary>
    public static T ParseValid<T>(string json)
        where T : Resource
    {
        if (!FhirJsonDeserializer.STRICT.TryDeserializeResource(json, out var resource, out var issues))
        {
            Assert.Fail("Strict deserialization failed: " + string.Join("; ", issues.Select(i => i.Message)));
        }

        var typed = Assert.IsType<T>(resource);
        var problems = Problems(typed);
        Assert.True(problems.Count == 0, "FHIR R4 validation failed: " + string.Join("; ", problems));
        return typed;
    }

    /// <summary>Everything the SDK's validator and the R4 invariants find wrong with a resource, its contained resources and its entries.</summary>
    public static List<string> Problems(Resource resource)
    {
        var problems = resource.Validate(NarrativeValidationKind.FhirXhtml).Select(e => e.Message).ToList();
        AddInvariantProblems(resource, problems);
        return problems;
    }

    private static void AddInvariantProblems(Resource resource, List<string> problems)
    {
        var invariants = TypeInvariants.TryGetValue(resource.TypeName, out var own) ? ResourceInvariants.Concat(own) : ResourceInvariants;
        foreach (var (key, expression) in invariants)
        {
            if (!resource.IsTrue(expression))
            {
                problems.Add($"{resource.TypeName}/{resource.Id}: invariant {key} fails");
            }
        }

        var nested = resource switch
        {
            Bundle bundle => bundle.Entry.Select(e => e.Resource).OfType<Resource>(),
            DomainResource domain => domain.Contained,
            _ => [],
        };

        foreach (var inner in nested)
        {
            AddInvariantProblems(inner, problems);
        }
    }
}
