using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using OpenAI;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>A .NET workflow app calls the gateway through Semantic Kernel's OpenAI connector, unchanged.</summary>
public sealed class SemanticKernelClientTests
{
    [Fact]
    public async Task SemanticKernel_ChatCompletion_ThroughGateway_ReturnsVendorAnswer()
    {
        using var vendor = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(vendor.Configure));
        using var http = new HttpClient();
        var chat = CreateChatService(host, http, GatewayHost.ClientKey, "vendor-chat");
        var history = new ChatHistory("You draft patient portal replies.");
        history.AddUserMessage("Can I move my appointment to Friday?");

        var answer = await chat.GetChatMessageContentAsync(history);

        Assert.Equal("\n\nHello there, how may I assist you today?", answer.Content);
        Assert.Equal("vendor-chat", answer.ModelId);
        Assert.Equal(1, vendor.CallCount);
        Assert.Equal("gpt-4o-mini", (string?)vendor.LastRequestBody["model"]);
        Assert.Equal($"Bearer {GatewayHost.VendorKey}", vendor.LastRequestHeaders["Authorization"].Single());
    }

    [Fact]
    public async Task SemanticKernel_LocalUseCase_AnswersWithoutAnyVendor()
    {
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa());
        using var http = new HttpClient();
        var chat = CreateChatService(host, http, GatewayHost.ClientKey, "summary");
        var history = new ChatHistory();
        history.AddUserMessage("Admitted for cellulitis of the left leg. Treated with cefazolin 2 g every eight hours. Discharge plan: cephalexin for seven days.");

        var answer = await chat.GetChatMessageContentAsync(history);

        Assert.Contains("cephalexin", answer.Content, StringComparison.Ordinal);
        Assert.Contains("not a language model", answer.Content, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task SemanticKernel_UseCaseNotGranted_SurfacesGatewayMessage()
    {
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa());
        using var http = new HttpClient();
        var chat = CreateChatService(host, http, GatewayHost.OtherClientKey, "vendor-chat");

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => chat.GetChatMessageContentAsync("hello"));

        Assert.Equal(System.Net.HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Contains("not granted", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Semantic Kernel's OpenAI chat service pointed at the gateway, as a workflow app configures it.</summary>
    private static OpenAIChatCompletionService CreateChatService(GatewayHost host, HttpClient http, string key, string useCase) =>
        new(useCase, new OpenAIClient(
            new ApiKeyCredential(key),
            new OpenAIClientOptions { Endpoint = new Uri(host.Address, "/v1"), Transport = new HttpClientPipelineTransport(http) }));
}
