using System.Text.Json.Nodes;
using XefAI.Testing;
using Adapter = XefAI.Gateway.CdsHooks.CdsServiceAdapter;

namespace XefAI.Gateway.Tests.CdsHooks;

/// <summary>
/// An answer the model did not finish (hostile testing, round 27): a card has no finish_reason, so an answer cut at
/// max_tokens, or stopped by a refusal, read as a whole one. Its detail now opens by saying so.
/// </summary>
public sealed class CdsHooksUnfinishedAnswerTests
{
    [Theory]
    [InlineData("length", Adapter.CutNotice)]
    [InlineData("content_filter", Adapter.FilteredNotice)]
    public async Task Call_AnswerNotFinished_TheCardsDetailSaysItIsIncomplete(string finishReason, string notice)
    {
        using var vendor = new FakeVendor().AnswersWith(200, Completion("Potassium is low. Recheck it", finishReason));
        await using var host = await CdsChartReview.StartGatewayAsync(vendor);
        using var client = host.CreateClient();

        var call = await client.PostJsonAsync($"/cds-services/{CdsChartReview.Service}", Request());

        Assert.Equal(200, call.Status);
        var card = call.Json["cards"]!.AsArray().Single()!;
        Assert.Equal($"{notice}\n\nPotassium is low. Recheck it", (string?)card["detail"]);
        Assert.Equal("Potassium is low.", (string?)card["summary"]);
    }

    [Fact]
    public async Task Call_AnswerFinished_TheCardsDetailIsTheAnswer()
    {
        using var vendor = new FakeVendor().AnswersWith(200, Completion("Potassium is low. Recheck it tomorrow.", "stop"));
        await using var host = await CdsChartReview.StartGatewayAsync(vendor);
        using var client = host.CreateClient();

        var call = await client.PostJsonAsync($"/cds-services/{CdsChartReview.Service}", Request());

        Assert.Equal(200, call.Status);
        Assert.Equal("Potassium is low. Recheck it tomorrow.", (string?)call.Json["cards"]!.AsArray().Single()!["detail"]);
    }

    private static string Completion(string content, string finishReason)
    {
        var completion = JsonNode.Parse(FakeVendor.Completion(content))!;
        completion["choices"]![0]!["finish_reason"] = finishReason;
        return completion.ToJsonString();
    }

    private static string Request() => new JsonObject
    {
        ["hook"] = "patient-view",
        ["hookInstance"] = Guid.NewGuid().ToString(),
        ["context"] = new JsonObject { ["userId"] = "Practitioner/123", ["patientId"] = "123" },
        ["prefetch"] = new JsonObject { ["patient"] = new JsonObject { ["resourceType"] = "Patient", ["id"] = "123" } },
    }.ToJsonString();
}
