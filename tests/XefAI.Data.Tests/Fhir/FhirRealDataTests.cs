using XefAI.Data.Fhir;

namespace XefAI.Data.Tests.Fhir;

/// <summary>Issue 8: Bundles exported by other systems are read despite recoverable flaws, which come back as warnings.</summary>
public sealed class FhirRealDataTests
{
    private readonly FhirResourceSource _source = FhirSources.Create();

    [Fact]
    public void TryRead_MedplumHomerSimpsonBundle_ReadsFactsAndWarnsAboutMetaAuthorAndEmptyObjects()
    {
        var context = _source.TryRead(TestBundles.Read("medplum-homer-simpson-bundle.json"));

        Assert.NotNull(context);
        Assert.Equal("Patient/123", context.PatientReference);
        Assert.Equal(13, context.ResourceCount);
        Assert.Equal(
            [
                new ClinicalFact("Patient", "male, born 1956-05-12"),
                new ClinicalFact("Encounter", "ambulatory", Status: "finished"),
                new ClinicalFact("Observation", "Test 1: test", Status: "final"),
                new ClinicalFact("Observation", "Test 2: 20 x", Status: "corrected"),
                new ClinicalFact("Observation", "Test 3: 30 x", Status: "final"),
                new ClinicalFact("Observation", "Test 4: >50 x (HIGH)", Status: "final"),
                new ClinicalFact("Observation", "Test 5: 100 x", Status: "final"),
                new ClinicalFact("Observation", "Test 6: Systolic 110 mmHg, Diastolic 75 mmHg", Status: "final"),
                new ClinicalFact("Observation", "Test 7: Glucose 1000 mg/dL (Critical high)", Status: "final"),
                new ClinicalFact("Observation", "Test 8: HIV REACTIVE (Reactive)", Status: "final"),
                new ClinicalFact("Report", "Test Report", Status: "final"),
            ],
            context.Facts);

        // Medplum's Meta has an "author" that R4 lacks; HomerObservation5 carries "referenceRange": [{}] and "interpretation": [{}].
        Assert.Equal(
            [
                new ClinicalDataWarning("Bundle.entry[0].resource.meta.author", "unknown-element", "Unknown element; ignored"),
                new ClinicalDataWarning("Bundle.entry[1].resource.meta.author", "unknown-element", "Unknown element; ignored"),
                new ClinicalDataWarning("Bundle.entry[6].resource.referenceRange[0]", "empty-element", "Objects cannot be empty; ignored"),
                new ClinicalDataWarning("Bundle.entry[6].resource.interpretation[0]", "empty-element", "Objects cannot be empty; ignored"),
                new ClinicalDataWarning("Bundle.entry[10].resource.meta.author", "unknown-element", "Unknown element; ignored"),
                new ClinicalDataWarning("Bundle.entry[11].resource.meta.author", "unknown-element", "Unknown element; ignored"),
            ],
            context.Warnings);
    }

    [Fact]
    public void TryRead_MedplumHomerSimpsonPatient_ReadsDemographicsOnlyAndWarnsOnce()
    {
        var context = _source.TryRead(TestBundles.Read("medplum-homer-simpson-patient.json"));

        Assert.NotNull(context);
        Assert.Equal(new ClinicalFact("Patient", "male, born 1956-05-12"), Assert.Single(context.Facts));
        Assert.Equal(new ClinicalDataWarning("Patient.meta.author", "unknown-element", "Unknown element; ignored"), Assert.Single(context.Warnings));
        Assert.DoesNotContain(context.Facts, f => f.Text.Contains("Simpson", StringComparison.Ordinal) || f.Text.Contains("Evergreen", StringComparison.Ordinal));
    }

    [Fact]
    public void TryRead_MedplumSearchSetWithCommunicationAndMedia_CountsAllAndWarnsPerEntry()
    {
        var context = _source.TryRead(TestBundles.Read("medplum-homer-encounter-messages-bundle.json"));

        Assert.NotNull(context);
        Assert.Equal(3, context.ResourceCount);
        Assert.Equal(new ClinicalFact("Encounter", "ambulatory", Status: "finished"), Assert.Single(context.Facts));
        Assert.Equal(
            ["Bundle.entry[0].resource.meta.author", "Bundle.entry[1].resource.meta.author", "Bundle.entry[2].resource.meta.author"],
            context.Warnings.Select(w => w.Path));
    }

    [Fact]
    public void TryRead_SyntheaStyleTransactionBundle_ReadsEveryFactWithoutWarnings()
    {
        var context = _source.TryRead(TestBundles.Read("synthea-style-transaction-bundle.json"));

        Assert.NotNull(context);
        Assert.Empty(context.Warnings);
        Assert.Equal("Patient/8c95253e-8ee8-9ae8-6d40-021d702dc78e", context.PatientReference);
        Assert.Equal(5, context.ResourceCount);
        Assert.Equal(
            [
                new ClinicalFact("Patient", "female, born 1961-08-14"),
                new ClinicalFact("Encounter", "AMB; General examination of patient (procedure); reason: Diabetes mellitus type 2 (disorder)", "2023-03-07T09:14:05-05:00", "finished"),
                new ClinicalFact("Condition", "Diabetes mellitus type 2 (disorder)", "2019-11-12T09:14:05-05:00", "active"),
                new ClinicalFact("Observation", "Hemoglobin A1c/Hemoglobin.total in Blood: 7.1 %", "2023-03-07T09:14:05-05:00", "final"),
                new ClinicalFact("Medication", "24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet", "2023-03-07T09:14:05-05:00", "active"),
            ],
            context.Facts);
    }

