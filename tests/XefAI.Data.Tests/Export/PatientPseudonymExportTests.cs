using System.Text.Json;
using Microsoft.Extensions.Options;
using XefAI.Data.Configuration;
using XefAI.Data.Export;
using XefAI.Data.Pseudonymization;
using XefAI.Data.Tests.Fhir;

namespace XefAI.Data.Tests.Export;

/// <summary>The exports name a patient only by pseudonym, end to end from a real FHIR request.</summary>
public sealed class PatientPseudonymExportTests
{
    private const string Salt = "test-salt-0123456789";
    private const string PseudonymSystem = "https://xefai.health/fhir/sid/patient-pseudonym";

    private readonly FhirAuditExporter _exporter = new();
    private readonly PatientPseudonymizer _pseudonymizer = new(Options.Create(new DataOptions { PseudonymSalt = Salt }));

    public static TheoryData<string> Exports => ["AuditEvent", "Bundle", "Provenance"];

    [Theory]
    [MemberData(nameof(Exports))]
    public void Export_PatientFromDischargeBundle_OnlyPseudonymEverNamesThePatient(string export)
    {
        var context = FhirSources.Create().TryRead(TestBundles.Discharge)!;
        var pseudonym = _pseudonymizer.Pseudonymize(context.PatientReference!);

        var json = Export(export, pseudonym);

        // Nothing from the patient's record survives: not the reference, nor any direct identifier.
        foreach (var identifying in new[] { context.PatientReference!, "pat-4471", "Okonkwo", "Adaeze", "MRN-99812", "555-0142", "Larkspur", "62704" })
        {
            Assert.DoesNotContain(identifying, json, StringComparison.OrdinalIgnoreCase);
        }

        using var document = JsonDocument.Parse(json);
        var patientReferences = PatientReferences(document.RootElement).ToList();
        Assert.NotEmpty(patientReferences);
        foreach (var reference in patientReferences)
        {
            // A logical reference holding the pseudonym and nothing else: no literal reference, no display.
            Assert.Equal(["identifier", "type"], reference.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            var identifier = reference.GetProperty("identifier");
            Assert.Equal(PseudonymSystem, identifier.GetProperty("system").GetString());
            Assert.Equal(pseudonym, identifier.GetProperty("value").GetString());
        }

        // The pseudonym appears nowhere but in those identifiers, and no element points at a Patient resource.
        Assert.Equal(patientReferences.Count, CountOccurrences(json, pseudonym));
        Assert.DoesNotContain(Strings(document.RootElement), s => s.StartsWith("Patient/", StringComparison.Ordinal) || s.Contains("/Patient/", StringComparison.Ordinal));
        Assert.All(Identifiers(document.RootElement).Where(i => i.GetProperty("system").GetString() == PseudonymSystem), i => Assert.Equal(pseudonym, i.GetProperty("value").GetString()));
    }

    [Theory]
    [InlineData("Patient/pat-4471")]
    [InlineData("pat-4471")]
    [InlineData("MRN-99812")]
    [InlineData("PP-04CBBE9AB2AB074FB1BF0FB389622274")]
    [InlineData("pp-04cbbe9ab2ab074f")]
    [InlineData("pp-04cbbe9ab2ab074fb1bf0fb38962227z")]
    public void Export_PatientValueNotAPseudonym_RefusesWithoutEchoingIt(string value)
    {
        var auditEvent = Assert.Throws<ArgumentException>(() => _exporter.ToAuditEventJson(ExportSamples.Answered() with { PatientPseudonym = value }));
        var provenance = Assert.Throws<ArgumentException>(() => _exporter.ToProvenanceJson(ExportSamples.Generated() with { PatientPseudonym = value }));

        Assert.DoesNotContain(value, auditEvent.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(value, provenance.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Patient/pat-4471")]
    [InlineData("Patient/123")]
    [InlineData("urn:uuid:3f1c2a9e-8d7b-4c55-9e0f-1a2b3c4d5e6f")]
    public void Export_AnyPseudonymizerOutput_IsAccepted(string patientReference)
    {
        var pseudonym = _pseudonymizer.Pseudonymize(patientReference);

        FhirR4Validation.ParseValid<Hl7.Fhir.Model.AuditEvent>(_exporter.ToAuditEventJson(ExportSamples.Answered() with { PatientPseudonym = pseudonym }));
        FhirR4Validation.ParseValid<Hl7.Fhir.Model.Provenance>(_exporter.ToProvenanceJson(ExportSamples.Generated() with { PatientPseudonym = pseudonym }));
    }

    private string Export(string export, string pseudonym) => export switch
    {
        "AuditEvent" => _exporter.ToAuditEventJson(ExportSamples.Answered() with { PatientPseudonym = pseudonym }),
        "Bundle" => _exporter.ToAuditEventSearchSetJson(
            [
                ExportSamples.Answered() with { PatientPseudonym = pseudonym },
                ExportSamples.Answered() with { AuditId = "aud_01JPB4Q2M7X0S5V8N3C6D9F2GZ", PatientPseudonym = pseudonym, Decision = "denied", StatusCode = 403 },
            ],
            "https://gateway.example.org/fhir/AuditEvent?patient=" + pseudonym),
        "Provenance" => _exporter.ToProvenanceJson(ExportSamples.Generated() with { PatientPseudonym = pseudonym, VerifiedBy = "dr.hale", VerifiedAt = ExportSamples.Recorded.AddHours(1) }),
        _ => throw new ArgumentOutOfRangeException(nameof(export)),
    };

    // Bundle.link.url repeats the search URL, which may name the pseudonym as a search parameter.
    private static int CountOccurrences(string json, string value)
    {
        using var document = JsonDocument.Parse(json);
        return Strings(document.RootElement).Count(s => s == value);
    }

    private static IEnumerable<JsonElement> PatientReferences(JsonElement element) =>
        Objects(element).Where(o => o.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "Patient");

    private static IEnumerable<JsonElement> Identifiers(JsonElement element) =>
        Objects(element).Where(o => o.TryGetProperty("identifier", out var i) && i.ValueKind == JsonValueKind.Object).Select(o => o.GetProperty("identifier"));

    private static IEnumerable<JsonElement> Objects(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            yield return element;
            foreach (var property in element.EnumerateObject())
            {
                foreach (var inner in Objects(property.Value))
                {
                    yield return inner;
                }
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                foreach (var inner in Objects(item))
                {
                    yield return inner;
                }
            }
        }
    }

    private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        _ => [],
    };
}
