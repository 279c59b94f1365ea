using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using static XefAI.Data.Tests.Deidentification.PhiScans;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>
/// What a resource's structured elements name (a reference's display, a name's text, an address line, a city) is found
/// again as the whole phrase in its narrative, notes and the words around it, in any script, with the token the
/// structured value got; the phrase's words alone are not learned.
/// </summary>
public sealed partial class FhirNarrativePhraseTests
{
    [Fact]
    public void A_performer_display_repeated_in_the_narrative_gets_the_display_token_and_its_words_stay_elsewhere()
    {
        var result = Protect("""
            {"resourceType":"Observation","id":"gen7","status":"final","code":{"text":"Gene panel"},
             "text":{"status":"generated","div":"<div><p><b>performer</b>: <a>Northfield Genomics Laboratory</a></p><p>Laboratory reference range applies.</p></div>"},
             "performer":[{"reference":"Practitioner/lab3","display":"Northfield Genomics Laboratory"}],
             "note":[{"text":"Sent to Northfield Genomics Laboratory for confirmation."}]}
            """);

        Assert.DoesNotContain("Northfield Genomics Laboratory", result, StringComparison.Ordinal);
        var json = JsonNode.Parse(result)!;
        var token = (string)json["performer"]![0]!["display"]!;
        Assert.Matches(NameToken(), token);
        Assert.Contains($"<a>{token}</a>", (string)json["text"]!["div"]!, StringComparison.Ordinal);
        Assert.Contains($"Sent to {token} for confirmation.", (string)json["note"]![0]!["text"]!, StringComparison.Ordinal);

        // The display's words are not names: "Laboratory" on its own is left as written.
        Assert.Contains("Laboratory reference range applies.", result, StringComparison.Ordinal);
    }

    [Fact]
    public void A_masked_display_repeated_in_the_narrative_is_replaced_whole()
    {
        var result = Protect("""
            {"resourceType":"Observation","id":"dip1","status":"final","code":{"text":"Diplotype"},
             "text":{"status":"generated","div":"<div><p><b>subject</b>: <a>K********* D*******</a></p></div>"},
             "subject":{"reference":"Patient/p77","display":"K********* D*******"}}
            """);

        Assert.DoesNotContain("K*********", result, StringComparison.Ordinal);
        var json = JsonNode.Parse(result)!;
        Assert.Contains($"<a>{(string)json["subject"]!["display"]!}</a>", (string)json["text"]!["div"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void A_chinese_address_name_and_birth_date_are_found_inside_the_narratives_unspaced_text()
    {
        var result = Protect("""
            {"resourceType":"Patient","id":"cn2","birthDate":"1968-03-07",
             "name":[{"text":"李秀英"}],
             "address":[{"line":["南京路88号"],"city":"杭州市","district":"西湖区","postalCode":"310000"}],
             "text":{"status":"generated","div":"<div><table><tr><td>李秀英</td></tr><tr><td>杭州市西湖区南京路88号, 1968年3月7日</td></tr><tr><td>邮编 310000</td></tr></table></div>"}}
            """);

        foreach (var value in new[] { "李秀英", "南京路88号", "杭州市", "西湖区", "1968年3月7日", "310000" })
        {
            Assert.DoesNotContain(value, result, StringComparison.Ordinal);
        }

        Assert.Contains("<table>", result, StringComparison.Ordinal);
    }

    [Fact]
    public void Family_and_given_written_together_are_found_as_one_chinese_name()
    {
        var result = Protect("""
            {"resourceType":"Patient","id":"cn3","name":[{"family":"王","given":["建国"]}],
             "text":{"status":"generated","div":"<div>患者王建国，复诊。</div>"}}
            """);

        Assert.DoesNotContain("王建国", result, StringComparison.Ordinal);
        Assert.DoesNotContain("建国", result, StringComparison.Ordinal);
        Assert.Contains("复诊", result, StringComparison.Ordinal);
    }

    [Fact]
    public void A_latin_phrase_is_found_whole_only_and_in_its_own_case()
    {
        // "Care Team" names the author; "the care team" and "Care Teams" are ordinary words.
        var result = Protect("""
            {"resourceType":"CarePlan","id":"cp4","status":"active","intent":"plan",
             "text":{"status":"generated","div":"<div>Written by Care Team. Discussed with the care team and other Care Teams.</div>"},
             "subject":{"reference":"Patient/p1"},
             "author":{"reference":"Practitioner/pr9","display":"Care Team"}}
            """);

        var json = JsonNode.Parse(result)!;
        var token = (string)json["author"]!["display"]!;
        Assert.Equal($"<div>Written by {token}. Discussed with the care team and other Care Teams.</div>", (string)json["text"]!["div"]!);
    }

    [Fact]
    public void The_words_around_the_json_find_the_address_line_and_telecom_too()
    {
        var result = Protect("""
            She lives at 17 Larkspur Close, phone 0612 998 771. {"resourceType":"Patient","id":"p5","name":[{"family":"Brannigan","given":["Olwen"]}],"telecom":[{"system":"phone","value":"0612 998 771"}],"address":[{"line":["17 Larkspur Close"],"city":"Dunmore"}]}
            """);

        Assert.DoesNotContain("Larkspur", result, StringComparison.Ordinal);
        Assert.DoesNotContain("0612 998 771", result, StringComparison.Ordinal);
        Assert.StartsWith("She lives at [", result.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public void Text_without_fhir_json_is_not_changed_by_phrases_of_another_call()
    {
        var protector = Protector.Begin(ClinicalContext.Empty);
        _ = protector.Protect("""{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"x"},"performer":[{"reference":"Practitioner/pr1","display":"Harbour View Clinic"}]}""");

        var other = Protect("Referred to Harbour View Clinic for review.");

        Assert.Contains("Harbour View Clinic", other, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^\[NAME_\d+\]$")]
    private static partial Regex NameToken();
}
