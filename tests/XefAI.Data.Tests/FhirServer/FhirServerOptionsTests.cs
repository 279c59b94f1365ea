using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using XefAI.Data.FhirServer;

namespace XefAI.Data.Tests.FhirServer;

public sealed class FhirServerOptionsTests
{
    [Fact]
    public void AddXefAIData_DefaultFhirServerSection_ResolvesTheClient()
    {
        using var provider = BuildProvider([]);

        provider.GetRequiredService<IStartupValidator>().Validate();

        Assert.IsType<FhirServerClient>(provider.GetRequiredService<IFhirServerClient>());
        Assert.Equal(TimeSpan.FromSeconds(10), provider.GetRequiredService<IOptions<FhirServerOptions>>().Value.RequestTimeout);
    }

    [Fact]
    public void AddXefAIData_BadFhirServerValues_RefusesToStartNamingEachOne()
    {
        using var provider = BuildProvider(new()
        {
            ["Data:FhirServer:RequestTimeout"] = "00:00:00",
            ["Data:FhirServer:MaxPages"] = "0",
            ["Data:FhirServer:MaxResponseBytes"] = "10",
        });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Data:FhirServer:RequestTimeout", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Data:FhirServer:MaxPages", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Data:FhirServer:MaxResponseBytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_FetchTimeoutShorterThanRequestTimeout_Fails()
    {
        var result = new FhirServerOptionsValidator().Validate(
            null, new FhirServerOptions { RequestTimeout = TimeSpan.FromSeconds(20), FetchTimeout = TimeSpan.FromSeconds(10) });

        Assert.True(result.Failed);
        Assert.Contains("Data:FhirServer:FetchTimeout", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void FhirServerRequest_ToString_HoldsNeitherTokenNorQueries()
    {
        var request = FhirServerClients.Request("https://ehr.example.org/fhir/R4", "s3cret-token", "Patient/homer");

        var text = request.ToString();

        Assert.Contains("https://ehr.example.org", text, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", text, StringComparison.Ordinal);
        Assert.DoesNotContain("homer", text, StringComparison.Ordinal);
    }

    private static ServiceProvider BuildProvider(Dictionary<string, string?> values)
    {
        values["Data:PseudonymSalt"] = "test-salt-0123456789";
        var services = new ServiceCollection();
        services.AddXefAIData(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
