using System.Text.Json.Nodes;
using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// A FHIR resource pasted into a chat message ("Summarize: {…}") is read as FHIR, not as prose: every part of its people's
/// names goes wherever it appears, and ids, references and uuids are kept whole or replaced whole as ids, never with a
/// name token inside them.
/// </summary>
public sealed class FhirJsonInChatTests
{
    private const string Bundle = """
        {"resourceType":"Bundle","type":"collection","entry":[
          {"fullUrl":"urn:uuid:wobble","resource":{"resourceType":"Patient","id":"wobble","name":[{"given":["Wobble"]}],
            "text":{"status":"generated","div":"<div>Wobble came in today with Dr Teapot.</div>"}}},
          {"fullUrl":"urn:uuid:pr7","resource":{"resourceType":"Practitioner","id":"pr7","name":[{"given":["Teapot"],"family":"Lantern"}]}},
          {"fullUrl":"urn:uuid:rp1","resource":{"resourceType":"RelatedPerson","id":"rp1","patient":{"reference":"Patient/wobble"},
            "name":[{"family":"Saucepan"}]}},
          {"fullUrl":"urn:uuid:ps1","resource":{"resourceType":"Person","id":"ps1","name":[{"text":"Kettle Q Ladle","suffix":["Jr"]}]}},
          {"fullUrl":"urn:uuid:enc1","resource":{"resourceType":"Encounter","id":"enc1","status":"finished","class":{"code":"AMB"},
            "subject":{"reference":"urn:uuid:wobble"},"participant":[{"individual":{"reference":"Practitioner/pr7"}}],
            "reasonCode":[{"text":"Lantern and Saucepan asked about Ladle"}]}}]}
        """;

