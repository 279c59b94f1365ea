using System.Text;
using Hl7.Fhir.Model;
using static XefAI.Data.Fhir.FhirText;

namespace XefAI.Data.Fhir;

/// <summary>Turns a parsed FHIR resource or Bundle into clinical facts, in the order the sender gave them.</summary>
internal sealed class FhirFactExtractor
{
    private readonly List<ClinicalFact> _facts = [];
    private readonly List<ClinicalPerson> _people = [];
    private readonly Dictionary<string, Medication> _medications = new(StringComparer.Ordinal);
    private string? _patientReference;
    private string? _subjectReference;

    private FhirFactExtractor()
    {
    }

    public static ClinicalContext Extract(Resource root)
    {
        var resources = Flatten(root).ToList();
        var extractor = new FhirFactExtractor();
        extractor.IndexMedications(resources);
        foreach (var (resource, _) in resources)
        {
            extractor.Read(resource);
        }

        return new ClinicalContext(
            extractor._facts,
            [],
            extractor._patientReference ?? extractor._subjectReference,
            resources.Count)
        {
            People = extractor._people,
        };
    }

    // A Bundle is a container, not data: its entries are what was read, including those of nested Bundles.
    private static IEnumerable<(Resource Resource, string? FullUrl)> Flatten(Resource resource)
    {
        if (resource is not Bundle bundle)
        {
            yield return (resource, null);
            yield break;
        }

        foreach (var entry in bundle.Entry)
        {
            if (entry.Resource is Bundle nested)
            {
                foreach (var item in Flatten(nested))
                {
                    yield return item;
                }
            }
            else if (entry.Resource is { } entryResource)
            {
                yield return (entryResource, entry.FullUrl);
            }
        }
    }

    // Medication orders often point at a Medication entry instead of naming the drug.
    private void IndexMedications(List<(Resource Resource, string? FullUrl)> resources)
    {
        foreach (var (resource, fullUrl) in resources)
        {
            if (resource is not Medication medication)
            {
                continue;
            }

            if (!string.IsNullOrEmpty(fullUrl))
            {
                _medications.TryAdd(fullUrl, medication);
            }

            if (!string.IsNullOrEmpty(medication.Id))
            {
                _medications.TryAdd($"Medication/{medication.Id}", medication);
            }
        }
    }

    private void Read(Resource resource)
    {
        NoteSubject(resource);
        switch (resource)
        {
            case Patient patient:
                Add("Patient", PatientText(patient));
                AddPerson("patient", patient.Name, patient.Identifier, patient.Telecom, patient.Address, patient.BirthDate);
                foreach (var contact in patient.Contact)
                {
                    AddPerson("related-person", contact.Name is null ? [] : [contact.Name], [], contact.Telecom, contact.Address is null ? [] : [contact.Address], null);
                }

                break;
            case RelatedPerson related:
                AddPerson("related-person", related.Name, related.Identifier, related.Telecom, related.Address, related.BirthDate);
                break;
            case Practitioner practitioner:
                AddPerson("practitioner", practitioner.Name, practitioner.Identifier, practitioner.Telecom, practitioner.Address, practitioner.BirthDate);
                break;
            case Condition condition:
                Add("Condition", Display(condition.Code), DateOf(condition.Onset), ConceptStatus(condition.ClinicalStatus, condition.VerificationStatus));
                break;
            case MedicationRequest request:
                Add("Medication", Join("; ", [MedicationName(request.Medication, request), Dosages(request.DosageInstruction)]), request.AuthoredOn, Literal(request.Status));
                break;
            case MedicationStatement statement:
                Add("Medication", Join("; ", [MedicationName(statement.Medication, statement), Dosages(statement.Dosage)]), DateOf(statement.Effective), Literal(statement.Status));
                break;
            case AllergyIntolerance allergy:
                Add("Allergy", AllergyText(allergy), NotBlank(allergy.RecordedDate) ?? DateOf(allergy.Onset), ConceptStatus(allergy.ClinicalStatus, allergy.VerificationStatus));
                break;
            case Observation observation:
                Add("Observation", ObservationText(observation), DateOf(observation.Effective) ?? FormatInstant(observation.Issued), Literal(observation.Status));
                break;
            case Procedure procedure:
                Add("Procedure", Display(procedure.Code), DateOf(procedure.Performed), Literal(procedure.Status));
                break;
            case Encounter encounter:
                Add("Encounter", EncounterText(encounter), encounter.Period?.Start, Literal(encounter.Status));
                break;
            case DiagnosticReport report:
                Add("Report", ReportText(report), DateOf(report.Effective) ?? FormatInstant(report.Issued), Literal(report.Status));
                break;
            case Composition composition:
                Add("Note", CompositionText(composition), composition.Date, Literal(composition.Status));
                break;
            case DocumentReference document:
                Add("Document", DocumentText(document), FormatInstant(document.Date), Literal(document.Status));
                break;
            default:
                // Counted, but no fact: the types above carry what a prompt needs.
                break;
        }
    }

