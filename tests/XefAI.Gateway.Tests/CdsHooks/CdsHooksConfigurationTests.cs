using System.Text.Json.Nodes;
using XefAI.Gateway.Hosting;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.CdsHooks;

/// <summary>The cross-layer check of CDS services: each names a configured use case that has a prompt template.</summary>
public sealed class CdsHooksConfigurationTests
{
    [Theory]
    [InlineData("no-such-case", "names use case 'no-such-case', which is not in Governance:UseCases")]
    [InlineData("summary", "names use case 'summary', which has no PromptTemplate")]
    public async Task Start_ServiceNamingAUseCaseThatCannotAnswerAHook_RefusesToStartNamingIt(string useCase, string expected)
    {
        var error = await Assert.ThrowsAsync<GatewayConfigurationException>(() => GatewayHost.StartAsync(configuration =>
            configuration["CdsHooks"] = new JsonObject
            {
                ["Services"] = new JsonObject
                {
                    ["chart-review"] = new JsonObject { ["UseCase"] = useCase, ["Hook"] = "patient-view", ["Description"] = "Chart review." },
                },
            }));

        Assert.Contains($"CdsHooks:Services:chart-review {expected}", error.Message, StringComparison.Ordinal);
    }
}
