namespace XefAI.Data.Tests.Fhir;

/// <summary>Realistic R4 inputs shared by the data-layer tests.</summary>
internal static class TestBundles
{
    /// <summary>A discharge Bundle: patient, two conditions, an order, an allergy, two labs and a discharge summary.</summary>
    public static string Discharge { get; } = Read("discharge-bundle.json");

    /// <summary>A file of Fhir/TestData, as the test run copied it (see the README there for where each came from).</summary>
    public static string Read(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fhir", "TestData", name));

    /// <summary>An emergency visit without a Patient entry: the patient is known only from the subjects.</summary>
    public const string Encounter = """
        {
          "resourceType": "Bundle",
          "type": "collection",
          "entry": [
            {
              "resource": {
                "resourceType": "Encounter",
                "status": "finished",
                "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "EMER", "display": "emergency"},
                "type": [{"text": "Emergency department visit"}],
                "subject": {"reference": "Patient/ed-77"},
                "period": {"start": "2024-04-02T22:15:00Z", "end": "2024-04-03T03:40:00Z"},
                "reasonCode": [{"coding": [{"system": "http://snomed.info/sct", "code": "29857009", "display": "Chest pain"}]}]
              }
            },
            {
              "fullUrl": "urn:uuid:5b0c7d2e-8f5a-4b7e-9f0e-1c2d3e4f5a6b",
              "resource": {
                "resourceType": "Medication",
                "code": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "198039", "display": "nitroglycerin 0.4 MG Sublingual Tablet"}]}
              }
            },
            {
              "resource": {
                "resourceType": "MedicationStatement",
                "status": "active",
                "medicationReference": {"reference": "urn:uuid:5b0c7d2e-8f5a-4b7e-9f0e-1c2d3e4f5a6b"},
                "subject": {"reference": "Patient/ed-77"},
                "effectiveDateTime": "2024-04-02",
                "dosage": [{"text": "1 tablet under the tongue as needed for chest pain"}]
              }
            },
            {
              "resource": {
                "resourceType": "Procedure",
                "status": "completed",
                "code": {"coding": [{"system": "http://snomed.info/sct", "code": "29303009", "display": "Electrocardiogram"}]},
                "subject": {"reference": "Patient/ed-77"},
                "performedDateTime": "2024-04-02T22:30:00Z"
              }
            },
            {
              "resource": {
                "resourceType": "DiagnosticReport",
                "status": "final",
                "code": {"text": "Troponin I panel"},
                "subject": {"reference": "Patient/ed-77"},
                "effectiveDateTime": "2024-04-03T01:00:00Z",
                "conclusion": "No evidence of myocardial infarction."
              }
            },
            {
              "resource": {
                "resourceType": "DocumentReference",
                "status": "current",
                "type": {"text": "ED triage note"},
                "subject": {"reference": "Patient/ed-77"},
                "date": "2024-04-02T22:20:00Z",
                "content": [
                  {"attachment": {"contentType": "text/plain; charset=utf-8", "data": "UGF0aWVudCByZXBvcnRzIGNoZXN0IHBhaW4gcmVzb2x2ZWQgYWZ0ZXIgbml0cm9nbHljZXJpbi4="}},
                  {"attachment": {"contentType": "application/pdf", "data": "JVBERi0xLjQK"}}
                ]
              }
            },
            {
              "resource": {
                "resourceType": "Observation",
                "status": "final",
                "code": {"text": "Smoking status"},
                "valueCodeableConcept": {"coding": [{"system": "http://snomed.info/sct", "code": "8517006", "display": "Former smoker"}]}
              }
            }
          ]
        }
        """;
}
