using XefAI.Data.Fhir;

namespace XefAI.Data.Tests.Fhir;

public sealed class FhirResourceSourceTests
{
    private readonly FhirResourceSource _source = FhirSources.Create();

    [Fact]
    public void Name_IsFhirRequest()
    {
        Assert.Equal("fhir-request", _source.Name);
    }

    [Fact]
    public void TryRead_DischargeBundle_ExtractsFactsInBundleOrder()
    {
        var context = _source.TryRead(TestBundles.Discharge);

        Assert.NotNull(context);
        Assert.Equal(
            [
                new ClinicalFact("Patient", "female, born 1954-03-02"),
                new ClinicalFact("Condition", "Diabetes mellitus type 2", "2011-06-20", "active"),
                new ClinicalFact("Condition", "Heart failure with reduced ejection fraction", "2024-05-10", "active, provisional"),
                new ClinicalFact("Medication", "metformin hydrochloride 500 MG Oral Tablet; 1 tablet by mouth twice daily with meals", "2024-05-14", "active"),
                new ClinicalFact("Allergy", "Penicillin G; criticality high; reaction: Hives, Wheezing", "2019-02-11", "active"),
                new ClinicalFact("Observation", "Hemoglobin A1c: 8.2 % (High)", "2024-05-12T07:45:00Z", "final"),
                new ClinicalFact("Observation", "Body weight: 92.5 kg", "2024-05-14T08:00:00Z", "final"),
                new ClinicalFact(
                    "Note",
                    "Discharge summary\n"
                    + "Hospital course: Admitted with acute decompensated heart failure. Diuresed with IV furosemide; weight down 3 kg & dyspnea resolved.\n"
                    + "Follow-up: Cardiology clinic in 2 weeks; Repeat BMP in 1 week",
                    "2024-05-14T15:30:00Z",
                    "preliminary"),
            ],
            context.Facts);
    }

    [Fact]
    public void TryRead_DischargeBundle_ReportsPatientReferenceAndCountsEveryEntry()
    {
        var context = _source.TryRead(TestBundles.Discharge);

        Assert.NotNull(context);
        Assert.Equal("Patient/pat-4471", context.PatientReference);
        Assert.Equal(9, context.ResourceCount);
        Assert.Empty(context.FreeText);
    }

