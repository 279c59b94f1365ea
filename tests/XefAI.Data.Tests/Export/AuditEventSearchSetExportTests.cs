using Hl7.Fhir.Model;
using XefAI.Data.Export;

namespace XefAI.Data.Tests.Export;

public sealed class AuditEventSearchSetExportTests
{
    private const string SelfUrl = "https://gateway.example.org/fhir/AuditEvent?patient-pseudonym=pp-04cbbe9ab2ab074fb1bf0fb389622274&_count=100";

    private readonly FhirAuditExporter _exporter = new();

    [Fact]
    public void ToAuditEventSearchSetJson_ThreeRecords_IsValidSearchsetWithTotalAndMatches()
    {
        var bundle = FhirR4Validation.ParseValid<Bundle>(_exporter.ToAuditEventSearchSetJson(ThreeRecords(), SelfUrl));

        Assert.Equal(Bundle.BundleType.Searchset, bundle.Type);
        Assert.Equal(3, bundle.Total);
        var self = Assert.Single(bundle.Link);
        Assert.Equal("self", self.Relation);
        Assert.Equal(SelfUrl, self.Url);
        Assert.Equal(3, bundle.Entry.Count);
        Assert.All(bundle.Entry, e => Assert.Equal(Bundle.SearchEntryMode.Match, e.Search?.Mode));
        Assert.All(bundle.Entry, e => Assert.Equal($"https://gateway.example.org/fhir/AuditEvent/{e.Resource?.Id}", e.FullUrl));
    }

    [Fact]
    public void ToAuditEventSearchSetJson_ThreeRecords_KeepsOrderAndOutcomes()
    {
        var bundle = FhirR4Validation.ParseValid<Bundle>(_exporter.ToAuditEventSearchSetJson(ThreeRecords(), SelfUrl));

        var events = bundle.Entry.Select(e => Assert.IsType<AuditEvent>(e.Resource)).ToList();
        Assert.Equal(["aud-01JPB4Q2M7X0S5V8N3C6D9F2G1", "aud-01JPB4Q2M7X0S5V8N3C6D9F2G2", "aud-01JPB4Q2M7X0S5V8N3C6D9F2G3"], events.Select(e => e.Id));
        Assert.Equal(
            [AuditEvent.AuditEventOutcome.N0, AuditEvent.AuditEventOutcome.N4, AuditEvent.AuditEventOutcome.N8],
            events.Select(e => e.Outcome!.Value));
    }

    [Fact]
    public void ToAuditEventSearchSetJson_NoRecords_IsValidEmptySearchset()
    {
        var bundle = FhirR4Validation.ParseValid<Bundle>(_exporter.ToAuditEventSearchSetJson([], SelfUrl));

        Assert.Equal(0, bundle.Total);
        Assert.Empty(bundle.Entry);
    }

    [Fact]
    public void ToAuditEventSearchSetJson_PostedSearch_FullUrlsDropSearchSuffix()
    {
        var bundle = FhirR4Validation.ParseValid<Bundle>(
            _exporter.ToAuditEventSearchSetJson([ExportSamples.Answered()], "https://gateway.example.org/fhir/AuditEvent/_search"));

        Assert.Equal("https://gateway.example.org/fhir/AuditEvent/aud-01JPB4Q2M7X0S5V8N3C6D9F2GH", Assert.Single(bundle.Entry).FullUrl);
    }

    [Theory]
    [InlineData("/fhir/AuditEvent?date=ge2025-01-01")]
    [InlineData("https://gateway.example.org/fhir/Provenance?target=x")]
    [InlineData("urn:uuid:7d0f0a10-9d4b-4d5b-8a2a-5c8f2b1e7a11")]
    public void ToAuditEventSearchSetJson_NotAnAuditEventSearchUrl_Throws(string selfUrl)
    {
        Assert.Throws<ArgumentException>(() => _exporter.ToAuditEventSearchSetJson([ExportSamples.Answered()], selfUrl));
    }

    [Fact]
    public void ToAuditEventSearchSetJson_SameRecordTwice_Throws()
    {
        var record = ExportSamples.Answered();

        Assert.Throws<ArgumentException>(() => _exporter.ToAuditEventSearchSetJson([record, record], SelfUrl));
    }

    private static List<AuditEventFacts> ThreeRecords() =>
    [
        ExportSamples.Answered() with { AuditId = "aud_01JPB4Q2M7X0S5V8N3C6D9F2G1" },
        ExportSamples.Answered() with { AuditId = "aud_01JPB4Q2M7X0S5V8N3C6D9F2G2", Decision = "denied", StatusCode = 403, Reasons = "tier_not_allowed" },
        ExportSamples.Answered() with { AuditId = "aud_01JPB4Q2M7X0S5V8N3C6D9F2G3", Decision = "failed", StatusCode = 502, Reasons = "vendor_error" },
    ];
}
