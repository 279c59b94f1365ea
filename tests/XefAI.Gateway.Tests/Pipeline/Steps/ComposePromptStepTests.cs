using XefAI.Data;
using XefAI.Gateway.Pipeline.Steps;
using XefAI.Gateway.Tests.Pipeline.TestSupport;
using XefAI.Governance;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.Tests.Pipeline.Steps;

public sealed class ComposePromptStepTests
{
    private static readonly UseCase Templated = TestConfig.Summary with { PromptTemplate = new PromptTemplateReference("discharge-summary", "2.1") };

    private static readonly Dictionary<string, string> Parameters = new() { ["audience"] = "patient" };

    private readonly FakeTemplateCatalog _templates = new((name, version, context, parameters) => new RenderedPrompt(
        name, version, new string('a', 64), "You summarize charts.", $"Facts: {context.Facts.Count}; audience: {parameters["audience"]}"));

    [Fact]
    public async Task Execute_NoTaskParameters_TheCallersConversationAndBodyGoAsTheyAre()
    {
        var request = CallContexts.Chat(TestConfig.Summary.Id, "Summarize: stable.");
        await using var call = Resolved(request, TestConfig.Summary);

        await new ComposePromptStep(_templates).ExecuteAsync(call);

        Assert.Null(call.Error);
        Assert.Same(request.Messages, call.Messages);
        Assert.Same(request.Body, call.VendorBody);
        Assert.Null(call.Prompt);
        Assert.Equal(0, _templates.Renders);
    }

    [Fact]
    public async Task Execute_NoTaskParametersAndNoBodyFromTheProtocol_TheVendorBodyIsWrittenFromTheConversation()
    {
        var request = new GatewayRequest(TestConfig.VendorChat.Id, CallOperation.Chat)
        {
            Messages = [new ChatMessage("system", "Be brief."), new ChatMessage("user", "Which clinic is open?", "front-desk")],
            Options = new ChatOptions(Temperature: 0.5, TopP: 0.9, MaxTokens: 64, Stop: ["END"]),
        };
        await using var call = Resolved(request, TestConfig.VendorChat);

        await new ComposePromptStep(_templates).ExecuteAsync(call);

        Assert.Null(call.Error);
        Assert.Same(request.Messages, call.Messages);
        Assert.Equal(
            """{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Which clinic is open?","name":"front-desk"}],"max_tokens":64,"temperature":0.5,"top_p":0.9,"stop":["END"]}""",
            call.VendorBody?.ToJsonString());
        Assert.Equal(0, _templates.Renders);
    }

    [Fact]
    public async Task Execute_EmbeddingsWithoutBody_GetNoChatBody()
    {
        await using var call = Resolved(new GatewayRequest(TestConfig.Summary.Id, CallOperation.Embeddings), TestConfig.Summary);

        await new ComposePromptStep(_templates).ExecuteAsync(call);

        Assert.Null(call.Error);
        Assert.Null(call.VendorBody);
    }

    [Fact]
    public async Task Execute_TaskParameters_TheUseCasesTemplateWritesTheConversationAndBody()
    {
        var request = new GatewayRequest(Templated.Id, CallOperation.Chat)
        {
            TaskParameters = Parameters,
            Options = new ChatOptions(Temperature: 0.2, MaxTokens: 300),
        };
        await using var call = Resolved(request, Templated);
        call.Clinical = new ClinicalContext([new ClinicalFact("Condition", "Asthma")], [], null, 1);

        await new ComposePromptStep(_templates).ExecuteAsync(call);

        Assert.Null(call.Error);
        Assert.Equal(1, _templates.Renders);
        Assert.Equal("discharge-summary", call.Prompt?.TemplateName);
        Assert.Equal("2.1", call.Prompt?.TemplateVersion);
        Assert.Equal(
            [new ChatMessage("system", "You summarize charts."), new ChatMessage("user", "Facts: 1; audience: patient")],
            call.Messages);
        var messages = call.VendorBody!["messages"]!.AsArray();
        Assert.Equal("system", (string?)messages[0]!["role"]);
        Assert.Equal("You summarize charts.", (string?)messages[0]!["content"]);
        Assert.Equal("Facts: 1; audience: patient", (string?)messages[1]!["content"]);
        Assert.Equal(300, (int?)call.VendorBody["max_tokens"]);
        Assert.Equal(0.2, (double?)call.VendorBody["temperature"]);
    }

    [Fact]
    public async Task Execute_TaskParametersForAUseCaseWithoutTemplate_Refuses400()
    {
        await using var call = Resolved(new GatewayRequest(TestConfig.Summary.Id, CallOperation.Chat) { TaskParameters = Parameters }, TestConfig.Summary);

        await new ComposePromptStep(_templates).ExecuteAsync(call);

        Assert.Equal(400, call.Error?.StatusCode);
        Assert.Equal("use_case_has_no_template", call.Error!.Code);
        Assert.Equal(0, _templates.Renders);
    }

    [Theory]
    [InlineData(PromptTemplateErrors.ParameterMissing, "audience", 400, "parameters.audience")]
    [InlineData(PromptTemplateErrors.ParameterUndeclared, null, 400, "parameters")]
    [InlineData(PromptTemplateErrors.TemplateNotFound, null, 503, null)]
    public async Task Execute_TemplateCannotRender_RefusedAsTheCallersOrTheConfigurationsFault(
        string code, string? parameter, int status, string? param)
    {
        var templates = new FakeTemplateCatalog((_, _, _, _) => throw new PromptTemplateException(code, "Cannot render.", parameter));
        await using var call = Resolved(new GatewayRequest(Templated.Id, CallOperation.Chat) { TaskParameters = Parameters }, Templated);

        await new ComposePromptStep(templates).ExecuteAsync(call);

        Assert.Equal(status, call.Error?.StatusCode);
        Assert.Equal(code, call.Error!.Code);
        Assert.Equal(param, call.Error.Param);
        Assert.Null(call.Prompt);
        Assert.Null(call.VendorBody);
    }

    private static Gateway.Pipeline.CallContext Resolved(GatewayRequest request, UseCase useCase)
    {
        var call = CallContexts.Translated(request);
        call.UseCase = useCase;
        return call;
    }
}
