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

    /// <summary>
    /// Written by hand in the shape of a Synthea export (no Synthea output copied; the people and values are invented):
    /// a transaction Bundle, random-UUID <c>urn:uuid:</c> full URLs and references, POST requests, numbered given names,
    /// US Core race extension, conditional references to a practitioner by NPI. Clean R4: no warnings.
    /// </summary>
    public const string SyntheaStyle = """
        {
          "resourceType": "Bundle",
          "type": "transaction",
          "entry": [
            {
              "fullUrl": "urn:uuid:3f6a9c1e-52d4-4b7a-9e0f-8d21c4b7a613",
              "resource": {
                "resourceType": "Patient", "id": "3f6a9c1e-52d4-4b7a-9e0f-8d21c4b7a613",
                "extension": [ { "url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race",
                  "extension": [ { "url": "ombCategory", "valueCoding": { "system": "urn:oid:2.16.840.1.113883.6.238", "code": "2106-3", "display": "White" } },
                                 { "url": "text", "valueString": "White" } ] } ],
                "identifier": [ { "system": "https://github.com/synthetichealth/synthea", "value": "3f6a9c1e-52d4-4b7a-9e0f-8d21c4b7a613" } ],
                "name": [ { "use": "official", "family": "Varela204", "given": [ "Odile512" ], "prefix": [ "Mrs." ] } ],
                "gender": "female", "birthDate": "1957-02-11"
              },
              "request": { "method": "POST", "url": "Patient" }
            },
            {
              "fullUrl": "urn:uuid:b2e7d410-9c3f-4e55-a1d8-60f2e9c4b871",
              "resource": {
                "resourceType": "Encounter", "id": "b2e7d410-9c3f-4e55-a1d8-60f2e9c4b871", "status": "finished",
                "class": { "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP" },
                "type": [ { "coding": [ { "system": "http://snomed.info/sct", "code": "32485007", "display": "Hospital admission (procedure)" } ], "text": "Hospital admission (procedure)" } ],
                "subject": { "reference": "urn:uuid:3f6a9c1e-52d4-4b7a-9e0f-8d21c4b7a613" },
                "participant": [ { "individual": { "reference": "Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|9999941207", "display": "Dr. Ruben88 Ortiz403" } } ],
                "period": { "start": "2026-11-18T08:02:11-05:00", "end": "2026-11-22T10:40:00-05:00" }
              },
              "request": { "method": "POST", "url": "Encounter" }
            },
            {
              "fullUrl": "urn:uuid:0c9d2a77-14be-4f60-8e31-5a7b3c2d1e90",
              "resource": {
                "resourceType": "Condition", "id": "0c9d2a77-14be-4f60-8e31-5a7b3c2d1e90",
                "clinicalStatus": { "coding": [ { "system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active" } ] },
                "code": { "coding": [ { "system": "http://snomed.info/sct", "code": "44054006", "display": "Diabetes mellitus type 2 (disorder)" } ], "text": "Diabetes mellitus type 2 (disorder)" },
                "subject": { "reference": "urn:uuid:3f6a9c1e-52d4-4b7a-9e0f-8d21c4b7a613" },
                "encounter": { "reference": "urn:uuid:b2e7d410-9c3f-4e55-a1d8-60f2e9c4b871" },
                "onsetDateTime": "2014-06-03T09:10:00-05:00"
              },
              "request": { "method": "POST", "url": "Condition" }
            },
            {
              "fullUrl": "urn:uuid:7aa1e3c5-6b2d-4f19-b8c0-2e4d6f8a0b13",
              "resource": {
                "resourceType": "Observation", "id": "7aa1e3c5-6b2d-4f19-b8c0-2e4d6f8a0b13", "status": "final",
                "category": [ { "coding": [ { "system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory" } ] } ],
                "code": { "coding": [ { "system": "http://loinc.org", "code": "4548-4", "display": "Hemoglobin A1c/Hemoglobin.total in Blood" } ], "text": "Hemoglobin A1c/Hemoglobin.total in Blood" },
                "subject": { "reference": "urn:uuid:3f6a9c1e-52d4-4b7a-9e0f-8d21c4b7a613" },
                "effectiveDateTime": "2026-11-19T06:30:00-05:00",
                "valueQuantity": { "value": 8.4, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%" }
              },
              "request": { "method": "POST", "url": "Observation" }
            },
            {
              "fullUrl": "urn:uuid:e41b6f02-3d8c-4a97-b5e2-91c0d7a3f548",
              "resource": {
                "resourceType": "MedicationRequest", "id": "e41b6f02-3d8c-4a97-b5e2-91c0d7a3f548", "status": "active", "intent": "order",
                "medicationCodeableConcept": { "coding": [ { "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "860975", "display": "24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet" } ], "text": "24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet" },
                "subject": { "reference": "urn:uuid:3f6a9c1e-52d4-4b7a-9e0f-8d21c4b7a613" },
                "authoredOn": "2026-11-22T10:15:00-05:00",
                "requester": { "reference": "Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|9999941207" }
              },
              "request": { "method": "POST", "url": "MedicationRequest" }
            }
          ]
        }
        """;

    /// <summary>
    /// Written by hand in the shape of a Medplum export (no Medplum data copied; the people and values are invented): a
    /// collection Bundle whose <c>urn:uuid:</c> full URLs are not all UUIDs, Medplum's own <c>meta.project</c> and
    /// <c>meta.author</c> (unknown to R4), Medplum identifier systems and a Medplum extension. Every problem is recoverable.
    /// </summary>
    public const string MedplumStyle = """
        {
          "resourceType": "Bundle",
          "type": "collection",
          "entry": [
            {
              "fullUrl": "urn:uuid:patient-ines-duarte",
              "resource": {
                "resourceType": "Patient", "id": "patient-ines-duarte",
                "meta": { "project": "0a3c5e7f-1b2d-4c6e-8f90-a1b2c3d4e5f6", "versionId": "4", "lastUpdated": "2026-11-01T12:00:00.000Z",
                          "author": { "reference": "Practitioner/5b7d9f1a-3c5e-4a7b-9d1f-2e4a6c8b0d2f", "display": "Dr. Tomas Reyes" } },
                "identifier": [ { "system": "https://www.medplum.com/fhir/sid/mrn", "value": "MRN-55102" } ],
                "extension": [ { "url": "https://medplum.com/fhir/StructureDefinition/preferred-pharmacy", "valueString": "Riverside Pharmacy" } ],
                "name": [ { "family": "Duarte", "given": [ "Ines" ] } ],
                "gender": "female", "birthDate": "1949-09-30"
              }
            },
            {
              "fullUrl": "urn:uuid:6d1e3f5a-7b9c-4d2e-8f1a-3b5c7d9e1f20",
              "resource": {
                "resourceType": "Condition", "id": "6d1e3f5a-7b9c-4d2e-8f1a-3b5c7d9e1f20",
                "meta": { "project": "0a3c5e7f-1b2d-4c6e-8f90-a1b2c3d4e5f6", "author": { "reference": "Practitioner/5b7d9f1a-3c5e-4a7b-9d1f-2e4a6c8b0d2f" } },
                "clinicalStatus": { "coding": [ { "system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active" } ] },
                "code": { "text": "Heart failure with reduced ejection fraction" },
                "subject": { "reference": "Patient/patient-ines-duarte" },
                "onsetDateTime": "2022-04-14"
              }
            },
            {
              "fullUrl": "urn:uuid:9e2f4a6b-8c0d-4e1f-a2b3-c4d5e6f7a8b9",
              "resource": {
                "resourceType": "MedicationRequest", "id": "9e2f4a6b-8c0d-4e1f-a2b3-c4d5e6f7a8b9", "status": "active", "intent": "order",
                "meta": { "project": "0a3c5e7f-1b2d-4c6e-8f90-a1b2c3d4e5f6" },
                "medicationCodeableConcept": { "text": "Furosemide 40 mg tablet" },
                "subject": { "reference": "Patient/patient-ines-duarte" },
                "dosageInstruction": [ { "text": "40 mg by mouth every morning" } ]
              }
            }
          ]
        }
        """;
}
