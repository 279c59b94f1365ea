using System.Text.Json.Nodes;
using XefAI.Gateway.CdsHooks;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.CdsHooks;

/// <summary>
/// Control and bidirectional characters in a model's answer (hostile testing, round 28): a NUL or a right-to-left
/// override reached the card an EHR draws in front of a clinician, where "left" could read as "tfel" and a dose reorder.
/// </summary>
public sealed class CdsCardTextTests
{
    [Theory]
    [InlineData("Take 5 mg\u0000 daily.", true, "Take 5 mg daily.")]
    [InlineData("Line one\r\nLine two\rLine three\n\tindented", true, "Line one\nLine two\nLine three\n\tindented")]
    [InlineData("Line one\r\nLine two\tend", false, "Line one  Line two end")]
    [InlineData("Apply to the \u202eleft\u202c knee", true, "Apply to the left knee")]
    [InlineData("a\u200eb\u200fc\u061cd\u2066e\u2067f\u2068g\u2069h\u202ai\u202bj\u202dk", true, "abcdefghijk")]
    [InlineData("bell\u0007 del\u007f c1\u0085 esc\u001b[31m", false, "bell del c1 esc[31m")]
    [InlineData("Plain text, العربية and 日本語 stay.", true, "Plain text, العربية and 日本語 stay.")]
    [InlineData("war\u200bfarin\u2060 5\ufeff mg", false, "warfarin 5 mg")]
    [InlineData("One\u2028two\u2029three", true, "One\ntwo\nthree")]
    [InlineData("One\u2028two\u2029three", false, "One two three")]
    [InlineData("می\u200cخواهم and 👩\u200d⚕️ stay joined", true, "می\u200cخواهم and 👩\u200d⚕️ stay joined")]
    public void Clean_RemovesControlAndBidiCharacters(string text, bool multiline, string expected) =>
        Assert.Equal(expected, CdsCardText.Clean(text, multiline));

    [Fact]
    public async Task Call_AnswerWithNulAndBidiOverrides_TheCardHasNeitherButTheAuditedAnswerIsTheModels()
    {
        using var vendor = new FakeVendor().AnswersWith(
            200, FakeVendor.Completion("Reviewed: \u202eleft\u202c knee\u0000 pain.\r\nNo red flags\u2066.", model: "gpt-\u202e4o\u0000"));
        await using var host = await CdsChartReview.StartGatewayAsync(vendor);
        using var client = host.CreateClient();

        var call = await client.PostJsonAsync($"/cds-services/{CdsChartReview.Service}", new JsonObject
        {
            ["hook"] = "patient-view",
            ["hookInstance"] = Guid.NewGuid().ToString(),
            ["context"] = new JsonObject { ["userId"] = "Practitioner/123", ["patientId"] = "123" },
            ["prefetch"] = new JsonObject { ["patient"] = new JsonObject { ["resourceType"] = "Patient", ["id"] = "123" } },
        }.ToJsonString());

        Assert.Equal(200, call.Status);
        var card = call.Json["cards"]!.AsArray().Single()!;
        Assert.Equal("Reviewed: left knee pain.", (string?)card["summary"]);
        Assert.EndsWith("Reviewed: left knee pain.\nNo red flags.", (string?)card["detail"], StringComparison.Ordinal);
        Assert.StartsWith("gpt-4o", (string?)card["source"]!["label"], StringComparison.Ordinal);
        foreach (var text in Strings(card))
        {
            Assert.DoesNotContain(text, c => c is '\u0000' or '\u202e' or '\u202c' or '\u2066' or '\r');
        }
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Strings(p.Value)),
        JsonArray a => a.SelectMany(Strings),
        JsonValue v when v.TryGetValue<string>(out var s) => [s],
        _ => [],
    };
}