    [Fact]
    public void TryRead_BadUrnUuidAndUnknownElement_AcceptedWithExactlyThoseWarningsNamingPathsNotValues()
    {
        const string Bundle = """
            {
              "resourceType": "Bundle",
              "type": "transaction",
              "entry": [
                {
                  "fullUrl": "urn:uuid:med-Okonkwo-not-a-uuid",
                  "resource": {"resourceType": "Medication", "code": {"text": "apixaban 5 MG Oral Tablet"}},
                  "request": {"method": "POST", "url": "Medication"}
                },
                {
                  "fullUrl": "urn:uuid:6f1d2c3b-4a59-4e8d-9c7b-0a1b2c3d4e5f",
                  "resource": {
                    "resourceType": "MedicationRequest",
                    "status": "active",
                    "intent": "order",
                    "medicationReference": {"reference": "urn:uuid:med-Okonkwo-not-a-uuid"},
                    "subject": {"reference": "Patient/p-31"},
                    "authoredOn": "2024-06-01",
                    "exportedBy": "LegacyEHR Adaeze"
                  },
                  "request": {"method": "POST", "url": "MedicationRequest"}
                }
              ]
            }
            """;

        var context = _source.TryRead(Bundle);

        Assert.NotNull(context);
        Assert.Equal(
            [
                new ClinicalDataWarning("Bundle.entry[0].fullUrl", "invalid-value", "Invalid literal; the value was kept"),
                new ClinicalDataWarning("Bundle.entry[1].resource.exportedBy", "unknown-element", "Unknown element; ignored"),
            ],
            context.Warnings);
        Assert.DoesNotContain(context.Warnings, w => w.ToString().Contains("Okonkwo", StringComparison.Ordinal) || w.ToString().Contains("Adaeze", StringComparison.Ordinal));

        // The reference still resolves through the kept fullUrl.
        Assert.Equal(new ClinicalFact("Medication", "apixaban 5 MG Oral Tablet", "2024-06-01", "active"), Assert.Single(context.Facts));
    }

    [Fact]
    public void TryRead_ValuesInAnOddButReadableForm_AreCorrectedAndReported()
    {
        const string Bundle = """
            {
              "resourceType": "Bundle",
              "type": "collection",
              "entry": [
                {"resource": {"resourceType": "Patient", "id": "p-8", "gender": "male", "birthDate": "1954-3-2"}},
                {"resource": {"resourceType": "Observation", "status": "final", "code": {"text": "Potassium"},
                  "effectiveDateTime": " 2024-05-12T07:45:00Z ", "valueQuantity": {"value": "4.2", "unit": "mmol/L"}}}
              ]
            }
            """;

        var context = _source.TryRead(Bundle);

        Assert.NotNull(context);
        Assert.Equal(
            [
                new ClinicalFact("Patient", "male, born 1954-03-02"),
                new ClinicalFact("Observation", "Potassium: 4.2 mmol/L", "2024-05-12T07:45:00Z", "final"),
            ],
            context.Facts);
        Assert.Equal(
            ["Bundle.entry[0].resource.birthDate", "Bundle.entry[1].resource.value.value", "Bundle.entry[1].resource.effective"],
            context.Warnings.Select(w => w.Path));
        Assert.All(context.Warnings, w => Assert.EndsWith("the value was corrected", w.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void TryRead_UnknownElementNamedWithFreeText_MasksThatPathSegment()
    {
        var context = _source.TryRead("""{"resourceType": "Patient", "gender": "female", "Adaeze Okonkwo, DOB 1954": true}""");

        Assert.NotNull(context);
        Assert.Equal(new ClinicalDataWarning("Patient.*", "unknown-element", "Unknown element; ignored"), Assert.Single(context.Warnings));
    }

    [Fact]
    public void TryRead_ThousandsOfUnknownElements_ListsTheFirstFiftyAndCountsTheRest()
    {
        var entries = string.Join(',', Enumerable.Range(0, 60).Select(i => $$$"""{"resource": {"resourceType": "Basic", "code": {"text": "x"}, "legacy{{{i}}}": 1}}"""));

        var context = _source.TryRead($$$"""{"resourceType": "Bundle", "type": "collection", "entry": [{{{entries}}}]}""");

        Assert.NotNull(context);
        Assert.Equal(FhirIssueTriage.MaxWarnings + 1, context.Warnings.Count);
        Assert.Equal(new ClinicalDataWarning("Bundle", "more-warnings", "10 more warnings were not listed"), context.Warnings[^1]);
    }

    [Fact]
    public void TryRead_TransactionEntryWithOnlyARequest_IsAccepted()
    {
        const string Bundle = """
            {"resourceType": "Bundle", "type": "transaction", "entry": [
              {"request": {"method": "DELETE", "url": "Condition/old-1"}},
              {"resource": {"resourceType": "Condition", "subject": {"reference": "Patient/p-2"}, "code": {"text": "Asthma"}}, "request": {"method": "POST", "url": "Condition"}}
            ]}
            """;

        var context = _source.TryRead(Bundle);

        Assert.NotNull(context);
        Assert.Equal(new ClinicalFact("Condition", "Asthma"), Assert.Single(context.Facts));
        Assert.Empty(context.Warnings);
    }

    [Fact]
    public void TryRead_CleanBundle_HasNoWarnings()
    {
        var context = _source.TryRead(TestBundles.Discharge);

        Assert.NotNull(context);
        Assert.Empty(context.Warnings);
    }
}
