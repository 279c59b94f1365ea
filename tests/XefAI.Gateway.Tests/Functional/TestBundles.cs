namespace XefAI.Gateway.Tests.Functional;

/// <summary>Small, realistic R4 Bundles (synthetic patients) for the functional tests.</summary>
internal static class TestBundles
{
    public const string Diabetic = """
        {
          "resourceType": "Bundle",
          "type": "collection",
          "entry": [
            { "resource": { "resourceType": "Patient", "id": "example-patient",
                "name": [ { "family": "Chalmers", "given": [ "Peter" ] } ],
                "gender": "male", "birthDate": "1954-03-02" } },
            { "resource": { "resourceType": "Condition", "id": "c1",
                "clinicalStatus": { "coding": [ { "system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active" } ] },
                "code": { "coding": [ { "system": "http://snomed.info/sct", "code": "44054006", "display": "Type 2 diabetes mellitus" } ] },
                "subject": { "reference": "Patient/example-patient" }, "onsetDateTime": "2012-05-01" } },
            { "resource": { "resourceType": "MedicationRequest", "id": "m1", "status": "active", "intent": "order",
                "medicationCodeableConcept": { "text": "Metformin 500 mg tablet" },
                "subject": { "reference": "Patient/example-patient" },
                "dosageInstruction": [ { "text": "500 mg twice daily with meals" } ] } },
            { "resource": { "resourceType": "Observation", "id": "o1", "status": "final",
                "code": { "coding": [ { "system": "http://loinc.org", "code": "4548-4", "display": "Hemoglobin A1c" } ] },
                "subject": { "reference": "Patient/example-patient" }, "effectiveDateTime": "2026-10-01",
                "valueQuantity": { "value": 8.1, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%" } } }
          ]
        }
        """;
}
