using Hl7.Fhir.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace XefAI.Data.Tests.Export;

public sealed class ExportRegistrationTests
{
    [Fact]
    public void AddXefAIData_ResolvesWorkingExporter()
    {
        using var provider = Services().AddXefAIData(Configuration()).BuildServiceProvider(validateScopes: true);

        var exporter = provider.GetRequiredService<IFhirAuditExporter>();

        FhirR4Validation.ParseValid<AuditEvent>(exporter.ToAuditEventJson(ExportSamples.Answered()));
    }

    [Fact]
    public void AddXefAIData_CalledTwice_RegistersExporterOnce()
    {
        var services = Services();

        services.AddXefAIData(Configuration()).AddXefAIData(Configuration());

        Assert.Single(services, d => d.ServiceType == typeof(IFhirAuditExporter));
    }

    private static ServiceCollection Services() => new();

    private static IConfiguration Configuration() =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Data:PseudonymSalt"] = "test-salt-0123456789" })
            .Build();
}
