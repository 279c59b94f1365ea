using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;
using OpenAI.Chat;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>The official OpenAI .NET SDK pointed at a test gateway, as an app would use it.</summary>
internal static class OfficialSdk
{
    /// <summary>A chat client for use case <c>vendor-chat</c> with the test app's key, over <paramref name="http"/> (the caller disposes of it).</summary>
    public static ChatClient ChatClient(GatewayHost host, out HttpClient http)
    {
        http = new HttpClient();
        return new ChatClient(
            "vendor-chat",
            new ApiKeyCredential(GatewayHost.ClientKey),
            new OpenAIClientOptions { Endpoint = new Uri(host.Address, "/v1"), Transport = new HttpClientPipelineTransport(http) });
    }
}
