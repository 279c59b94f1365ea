using XefAI.Gateway.Pipeline.Steps;
using XefAI.Gateway.Tests.Pipeline.TestSupport;
using XefAI.Governance;

namespace XefAI.Gateway.Tests.Pipeline.Steps;

public sealed class CheckOutputStepTests
{
    private readonly FakeMetrics _metrics = new();
    private readonly List<OutputCheckContext> _seen = [];

    [Fact]
    public async Task Execute_ACheckObjects_TheAnswerIsWithheld422WithItsReason()
    {
        await using var call = CallContexts.Answered("The patient's SSN is 123-45-6789.");
        var check = Check("no-ssn", new PolicyDenial("ssn_in_output", "The answer holds an SSN."));

        await new CheckOutputStep([check], _metrics).ExecuteAsync(call);

        Assert.Equal(422, call.Error?.StatusCode);
        Assert.Equal("ssn_in_output", call.Error!.Code);
        Assert.Equal("The answer holds an SSN.", call.Error.Message);
        Assert.Null(call.Answer);
        Assert.Equal(["ssn_in_output"], _metrics.Denials);
        var seen = Assert.Single(_seen);
        Assert.Equal("The patient's SSN is 123-45-6789.", seen.Text);
        Assert.Equal(TestConfig.AppId, seen.AppId);
        Assert.Same(TestConfig.Summary, seen.UseCase);
    }

    [Fact]
    public async Task Execute_TheFirstObjectionWins_LaterChecksAreNotAsked()
    {
        await using var call = CallContexts.Answered();

        await new CheckOutputStep([Check("first", new PolicyDenial("first_objection", "No.")), Check("second", new PolicyDenial("second_objection", "No."))], _metrics)
            .ExecuteAsync(call);

        Assert.Equal("first_objection", call.Error?.Code);
        Assert.Single(_seen);
    }

    [Fact]
    public async Task Execute_EveryCheckPasses_TheAnswerStands()
    {
        await using var call = CallContexts.Answered();
        var answer = call.Answer;

        await new CheckOutputStep([Check("a", null), Check("b", null)], _metrics).ExecuteAsync(call);

        Assert.Null(call.Error);
        Assert.Same(answer, call.Answer);
        Assert.Equal(2, _seen.Count);
        Assert.Empty(_metrics.Denials);
    }

    [Fact]
    public async Task Execute_StreamedAnswer_IsNotChecked()
    {
        await using var call = CallContexts.Governed();
        call.Stream = new TestAnswerStream([TestAnswerStream.Chunk("text")]);

        await new CheckOutputStep([Check("objects", new PolicyDenial("no", "No."))], _metrics).ExecuteAsync(call);

        Assert.Null(call.Error);
        Assert.Empty(_seen);
    }

    private IOutputCheck Check(string name, PolicyDenial? verdict) => PluginDoubles.OutputCheck(name, context =>
    {
        _seen.Add(context);
        return verdict;
    });
}