    // What identifies a person, for the de-identifier to find in free text; none of it becomes a fact.
    private void AddPerson(
        string role, List<HumanName> names, List<Identifier> identifiers, List<ContactPoint> telecom, List<Address> addresses, string? birthDate)
    {
        var person = new ClinicalPerson(role)
        {
            GivenNames = [.. names.SelectMany(n => n.Given).Select(NotBlank).OfType<string>()],
            FamilyNames = [.. names.Select(n => NotBlank(n.Family)).OfType<string>()],
            Identifiers = [.. identifiers.Select(i => NotBlank(i.Value)).OfType<string>()],
            Telecom = [.. telecom.Select(t => NotBlank(t.Value)).OfType<string>()],
            AddressLines = [.. addresses.SelectMany(a => a.Line).Select(NotBlank).OfType<string>()],
            Places = [.. addresses.SelectMany(a => new[] { NotBlank(a.City), NotBlank(a.District) }).OfType<string>()],
            PostalCodes = [.. addresses.Select(a => NotBlank(a.PostalCode)).OfType<string>()],
            BirthDate = NotBlank(birthDate),
        };
        if (person.GivenNames.Count + person.FamilyNames.Count + person.Identifiers.Count + person.Telecom.Count
            + person.AddressLines.Count + person.Places.Count + person.PostalCodes.Count > 0 || person.BirthDate is not null)
        {
            _people.Add(person);
        }
    }

    private void Add(string category, string? text, string? date = null, string? status = null)
    {
        if (text is not null)
        {
            _facts.Add(new ClinicalFact(category, text, NotBlank(date), NotBlank(status)));
        }
    }

    private void NoteSubject(Resource resource)
    {
        if (resource is Patient { Id.Length: > 0 } patient)
        {
            _patientReference ??= $"Patient/{patient.Id}";
            return;
        }

        // Every clinical resource names its patient in "subject" or "patient"; reading it generically covers them all.
        if (_subjectReference is null
            && (SubjectOf(resource, "subject") ?? SubjectOf(resource, "patient")) is { } reference)
        {
            _subjectReference = reference;
        }
    }

    private static string? SubjectOf(Resource resource, string element) =>
        resource.TryGetValue(element, out var value) && value is ResourceReference reference ? NotBlank(reference.Reference) : null;

    // Demographics only: name, identifiers, telecom and address stay out of the prompt.
    private static string? PatientText(Patient patient) => Join(", ", [
        Literal(patient.Gender),
        NotBlank(patient.BirthDate) is { } born ? $"born {born}" : null,
        patient.Deceased is FhirBoolean { Value: true } or FhirDateTime ? "deceased" : null,
    ]);

    private static string? ConceptStatus(CodeableConcept? clinical, CodeableConcept? verification)
    {
        // "confirmed" is the norm; anything else (provisional, refuted, entered-in-error) changes how the fact reads.
        var verified = StatusCode(verification);
        return Join(", ", [StatusCode(clinical), verified == "confirmed" ? null : verified]);
    }

