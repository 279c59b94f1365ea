using XefAI.Gateway.Pipeline;

namespace XefAI.Gateway.Tests.Pipeline;

/// <summary>
/// The <c>gen_ai.response.model</c> label: a dated snapshot of the registered model keeps its name (OpenAI answers
/// "gpt-4o-mini" with "gpt-4o-mini-2024-07-18"); anything else the vendor names is <c>other</c>, so a vendor cannot
/// make new series.
/// </summary>
public sealed class ResponseModelLabelTests
{
    [Theory]
    [InlineData("gpt-4o-mini-2024-07-18", "gpt-4o-mini")]
    [InlineData("gpt-4-0613", "gpt-4")]
    public void IsSnapshotOf_DatedSnapshotOfTheRegisteredModel_True(string model, string registered) =>
        Assert.True(CallMeasurements.IsSnapshotOf(model, registered));

    [Theory]
    [InlineData("gpt-4o-mini", "gpt-4o-mini")]
    [InlineData("gpt-4o-mini-", "gpt-4o-mini")]
    [InlineData("gpt-4o-mini-2099-01-01-unlisted", "gpt-4o-mini")]
    [InlineData("gpt-4o-mini-2024-7-18", "gpt-4o-mini")]
    [InlineData("gpt-4o-mini-20240718", "gpt-4o-mini")]
    [InlineData("gpt-4o-mini-abcd", "gpt-4o-mini")]
    [InlineData("gpt-4o-2024-07-18", "gpt-4o-mini")]
    [InlineData("gpt-4o-mini2024-07-18", "gpt-4o-mini")]
    [InlineData("gpt-4o-mini-2024_07_18", "gpt-4o-mini")]
    public void IsSnapshotOf_AnythingElse_False(string model, string registered) =>
        Assert.False(CallMeasurements.IsSnapshotOf(model, registered));
}
