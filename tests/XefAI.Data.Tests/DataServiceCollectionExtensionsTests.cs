using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using XefAI.Data.Configuration;
using XefAI.Data.Fhir;
using XefAI.Data.Tests.Fhir;

namespace XefAI.Data.Tests;

public sealed class DataServiceCollectionExtensionsTests
{
    [Fact]
    public void AddXefAIData_WithSalt_ResolvesWorkingServices()
    {
        using var provider = BuildProvider("test-salt-0123456789");

        provider.GetRequiredService<IStartupValidator>().Validate();
        var context = provider.GetRequiredService<IClinicalContextBuilder>().Build([TestBundles.Discharge, "Summarize."]);
        var pseudonym = provider.GetRequiredService<IPatientPseudonymizer>().Pseudonymize(context.PatientReference!);

        Assert.Equal(8, context.Facts.Count);
        Assert.Equal(["Summarize."], context.FreeText);
        Assert.Equal("pp-04cbbe9ab2ab074fb1bf0fb389622274", pseudonym);
    }

    [Fact]
    public void AddXefAIData_MissingSalt_RefusesToStartWithClearMessage()
    {
        using var provider = BuildProvider(salt: null);

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Data:PseudonymSalt is missing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddXefAIData_ShortSalt_RefusesToStartWithoutEchoingIt()
    {
        using var provider = BuildProvider("s3cret");

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Data:PseudonymSalt is too short (6 characters); use at least 16.", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddXefAIData_CalledTwice_RegistersEachServiceOnce()
    {
        var configuration = ConfigurationWith("test-salt-0123456789");
        var services = new ServiceCollection();

        services.AddXefAIData(configuration).AddXefAIData(configuration);

        Assert.Single(services, d => d.ServiceType == typeof(IClinicalContextBuilder));
        Assert.Single(services, d => d.ServiceType == typeof(IPatientPseudonymizer));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<DataOptions>));
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IClinicalContextSource));
    }

    private static ServiceProvider BuildProvider(string? salt)
    {
        var services = new ServiceCollection();
        services.AddXefAIData(ConfigurationWith(salt));

        // What the host's assembly scan contributes.
        services.AddSingleton<IClinicalContextSource, FhirResourceSource>();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static IConfiguration ConfigurationWith(string? salt) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Data:PseudonymSalt"] = salt })
            .Build();
}
