using System.Text.Json.Nodes;
using XefAI.Gateway.Pipeline.Steps;
using XefAI.Gateway.Tests.Pipeline.TestSupport;
using XefAI.Governance;
using XefAI.Integration;

namespace XefAI.Gateway.Tests.Pipeline.Steps;

public sealed class BufferCheckedStreamStepTests
{
    private readonly FakeMetrics _metrics = new();

    [Fact]
    public async Task Execute_StreamOfAUseCaseACheckAppliesTo_IsAskedOfTheModelAsOneBody()
    {
        await using var call = CallContexts.Governed(StreamRequest(includeUsage: true));

        await new BufferCheckedStreamStep([Check(appliesTo: null)]).ExecuteAsync(call);

        Assert.Null(call.Error);
        Assert.Equal(new Gateway.Pipeline.CheckedStream(IncludeUsage: true), call.CheckedStream);
        Assert.False(call.Request!.Stream);
        Assert.False(call.Request.Options.IncludeUsage);
        var body = call.Request.Body!;
        Assert.False((bool)body["stream"]!);
        Assert.False(body.ContainsKey("stream_options"));
    }

    [Fact]
    public async Task Execute_NoCheckAppliesToTheUseCase_TheStreamIsLeftAsItIs()
    {
        await using var call = CallContexts.Governed(StreamRequest(includeUsage: true));

        await new BufferCheckedStreamStep([Check(appliesTo: u => u.Id != TestConfig.Summary.Id)]).ExecuteAsync(call);

        Assert.Null(call.CheckedStream);
        Assert.True(call.Request!.Stream);
        Assert.True(call.Request.Options.IncludeUsage);
        Assert.True((bool)call.Request.Body!["stream"]!);
        Assert.True(call.Request.Body.ContainsKey("stream_options"));
    }

    [Fact]
    public async Task Execute_NoCheckAtAll_TheStreamIsLeftAsItIs()
    {
        await using var call = CallContexts.Governed(StreamRequest(includeUsage: false));

        await new BufferCheckedStreamStep([]).ExecuteAsync(call);

        Assert.Null(call.CheckedStream);
        Assert.True(call.Request!.Stream);
    }

    [Fact]
    public async Task Execute_UnstreamedRequest_IsNotMarked()
    {
        await using var call = CallContexts.Governed();

        await new BufferCheckedStreamStep([Check(appliesTo: null)]).ExecuteAsync(call);

        Assert.Null(call.CheckedStream);
        Assert.False(call.Request!.Body!.ContainsKey("stream"));
    }

    [Fact]
    public async Task CheckOutput_ACheckThatDoesNotApplyToTheUseCase_IsNotAsked()
    {
        await using var call = CallContexts.Answered("Forbidden words.");
        var asked = 0;
        var check = PluginDoubles.OutputCheck(
            "elsewhere",
            _ =>
            {
                asked++;
                return new PolicyDenial("no", "No.");
            },
            u => u.Id != TestConfig.Summary.Id);

        await new CheckOutputStep([check], _metrics).ExecuteAsync(call);

        Assert.Null(call.Error);
        Assert.NotNull(call.Answer);
        Assert.Equal(0, asked);
    }

    private static IOutputCheck Check(Func<UseCase, bool>? appliesTo) => PluginDoubles.OutputCheck("test", _ => null, appliesTo);

    private static GatewayRequest StreamRequest(bool includeUsage)
    {
        var request = CallContexts.Chat(TestConfig.Summary.Id, "Summarize: stable, discharged home.");
        var body = request.Body!;
        body["stream"] = true;
        if (includeUsage)
        {
            body["stream_options"] = new JsonObject { ["include_usage"] = true };
        }

        return request with { Options = request.Options with { Stream = true, IncludeUsage = includeUsage } };
    }
}