    [Theory]
    [InlineData("Summarize: {0}")]
    [InlineData("Please draft a note for this record:\n```json\n{0}\n```\nThanks.")]
    [InlineData("{0}")]
    public void Every_name_part_of_a_person_in_pasted_json_goes_however_few_parts_it_has(string template)
    {
        var result = Protect(template.Replace("{0}", Bundle, StringComparison.Ordinal));

        foreach (var name in new[] { "Wobble", "Teapot", "Lantern", "Saucepan", "Kettle", "Ladle" })
        {
            Assert.DoesNotContain(name, result, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("Q Ladle", result, StringComparison.Ordinal);
        Assert.Contains("\"resourceType\":\"Encounter\"", result, StringComparison.Ordinal);
    }

    [Fact]
    public void The_words_around_pasted_json_lose_the_names_it_gives()
    {
        var result = Protect("Write to Wobble about the visit with Lantern. " + Bundle + " Sign it from the clinic.");

        Assert.StartsWith("Write to [NAME_", result, StringComparison.Ordinal);
        Assert.DoesNotContain("Wobble", result, StringComparison.Ordinal);
        Assert.DoesNotContain("Lantern", result, StringComparison.Ordinal);
        Assert.EndsWith(" Sign it from the clinic.", result, StringComparison.Ordinal);
    }

    [Fact]
    public void Ids_references_and_uuids_are_whole_id_tokens_even_when_an_id_is_a_learned_name()
    {
        var result = Protect("Summarize: " + Bundle);
        var json = JsonNode.Parse(result[result.IndexOf('{', StringComparison.Ordinal)..])!;
        var entries = json["entry"]!.AsArray();

        Assert.DoesNotContain("NAME_", entries[0]!["fullUrl"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Matches(@"^urn:uuid:\[ID_\d+\]$", entries[0]!["fullUrl"]!.GetValue<string>());
        var patientId = entries[0]!["resource"]!["id"]!.GetValue<string>();
        Assert.Matches(@"^\[ID_\d+\]$", patientId);
        Assert.Equal("urn:uuid:" + patientId, entries[4]!["resource"]!["subject"]!["reference"]!.GetValue<string>());
        Assert.Equal("Patient/" + patientId, entries[2]!["resource"]!["patient"]!["reference"]!.GetValue<string>());
        Assert.DoesNotContain("[NAME_", json["entry"]![1]!["fullUrl"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_code_or_system_equal_to_a_learned_name_is_kept()
    {
        var result = Protect("""
            Note: {"resourceType":"Bundle","type":"collection","entry":[
              {"fullUrl":"urn:uuid:homer","resource":{"resourceType":"Patient","id":"homer","name":[{"given":["Homer"],"family":"Simpson"}]}},
              {"fullUrl":"urn:oid:1.2.3.4","resource":{"resourceType":"Observation","id":"o1","status":"final",
                "code":{"coding":[{"system":"http://example.org/simpson","code":"homer"}]},
                "subject":{"reference":"Patient/homer"},
                "extension":[{"url":"http://example.org/source","valueString":"urn:uuid:homer"}],
                "note":[{"text":"Homer Simpson says the pain is better"}]}}]}
            """);

        Assert.Contains("\"system\":\"http://example.org/simpson\",\"code\":\"homer\"", result, StringComparison.Ordinal);
        Assert.Matches(@"""reference"":""Patient/\[ID_\d+\]""", result);
        Assert.Matches(@"""fullUrl"":""urn:oid:\[ID_\d+\]""", result);
        Assert.Matches(@"""valueString"":""urn:uuid:\[ID_\d+\]""", result);
        Assert.DoesNotContain("Homer", result, StringComparison.Ordinal);
        Assert.DoesNotContain("Simpson", result, StringComparison.Ordinal);
        Assert.Contains("says the pain is better", result, StringComparison.Ordinal);
    }

    [Fact]
    public void A_device_loses_its_serial_lot_and_udi_carrier_and_keeps_its_kind()
    {
        const string Device = """
            Summarize: {"resourceType":"Device","id":"dv1","udiCarrier":[{"deviceIdentifier":"09504000059118",
              "carrierHRF":"(01)09504000059118(17)271231(10)LT77Q(21)SN40913A","carrierAIDC":"]d201095040000591181727123110LT77Q",
              "entryType":"barcode"}],"distinctIdentifier":"DX-55102","serialNumber":"SN40913A","lotNumber":"LT77Q",
              "deviceName":[{"name":"Knee prosthesis, cemented","type":"user-friendly-name"}],"status":"active"}
            """;

        var result = Protect(Device);

        foreach (var identifying in new[] { "SN40913A", "LT77Q", "DX-55102", "(21)", "]d2" })
        {
            Assert.DoesNotContain(identifying, result, StringComparison.Ordinal);
        }

        Assert.Contains("Knee prosthesis, cemented", result, StringComparison.Ordinal);
        Assert.Contains("\"entryType\":\"barcode\"", result, StringComparison.Ordinal);
    }

    [Fact]
    public void A_narrative_keeps_its_markup_readable_and_the_resource_stays_valid_json()
    {
        var result = Protect("""Summarize: {"resourceType":"Observation","status":"final","code":{"text":"BP"},"text":{"status":"generated","div":"<div class=\"n\">BP 128/76 &amp; stable</div>"}}""");

        Assert.True(result.Contains("<div class=\\\"n\\\">", StringComparison.Ordinal), result);
        Assert.DoesNotContain("\\u003C", result, StringComparison.Ordinal);
        var json = JsonNode.Parse(result["Summarize: ".Length..])!;
        Assert.Equal("<div class=\"n\">BP 128/76 &amp; stable</div>", (string?)json["text"]!["div"]);
    }

    [Fact]
    public void A_single_initial_is_not_learned_as_a_name()
    {
        var result = Protect("""
            Summarize: {"resourceType":"Patient","id":"p9","name":[{"given":["Wobble","A"],"family":"Lantern"}],
              "text":{"status":"generated","div":"<div>Wobble A Lantern. Plan A was tried.</div>"}}
            """);

        Assert.DoesNotContain("Wobble", result, StringComparison.Ordinal);
        Assert.Contains("Plan A was tried", result, StringComparison.Ordinal);
    }

    [Fact]
    public void Braces_in_the_words_before_the_json_and_broken_json_are_free_text()
    {
        var braces = Protect("""Fill {slot} and {"a":1} then: {"resourceType":"Patient","id":"p2","name":[{"given":["Wobble"]}]}""");
        Assert.StartsWith("Fill {slot} and {\"a\":1} then: {\"resourceType\":\"Patient\"", braces, StringComparison.Ordinal);
        Assert.DoesNotContain("Wobble", braces, StringComparison.Ordinal);

        var broken = """Summarize: {"resourceType":"Patient","id":"p2" """;
        Assert.Equal(broken, Protect(broken));
    }
}
