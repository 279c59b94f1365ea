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
    [InlineData("\"entry\": [{\"resource\": {\"resourceType\": \"Patient\", \"birthDate\": \"not-a-date\"}}]", "Invalid literal at Bundle.entry[0].resource.birthDate")]
    [InlineData("\"entry\": [{\"resource\": {\"resourceType\": \"Patient\", \"favouriteColour\": \"blue\"}}]", "Unknown element at Bundle.entry[0].resource.favouriteColour")]
    [InlineData("\"entry\": [{\"resource\": {\"resourceType\": \"Patient\", \"gender\": \"f\"}}]", "Invalid code at Bundle.entry[0].resource.gender")]
    [InlineData("\"entry\": [{\"resource\": {\"resourceType\": \"Frobnicator\"}}]", "Unknown resource at Bundle.entry[0].resource")]
    public void TryRead_MalformedBundle_ThrowsWithParserReason(string entries, string reason)
    {
        var bundle = $"{{\"resourceType\": \"Bundle\", \"type\": \"collection\", {entries}}}";

        var ex = Assert.Throws<ClinicalDataException>(() => _source.TryRead(bundle));

        Assert.StartsWith("The FHIR Bundle is malformed: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_MalformedValue_DoesNotEchoTheValue()
    {
        const string Patient = """{"resourceType": "Patient", "birthDate": "Adaeze Okonkwo 1954"}""";

        var ex = Assert.Throws<ClinicalDataException>(() => _source.TryRead(Patient));

        Assert.Equal("The FHIR Patient is malformed: Invalid literal at Patient.birthDate", ex.Message);
        Assert.Null(ex.InnerException);
    }

    [Fact]
    public void TryRead_ManyIssues_ReportsTheFirstThreeAndCountsTheRest()
    {
        const string Patient = """{"resourceType": "Patient", "a1": 1, "a2": 2, "a3": 3, "a4": 4, "a5": 5}""";

        var ex = Assert.Throws<ClinicalDataException>(() => _source.TryRead(Patient));

        Assert.Equal(
            "The FHIR Patient is malformed: Unknown element at Patient.a1; Unknown element at Patient.a2; Unknown element at Patient.a3; and 2 more",
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
