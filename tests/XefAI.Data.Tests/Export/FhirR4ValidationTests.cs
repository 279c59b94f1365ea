using Hl7.Fhir.Model;

namespace XefAI.Data.Tests.Export;

/// <summary>The export tests lean on <see cref="FhirR4Validation"/>; these show it catches what it claims to.</summary>
public sealed class FhirR4ValidationTests
{
    [Fact]
    public void Problems_MissingRequiredElements_ReportsCardinality()
    {
        var problems = FhirR4Validation.Problems(new AuditEvent { Id = "a", Recorded = DateTimeOffset.UnixEpoch });

        Assert.Contains(problems, p => p.Contains("AuditEvent.type", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("AuditEvent.source", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("AuditEvent.agent", StringComparison.Ordinal));
    }

    [Fact]
    public void Problems_InvalidId_ReportsLiteral()
    {
        var problems = FhirR4Validation.Problems(new Device { Id = "aud_01" });

        Assert.Contains(problems, p => p.Contains("aud_01", StringComparison.Ordinal));
    }

    [Fact]
    public void Problems_UnreferencedContainedResource_ReportsDom3()
    {
        var provenance = new Provenance { Id = "p", Contained = [new Device { Id = "orphan", Manufacturer = "acme" }] };

        Assert.Contains("Provenance/p: invariant dom-3 fails", FhirR4Validation.Problems(provenance));
    }

    [Fact]
    public void Problems_DanglingLocalReference_ReportsRef1()
    {
        var provenance = new Provenance { Id = "p", Agent = [new Provenance.AgentComponent { Who = new ResourceReference("#missing") }] };

        Assert.Contains("Provenance/p: invariant ref-1 fails", FhirR4Validation.Problems(provenance));
    }

    [Fact]
    public void Problems_PeriodEndingBeforeStart_ReportsPer1()
    {
        var provenance = new Provenance { Id = "p", Occurred = new Period(new FhirDateTime(2025, 3, 2), new FhirDateTime(2025, 3, 1)) };

        Assert.Contains("Provenance/p: invariant per-1 fails", FhirR4Validation.Problems(provenance));
    }

    [Fact]
    public void Problems_EntityWithNameAndQuery_ReportsSev1()
    {
        var auditEvent = new AuditEvent { Id = "a", Entity = [new AuditEvent.EntityComponent { Name = "n", Query = [1] }] };

        Assert.Contains("AuditEvent/a: invariant sev-1 fails", FhirR4Validation.Problems(auditEvent));
    }

    [Fact]
    public void Problems_DuplicateFullUrlAndTotalOutsideSearchset_ReportsBundleInvariants()
    {
        var bundle = new Bundle
        {
            Id = "b",
            Type = Bundle.BundleType.Collection,
            Total = 2,
            Entry =
            [
                new Bundle.EntryComponent { FullUrl = "https://x.example/fhir/Device/d", Resource = new Device { Id = "d", Manufacturer = "acme" } },
                new Bundle.EntryComponent { FullUrl = "https://x.example/fhir/Device/d", Resource = new Device { Id = "d", Manufacturer = "acme" } },
            ],
        };

        var problems = FhirR4Validation.Problems(bundle);

        Assert.Contains("Bundle/b: invariant bdl-1 fails", problems);
        Assert.Contains("Bundle/b: invariant bdl-7 fails", problems);
    }

    [Fact]
    public void Problems_EmptyElement_ReportsEle1()
    {
        var device = new Device { Id = "d", Type = new CodeableConcept() };

        Assert.Contains("Device/d: invariant ele-1 fails", FhirR4Validation.Problems(device));
    }
}
