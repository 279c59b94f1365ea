using System.Text.Json.Nodes;
using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// A FHIR resource sent as JSON names its people in its structured elements and again in its narrative, displays and
/// extensions; what the structured elements say is found everywhere else. The resources are written here in the shape
/// of HL7's published R4 examples, which the gateway was run against.
/// </summary>
public sealed class FhirJsonPeopleTests
{
    [Fact]
    public void A_display_of_a_person_reference_is_one_name_token_and_its_words_are_found_in_the_narrative()
    {
        var result = Protect("""
            {"resourceType":"Observation","id":"bmd","status":"final",
             "text":{"status":"generated","div":"<div><p><b>subject</b>: <a>Everywoman, Eve A, MRN: 123456</a></p></div>"},
             "code":{"text":"BMD"},
             "subject":{"reference":"Patient/pat2","display":"Everywoman, Eve A, MRN: 123456"},
             "performer":[{"reference":"Organization/org1","display":"Acme Imaging Center"}]}
            """);

        Assert.DoesNotContain("Everywoman", result, StringComparison.Ordinal);
        Assert.DoesNotContain("123456", result, StringComparison.Ordinal);
        Assert.Matches(@"""subject"":\{""reference"":""Patient/\[ID_\d+\]"",""display"":""\[NAME_\d+\]""\}", result);
        Assert.Contains("Acme Imaging Center", result, StringComparison.Ordinal);
    }

    [Fact]
    public void The_narrative_loses_what_the_structured_elements_say_of_the_patient()
    {
        var result = Protect("""
            {"resourceType":"Patient","id":"example",
             "text":{"status":"generated","div":"<div><table><tr><td>Name</td><td>Peter James <b>Chalmers</b> (&quot;Jim&quot;)</td></tr><tr><td>Address</td><td>534 Erewhon, Pleasantville, Vic, 3999</td></tr><tr><td>Contacts</td><td>Home: unknown. Work: (03) 5555 6473</td></tr><tr><td>Id</td><td>MR = 770123 (Acme Healthcare)</td></tr></table></div>"},
             "identifier":[{"use":"usual","system":"urn:oid:1.2.36.146.595.217.0.1","value":"770123"}],
             "name":[{"use":"official","family":"Chalmers","given":["Peter","James"]},{"use":"usual","given":["Jim"]}],
             "telecom":[{"system":"phone","value":"(03) 5555 6473","use":"work"}],
             "address":[{"line":["534 Erewhon St"],"city":"PleasantVille","district":"Rainbow","state":"Vic","postalCode":"3999"}],
             "gender":"male","birthDate":"1974-12-25",
             "_birthDate":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/patient-birthTime","valueDateTime":"1974-12-25T14:35:45-05:00"}]}}
            """);

        foreach (var value in new[] { "Chalmers", "Peter", "Jim", "Erewhon", "Pleasantville", "3999", "5555 6473", "770123", "12-25", "14:35" })
        {
            Assert.DoesNotContain(value, result, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Contains("\"birthDate\":\"1974\"", result, StringComparison.Ordinal);
        Assert.DoesNotContain("_birthDate", result, StringComparison.Ordinal);
    }

    [Fact]
    public void A_practitioner_named_only_in_a_display_is_found_in_another_resources_narrative()
    {
        var result = Protect("""
            {"resourceType":"Bundle","type":"collection","entry":[
              {"resource":{"resourceType":"DiagnosticReport","id":"r1","status":"final","code":{"text":"Genetic panel"},
                "text":{"status":"generated","div":"<div>Order: 1019<br/>Physician: Kowalczyk, Adam<br/>Specimen: blood</div>"}}},
              {"resource":{"resourceType":"ServiceRequest","id":"s1","status":"active","intent":"order",
                "requester":{"reference":"Practitioner/pr1","display":"Dr. Adam Kowalczyk, MD"}}}]}
            """);

        Assert.DoesNotContain("Adam", result, StringComparison.Ordinal);
        Assert.DoesNotContain("Kowalczyk", result, StringComparison.Ordinal);
        Assert.Contains("Physician:", result, StringComparison.Ordinal);
    }

    [Fact]
    public void Extensions_that_hold_a_person_go()
    {
        var result = Protect("""
            {"resourceType":"Patient","id":"newborn","gender":"male","birthDate":"2017-09-05",
             "extension":[
               {"url":"http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName","valueString":"Everywoman"},
               {"url":"http://hl7.org/fhir/StructureDefinition/patient-birthPlace","valueAddress":{"line":["12 Harbour Road"],"city":"Tillamook"}},
               {"url":"http://example.org/fhir/StructureDefinition/guardian","valueHumanName":{"family":"Okonkwo","given":["Ngozi"]}},
               {"url":"http://example.org/fhir/StructureDefinition/guardian-phone","valueContactPoint":{"system":"phone","value":"503-555-0142"}}]}
            """);

        foreach (var value in new[] { "Everywoman", "Harbour", "Tillamook", "Okonkwo", "Ngozi", "555-0142" })
        {
            Assert.DoesNotContain(value, result, StringComparison.Ordinal);
        }

        Assert.Contains("mothersMaidenName", result, StringComparison.Ordinal);
    }

    [Fact]
    public void A_conditional_request_url_keeps_its_type_and_loses_its_search()
    {
        var result = Protect("""
            {"resourceType":"Bundle","type":"transaction","entry":[
              {"resource":{"resourceType":"Patient","active":true},
               "request":{"method":"PUT","url":"Patient?identifier=http://example.org/fhir/ids|456456"}},
              {"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"}},
               "request":{"method":"PUT","url":"Observation/obs-771"}}]}
            """);

        var entries = JsonNode.Parse(result)!["entry"]!.AsArray();
        Assert.Matches(@"^Patient\?\[ID_\d+\]$", entries[0]!["request"]!["url"]!.GetValue<string>());
        Assert.Matches(@"^Observation/\[ID_\d+\]$", entries[1]!["request"]!["url"]!.GetValue<string>());
        Assert.DoesNotContain("456456", result, StringComparison.Ordinal);
        Assert.DoesNotContain("obs-771", result, StringComparison.Ordinal);
    }

    [Fact]
    public void An_identifier_written_as_one_object_is_read_and_found_in_the_narrative()
    {
        // A Reference's identifier is a single Identifier, not a list; reading it must not take it from its parent.
        var result = Protect("""
            {"resourceType":"AuditEvent","id":"login","recorded":"2013-06-20T23:42:24Z",
             "text":{"status":"generated","div":"<div>Login by badge QX7741Z9</div>"},
             "type":{"code":"110114"},
             "agent":[{"who":{"identifier":{"system":"http://example.org/badges","value":"QX7741Z9"}},"requestor":true}],
             "source":{"observer":{"display":"hospital.example.org"}}}
            """);

        Assert.DoesNotContain("QX7741Z9", result, StringComparison.Ordinal);
        Assert.NotNull(JsonNode.Parse(result));
    }

    [Fact]
    public void Ordinary_words_of_a_display_do_not_become_names()
    {
        // "Patient" and "Team" in a display say what, not who: the narrative keeps its ordinary uses of them.
        var result = Protect("""
            {"resourceType":"CarePlan","id":"cp1","status":"active","intent":"plan",
             "text":{"status":"generated","div":"<div>Patient education given to the care team.</div>"},
             "subject":{"reference":"Patient/p1","display":"Peter Patient"},
             "author":{"reference":"Practitioner/pr9","display":"Care Team"}}
            """);

        Assert.Contains("Patient education given to the care team.", result, StringComparison.Ordinal);
        Assert.DoesNotContain("Peter", result, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"gender\":\"987-65-4321\"", "987-65-4321")]
    [InlineData("\"birthDate\":\"Maria Gonzalez\"", "Gonzalez")]
    [InlineData("\"language\":\"call Rosalind Achterberg\"", "Achterberg")]
    [InlineData("\"maritalStatus\":{\"coding\":[{\"system\":\"Rosalind Achterberg\",\"code\":\"M\"}]}", "Achterberg")]
    [InlineData("\"maritalStatus\":{\"coding\":[{\"code\":\"Call Rosalind Achterberg at 555-201-3344\"}]}", "555-201-3344")]
    [InlineData("\"maritalStatus\":{\"coding\":[{\"code\":\"rachterberg@example.org\"}]}", "rachterberg")]
    public void A_value_its_element_type_does_not_allow_is_not_kept_as_a_code(string element, string phi)
    {
        var result = Protect("{\"resourceType\":\"Patient\",\"id\":\"p1\"," + element + "}");

        Assert.DoesNotContain(phi, result, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ServiceRequest QuestionnaireResponse", true)]
    [InlineData("44054006", true)]
    [InlineData(" leading", false)]
    [InlineData("two  spaces", false)]
    [InlineData("line\nbreak", false)]
    [InlineData("Call Rosalind Achterberg", false)]
    public void A_code_may_hold_single_spaces_as_FHIR_allows(string code, bool kept)
    {
        // FHIR's code type: no leading or trailing white space, none inside but single spaces (an Endpoint's payloadType).
        Assert.Equal(kept, XefAI.Data.Deidentification.FhirJsonDeidentifier.IsValidMachineValue("code", code));
    }

    [Theory]
    [InlineData("\"Maria Gonzalez\":true", "Gonzalez")]
    [InlineData("\"note_for_maria\":\"ask about her knee\"", "maria")]
    [InlineData("\"mariaGonzalez\":1", "Gonzalez")]
    [InlineData("\"extension\":[{\"url\":\"http://example.org/x\",\"Priya Ramanathan\":false}]", "Ramanathan")]
    public void A_member_no_resource_defines_goes_when_its_name_could_name_someone(string member, string phi)
    {
        var result = Protect("{\"resourceType\":\"Patient\",\"id\":\"p1\",\"active\":true," + member + "}");

        Assert.DoesNotContain(phi, result, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\"active\":true", result, StringComparison.Ordinal);
    }

    [Fact]
    public void Medplum_sample_patients_keep_their_codes_systems_and_elements()
    {
        foreach (var file in new[] { "medplum-homer-simpson-patient.json", "medplum-homer-simpson-bundle.json", "medplum-homer-encounter-messages-bundle.json" })
        {
            var json = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fhir", "TestData", file));
            var result = Protect(json);

            Assert.DoesNotContain("Simpson", result, StringComparison.Ordinal);
            var before = Members(JsonNode.Parse(json)!);
            var after = Members(JsonNode.Parse(result)!);
            foreach (var (key, value) in before.Where(m => m.Key is "gender" or "code" or "status" or "unit" or "system" && m.Value is not null))
            {
                Assert.True(after.Contains((key, value)), $"{key}={value}");
            }
        }
    }

    [Fact]
    public void A_hand_made_hostile_patient_keeps_nothing_of_its_person()
    {
        var result = Protect("""
            {"resourceType":"Patient","id":"h1","gender":"Rosalind Achterberg","birthDate":"Rosalind Achterberg",
             "Rosalind Achterberg":true,"pronouns_rosalind":"she","maritalStatus":{"coding":[{"code":"rachterberg@example.org"}]},
             "communication":[{"language":{"coding":[{"system":"urn:ietf:bcp:47","code":"en-US"}]},"preferred":true}]}
            """);

        Assert.DoesNotContain("Rosalind", result, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Achterberg", result, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("rachterberg", result, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"en-US\"", result, StringComparison.Ordinal);
        Assert.Contains("\"preferred\":true", result, StringComparison.Ordinal);
    }

    private static HashSet<(string Key, string? Value)> Members(JsonNode node)
    {
        var found = new HashSet<(string Key, string? Value)>();
        Collect(node, found);
        return found;

        static void Collect(JsonNode? node, HashSet<(string Key, string? Value)> found)
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var (key, child) in obj)
                    {
                        // What the de-identifier removes whole (the identifiers, a person's contact details) is not looked at.
                        if (key is "identifier" or "telecom" or "photo" or "name" or "address" or "contact")
                        {
                            continue;
                        }

                        if (child is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.String)
                        {
                            found.Add((key, value.GetValue<string>()));
                        }

                        Collect(child, found);
                    }

                    break;
                case JsonArray array:
                    foreach (var item in array)
                    {
                        Collect(item, found);
                    }

                    break;
            }
        }
    }
}
