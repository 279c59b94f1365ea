using XefAI.Gateway.Pipeline.Steps;
using XefAI.Gateway.Tests.Pipeline.TestSupport;
using XefAI.Integration;

namespace XefAI.Gateway.Tests.Pipeline.Steps;

public sealed class ResolveUseCaseStepTests
{
    private readonly ResolveUseCaseStep _step = new();

    [Fact]
    public async Task Execute_GrantedUseCase_IsResolved()
    {
        await using var call = CallContexts.Translated(new GatewayRequest(TestConfig.VendorChat.Id, CallOperation.Chat));

        await _step.ExecuteAsync(call);

        Assert.Null(call.Error);
        Assert.Same(TestConfig.VendorChat, call.UseCase);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task Execute_NoUseCaseNamed_Refuses400OnTheAdaptersParameter(string? useCase)
    {
        await using var call = CallContexts.Translated(new GatewayRequest(useCase, CallOperation.Chat) { UseCaseParam = "task" });

        await _step.ExecuteAsync(call);

        Assert.Equal(400, call.Error?.StatusCode);
        Assert.Equal("missing_required_parameter", call.Error!.Code);
        Assert.Equal("task", call.Error.Param);
        Assert.Null(call.UseCase);
    }

    [Fact]
    public async Task Execute_UnknownUseCase_Refuses404()
    {
        await using var call = CallContexts.Translated(new GatewayRequest("no-such-case", CallOperation.Chat) { UseCaseParam = "model" });

        await _step.ExecuteAsync(call);

        Assert.Equal(404, call.Error?.StatusCode);
        Assert.Equal("model_not_found", call.Error!.Code);
        Assert.Equal("model", call.Error.Param);
        Assert.Null(call.UseCase);
    }

    [Fact]
    public async Task Execute_UnknownUseCase_IsNamedInTheErrorOnlyWhenShortAndPlain()
    {
        await using var plain = CallContexts.Translated(new GatewayRequest("no-such-case", CallOperation.Chat));
        await using var huge = CallContexts.Translated(new GatewayRequest(new string('m', 500_000), CallOperation.Chat));
        await using var pasted = CallContexts.Translated(new GatewayRequest("Maria Gonzalez, DOB 04/17/1961", CallOperation.Chat));
        await using var ssn = CallContexts.Translated(new GatewayRequest("987-65-4321", CallOperation.Chat));
        await using var mrn = CallContexts.Translated(new GatewayRequest("mrn-4471923", CallOperation.Chat));

        await _step.ExecuteAsync(plain);
        await _step.ExecuteAsync(huge);
        await _step.ExecuteAsync(pasted);
        await _step.ExecuteAsync(ssn);
        await _step.ExecuteAsync(mrn);

        Assert.Contains("'no-such-case'", plain.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(404, huge.Error?.StatusCode);
        Assert.True(huge.Error!.Message.Length < 200, $"the error echoed {huge.Error.Message.Length} characters");
        Assert.Equal(404, pasted.Error?.StatusCode);
        Assert.DoesNotContain("Gonzalez", pasted.Error!.Message, StringComparison.Ordinal);

        // Plain characters, but a value's shape: an SSN, a run of digits.
        Assert.DoesNotContain("987", ssn.Error!.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("4471923", mrn.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_UseCaseNotGrantedToTheApp_Refuses403AndKeepsTheUseCaseForTheRecord()
    {
        await using var call = CallContexts.Translated(new GatewayRequest(TestConfig.Ungranted.Id, CallOperation.Chat));

        await _step.ExecuteAsync(call);

        Assert.Equal(403, call.Error?.StatusCode);
        Assert.Equal("use_case_not_granted", call.Error!.Code);
        Assert.Contains(TestConfig.Ungranted.Owner, call.Error.Message, StringComparison.Ordinal);
        Assert.Same(TestConfig.Ungranted, call.UseCase);
    }
}
