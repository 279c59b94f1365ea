using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace XefAI.Data.Export;

/// <summary>Serializes audit records as FHIR R4 JSON through Firely's POCOs.</summary>
internal sealed class FhirAuditExporter : IFhirAuditExporter
{
    private const string AuditEventSearchPath = "/AuditEvent";
    private const string PostSearchSuffix = "/_search";

    // Building the options sets up Firely's converters; once per process.
    private static readonly JsonSerializerOptions FhirJson = new JsonSerializerOptions().ForFhir();

    public string ToAuditEventJson(AuditEventFacts facts) => Serialize(AuditEventMapper.Map(facts));

    public string ToAuditEventSearchSetJson(IReadOnlyList<AuditEventFacts> facts, string selfUrl, string? nextUrl = null, bool complete = true)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var resourceBase = AuditEventBase(selfUrl);

        var bundle = new Bundle
        {
            Type = Bundle.BundleType.Searchset,

            // total counts every match, not one page's; a paged search does not know it.
            Total = complete ? facts.Count : null,
            Link = [new Bundle.LinkComponent { Relation = "self", Url = selfUrl }],
        };
        if (nextUrl is not null)
        {
            bundle.Link.Add(new Bundle.LinkComponent { Relation = "next", Url = nextUrl });
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in facts)
        {
            var auditEvent = AuditEventMapper.Map(record);
            var id = FhirAuditIds.ToResourceId(record.AuditId);
            if (!ids.Add(id))
            {
                // Two entries with one fullUrl break the Bundle (bdl-7).
                throw new ArgumentException($"Audit record '{record.AuditId}' appears twice.", nameof(facts));
            }

            bundle.Entry.Add(new Bundle.EntryComponent
            {
                FullUrl = $"{resourceBase}/{id}",
                Resource = auditEvent,
                Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match },
            });
        }

        return Serialize(bundle);
    }

    public string ToProvenanceJson(ProvenanceFacts facts) => Serialize(ProvenanceMapper.Map(facts));

    private static string Serialize(Resource resource) => JsonSerializer.Serialize(resource, FhirJson);

    // "[base]/AuditEvent?…" or "[base]/AuditEvent/_search" → "[base]/AuditEvent", the prefix of every entry's fullUrl.
    private static string AuditEventBase(string selfUrl)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(selfUrl);
        if (!Uri.TryCreate(selfUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException("The self URL must be an absolute http(s) URL.", nameof(selfUrl));
        }

        var path = uri.AbsolutePath.TrimEnd('/');
        if (path.EndsWith(PostSearchSuffix, StringComparison.Ordinal))
        {
            path = path[..^PostSearchSuffix.Length];
        }

        if (!path.EndsWith(AuditEventSearchPath, StringComparison.Ordinal))
        {
            throw new ArgumentException("The self URL must be an AuditEvent search: [base]/AuditEvent?….", nameof(selfUrl));
        }

        return uri.GetLeftPart(UriPartial.Authority) + path;
    }
}