    [Theory]
    [InlineData("Okonkwo")]
    [InlineData("Adaeze")]
    [InlineData("MRN-99812")]
    [InlineData("555-0142")]
    [InlineData("Larkspur")]
    [InlineData("62704")]
    [InlineData("Hale")]
    public void TryRead_DischargeBundle_FactsCarryNoDirectIdentifiers(string identifier)
    {
        var context = _source.TryRead(TestBundles.Discharge);

        Assert.NotNull(context);
        Assert.DoesNotContain(context.Facts, f => f.Text.Contains(identifier, StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("Summarize the hospital course for the discharge letter.")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{ patient said the pain is 7/10 }")]
    public void TryRead_PlainTextOrInvalidJson_ReturnsNull(string input)
    {
        Assert.Null(_source.TryRead(input));
    }

    [Theory]
    [InlineData("{\"resourceType\": \"Patient\"", "The FHIR content is not valid JSON")]
    [InlineData("{\"resourceType\": 42}", "The FHIR resourceType must be a string")]
    [InlineData("{\"resourceType\": null}", "The FHIR resourceType must be a string")]
    [InlineData("{\"resourceType\": [\"Patient\"]}", "The FHIR resourceType must be a string")]
    [InlineData("{\"resourceType\": {\"name\": \"Patient\"}}", "The FHIR resourceType must be a string")]
    public void TryRead_ObjectNamingAResourceTypeThatIsNotFhir_Throws(string input, string expected)
    {
        // FHIR-looking content is FHIR: it is never passed on to a vendor as text.
        var ex = Assert.Throws<ClinicalDataException>(() => _source.TryRead(input));

        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_BundleOverTheEntryLimit_ThrowsBeforeParsing()
    {
        var source = FhirSources.Create(new XefAI.Data.Configuration.DataOptions { MaxBundleEntries = 100 });
        var bundle = "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[" + string.Join(',', Enumerable.Repeat("{}", 50_000)) + "]}";

        var ex = Assert.Throws<ClinicalDataException>(() => source.TryRead(bundle));

        Assert.Equal("The FHIR Bundle holds more than 100 Bundle entries, this gateway's limit.", ex.Message);
    }

    [Fact]
    public void TryRead_NestedBundlesCountTowardTheLimit()
    {
        var source = FhirSources.Create(new XefAI.Data.Configuration.DataOptions { MaxBundleEntries = 10 });
        var inner = "{\"resource\":{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[" + string.Join(',', Enumerable.Repeat("{}", 6)) + "]}}";
        var bundle = $"{{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[{inner},{inner}]}}";

        Assert.Throws<ClinicalDataException>(() => source.TryRead(bundle));
    }

    [Fact]
    public void TryRead_FhirNestedDeeperThanTheLimit_Throws()
    {
        var source = FhirSources.Create(new XefAI.Data.Configuration.DataOptions { MaxJsonDepth = 16 });
        var deep = "{\"resourceType\":\"Basic\",\"x\":" + new string('[', 40) + new string(']', 40) + "}";

        var ex = Assert.Throws<ClinicalDataException>(() => source.TryRead(deep));

        Assert.Contains("deeper than this gateway's limit of 16", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"model\": \"discharge-summary\", \"temperature\": 0.2}")]
    [InlineData("[{\"resourceType\": \"Patient\", \"gender\": \"female\"}]")]
    [InlineData("{\"meta\": {\"resourceType\": \"Patient\"}}")]
    [InlineData("\"Patient\"")]
    public void TryRead_JsonThatIsNotFhir_ReturnsNull(string input)
    {
        Assert.Null(_source.TryRead(input));
    }

    [Theory]
    [InlineData("\"entry\": [\"Patient/pat-4471\"]", "Expected object at Bundle.entry[0]")]
    [InlineData("\"entry\": [{\"resource\": \"Patient/pat-4471\"}]", "Expected object at Bundle.entry[0].resource")]
    [InlineData("\"entry\": {\"resource\": {\"resourceType\": \"Patient\"}}", "Type mismatch at Bundle.entry[0]")]
    [InlineData("\"entry\": [{\"resource\": {\"resourceType\": \"Patient\", \"name\": {\"family\": \"Hale\"}}}]", "Type mismatch at Bundle.entry[0].resource.name[0]")]
    [InlineData("\"entry\": [{\"resource\": {\"resourceType\": \"Patient\", \"gender\": {\"code\": \"female\"}}}]", "Expected primitive at Bundle.entry[0].resource.gender")]
    [InlineData("\"entry\": [{\"resource\": {\"resourceType\": \"Frobnicator\"}}]", "Unknown resource at Bundle.entry[0].resource")]
    [InlineData("\"entry\": [{\"resource\": {\"id\": \"1\"}}]", "Missing ResourceType")]
    [InlineData("\"entry\": [{\"fullUrl\": \"urn:uuid:5b0c7d2e-8f5a-4b7e-9f0e-1c2d3e4f5a6b\"}]", "Entry without resource, request or response at Bundle.entry[0]")]
    public void TryRead_StructurallyMalformedBundle_ThrowsWithParserReason(string entries, string reason)
    {
        var bundle = $"{{\"resourceType\": \"Bundle\", \"type\": \"collection\", {entries}}}";

        var ex = Assert.Throws<ClinicalDataException>(() => _source.TryRead(bundle));

        Assert.StartsWith("The FHIR Bundle is malformed: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    // Issue 8: these were refused (400) while parsing was strict; recoverable problems are now warnings.
    [Theory]
    [InlineData("\"birthDate\": \"not-a-date\"", "Bundle.entry[0].resource.birthDate", "invalid-value", "Invalid literal; the value was left out")]
    [InlineData("\"favouriteColour\": \"blue\"", "Bundle.entry[0].resource.favouriteColour", "unknown-element", "Unknown element; ignored")]
    [InlineData("\"gender\": \"f\"", "Bundle.entry[0].resource.gender", "invalid-code", "Invalid code; the value was left out")]
    [InlineData("\"active\": \"true\"", "Bundle.entry[0].resource.active", "invalid-value", "Invalid literal type; the value was corrected")]
    [InlineData("\"extension\": [{\"url\": \"http://example.org/x\", \"valueWidget\": \"w\"}]", "Bundle.entry[0].resource.extension[0].value", "unknown-type", "Invalid datatype used; ignored")]
    [InlineData("\"name\": [{}]", "Bundle.entry[0].resource.name[0]", "empty-element", "Objects cannot be empty; ignored")]
    public void TryRead_RecoverableProblem_AcceptsWithOneWarning(string element, string path, string code, string message)
    {
        var bundle = $$$"""{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Patient", "id": "p1", {{{element}}}}}]}""";

        var context = _source.TryRead(bundle);

        Assert.NotNull(context);
        Assert.Equal("Patient/p1", context.PatientReference);
        Assert.Equal(new ClinicalDataWarning(path, code, message), Assert.Single(context.Warnings));
    }

    [Fact]
    public void TryRead_UnreadableDate_LeavesItOutAndWarnsWithoutTheValue()
    {
        // Before issue 8 this was a 400; now the date is dropped, so the text never reaches a prompt as "born ...".
        const string Patient = """{"resourceType": "Patient", "gender": "female", "birthDate": "Adaeze Okonkwo 1954"}""";

        var context = _source.TryRead(Patient);

        Assert.NotNull(context);
        Assert.Equal(new ClinicalFact("Patient", "female"), Assert.Single(context.Facts));
        var warning = Assert.Single(context.Warnings);
        Assert.Equal(new ClinicalDataWarning("Patient.birthDate", "invalid-value", "Invalid literal; the value was left out"), warning);
        Assert.DoesNotContain("Adaeze", warning.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_ManyStructuralIssues_ReportsTheFirstThreeAndCountsTheRest()
    {
        const string Bundle = """{"resourceType": "Bundle", "type": "collection", "entry": [1, 2, 3, 4, 5]}""";

        var ex = Assert.Throws<ClinicalDataException>(() => _source.TryRead(Bundle));

        Assert.Equal(
            "The FHIR Bundle is malformed: Expected object at Bundle.entry[0]; Expected object at Bundle.entry[1]; Expected object at Bundle.entry[2]; and 2 more",
            ex.Message);
    }

    [Fact]
    public void TryRead_UnknownResourceType_Throws()
    {
        var ex = Assert.Throws<ClinicalDataException>(() => _source.TryRead("""{"resourceType": "Frobnicator", "id": "1"}"""));

        Assert.Equal("The FHIR resourceType 'Frobnicator' is not an R4 resource type.", ex.Message);
    }

    [Fact]
    public void TryRead_UnknownResourceTypeThatIsNotAName_DoesNotEchoIt()
    {
        var ex = Assert.Throws<ClinicalDataException>(() => _source.TryRead("""{"resourceType": "Adaeze Okonkwo, DOB 1954"}"""));

        Assert.Equal("The FHIR resourceType is not an R4 resource type.", ex.Message);
    }

    [Theory]
    [InlineData("""{"resourceType": "DomainResource"}""", "The FHIR resourceType 'DomainResource' is not an R4 resource type.")]
    [InlineData(
        """{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "DomainResource", "id": "x"}}]}""",
        "The FHIR Bundle is malformed: a resource has an abstract type the R4 model cannot instantiate")]
    public void TryRead_AbstractResourceType_Throws(string input, string message)
    {
        var ex = Assert.Throws<ClinicalDataException>(() => _source.TryRead(input));

        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void TryRead_SingleObservationWithComponents_ReadsComponentsAndSubject()
    {
        const string BloodPressure = """
            {
              "resourceType": "Observation",
              "status": "final",
              "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9", "display": "Blood pressure panel"}]},
              "subject": {"reference": "Patient/p-9"},
              "effectivePeriod": {"start": "2024-05-13T09:10:00Z"},
              "component": [
                {"code": {"text": "Systolic"}, "valueQuantity": {"value": 142, "unit": "mmHg"}},
                {"code": {"text": "Diastolic"}, "valueQuantity": {"value": 91, "code": "mm[Hg]", "system": "http://unitsofmeasure.org"}}
              ],
              "interpretation": [{"text": "Above target"}]
            }
            """;

        var context = _source.TryRead(BloodPressure);

        Assert.NotNull(context);
        var fact = Assert.Single(context.Facts);
        Assert.Equal(
            new ClinicalFact("Observation", "Blood pressure panel: Systolic 142 mmHg, Diastolic 91 mm[Hg] (Above target)", "2024-05-13T09:10:00Z", "final"),
            fact);
        Assert.Equal("Patient/p-9", context.PatientReference);
        Assert.Equal(1, context.ResourceCount);
    }

    [Fact]
    public void TryRead_OtherResourceTypes_ReadsTheirClinicalWords()
    {
        var context = _source.TryRead(TestBundles.Encounter);

        Assert.NotNull(context);
        Assert.Equal(
            [
                new ClinicalFact("Encounter", "emergency; Emergency department visit; reason: Chest pain", "2024-04-02T22:15:00Z", "finished"),
                new ClinicalFact("Medication", "nitroglycerin 0.4 MG Sublingual Tablet; 1 tablet under the tongue as needed for chest pain", "2024-04-02", "active"),
                new ClinicalFact("Procedure", "Electrocardiogram", "2024-04-02T22:30:00Z", "completed"),
                new ClinicalFact("Report", "Troponin I panel: No evidence of myocardial infarction.", "2024-04-03T01:00:00Z", "final"),
                new ClinicalFact("Document", "ED triage note\nPatient reports chest pain resolved after nitroglycerin.", "2024-04-02T22:20:00Z", "current"),
                new ClinicalFact("Observation", "Smoking status: Former smoker", Status: "final"),
            ],
            context.Facts);
        Assert.Equal("Patient/ed-77", context.PatientReference);
        Assert.Equal(7, context.ResourceCount);
    }
}