    private string? MedicationName(DataType? medication, DomainResource owner) => medication switch
    {
        CodeableConcept concept => Display(concept),
        ResourceReference reference => Display(ResolveMedication(reference, owner)?.Code) ?? NotBlank(reference.Display),
        _ => null,
    };

    private Medication? ResolveMedication(ResourceReference reference, DomainResource owner)
    {
        if (reference.Reference is not { Length: > 0 } target)
        {
            return null;
        }

        if (target.StartsWith('#'))
        {
            return owner.Contained.OfType<Medication>().FirstOrDefault(m => m.Id == target[1..]);
        }

        return _medications.GetValueOrDefault(target);
    }

    private static string? Dosages(IEnumerable<Dosage> dosages) =>
        Join("; ", dosages.Select(d => NotBlank(d.Text) ?? NotBlank(d.PatientInstruction)));

    private static string? AllergyText(AllergyIntolerance allergy)
    {
        var manifestations = allergy.Reaction
            .SelectMany(r => r.Manifestation.Count > 0 ? r.Manifestation.Select(Display) : [NotBlank(r.Description)])
            .Where(m => m is not null)
            .Distinct(StringComparer.OrdinalIgnoreCase);
        var criticality = Literal(allergy.Criticality);
        return Join("; ", [
            Display(allergy.Code) ?? "unspecified allergen",
            criticality is null ? null : $"criticality {criticality}",
            Join(", ", manifestations) is { } reactions ? $"reaction: {reactions}" : null,
        ]);
    }

    private static string? ObservationText(Observation observation)
    {
        var name = Display(observation.Code);
        var components = Join(", ", observation.Component.Select(c => Join(" ", [Display(c.Code), ValueOf(c.Value)])));
        var value = ValueOf(observation.Value)
            ?? components
            ?? (Display(observation.DataAbsentReason) is { } absent ? $"not available ({absent})" : null);
        var interpretation = Displays(observation.Interpretation);
        var text = value is null ? name : name is null ? value : $"{name}: {value}";
        return interpretation is null || text is null ? text : $"{text} ({interpretation})";
    }

    private static string? EncounterText(Encounter encounter)
    {
        var reasons = Displays(encounter.ReasonCode);
        return Join("; ", [
            Display(encounter.Class),
            Displays(encounter.Type),
            reasons is null ? null : $"reason: {reasons}",
        ]);
    }

    private static string? ReportText(DiagnosticReport report)
    {
        var conclusion = NotBlank(report.Conclusion) ?? Displays(report.ConclusionCode);
        var name = Display(report.Code);
        return conclusion is null ? name : name is null ? conclusion : $"{name}: {conclusion}";
    }

    private static string? CompositionText(Composition composition)
    {
        var lines = new List<string?> { NotBlank(composition.Title) ?? Display(composition.Type) };
        AddSections(composition.Section, lines);
        return Join("\n", lines);
    }

    private static void AddSections(IEnumerable<Composition.SectionComponent> sections, List<string?> lines)
    {
        foreach (var section in sections)
        {
            var title = NotBlank(section.Title) ?? Display(section.Code);
            var narrative = StripXhtml(section.Text?.Div);
            lines.Add(title is null ? narrative : narrative is null ? title : $"{title}: {narrative}");
            AddSections(section.Section, lines);
        }
    }

    private static string? DocumentText(DocumentReference document)
    {
        var attachments = document.Content.Select(c =>
            c.Attachment is { Data: { Length: > 0 } data } attachment && IsPlainText(attachment.ContentType)
                ? NotBlank(Encoding.UTF8.GetString(data))
                : null);
        return Join("\n", [NotBlank(document.Description) ?? Display(document.Type), .. attachments]);
    }

    private static bool IsPlainText(string? contentType) =>
        contentType is not null && contentType.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase);
}
