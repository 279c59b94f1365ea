using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;
using XefAI.Gateway.Tracing;

namespace XefAI.Gateway.Tests.Tracing;

public sealed class TracingRegistrationTests
{
    [Theory]
    [InlineData("http://collector:4318", "http/protobuf", "http://collector:4318/v1/traces")]
    [InlineData("http://collector:4318/otlp/", "http/protobuf", "http://collector:4318/otlp/v1/traces")]
    [InlineData("http://collector:4318/v1/traces", "http/protobuf", "http://collector:4318/v1/traces")]
    [InlineData("http://collector:4317", "grpc", "http://collector:4317/")]
    public void ExportUri_CompletesTheHttpPathOnly(string endpoint, string protocol, string expected) =>
        Assert.Equal(expected, TracingRegistration.ExportUri(endpoint, TracingRegistration.ParseProtocol(protocol)!.Value).ToString());

    [Theory]
    [InlineData("zipkin")]
    [InlineData("HTTP")]
    public void ParseProtocol_Unknown_RefusesToStart(string protocol) =>
        Assert.Contains("Telemetry:Otlp:Protocol", Assert.Throws<InvalidOperationException>(() => TracingRegistration.ParseProtocol(protocol)).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("ftp://collector")]
    [InlineData("collector:4317")]
    public void ExportUri_NotAnHttpAddress_RefusesToStart(string endpoint) =>
        Assert.Throws<InvalidOperationException>(() => TracingRegistration.ExportUri(endpoint, OtlpExportProtocol.Grpc));

    [Theory]
    [InlineData(null, null, null, false)]
    [InlineData(null, "http://127.0.0.1:4317", null, true)]
    [InlineData("false", "http://127.0.0.1:4317", null, false)]
    [InlineData("true", null, "http://127.0.0.1:4317", true)]
    [InlineData("false", null, "http://127.0.0.1:4317", false)]
    public void AddGatewayTracing_TracesOnlyWhenEnabledAndExporting(string? enabled, string? endpoint, string? standardEndpoint, bool traced)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [TracingRegistration.EnabledKey] = enabled,
            [TracingRegistration.EndpointKey] = endpoint,
            [TracingRegistration.StandardEndpointKey] = standardEndpoint,
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();

        services.AddGatewayTracing(configuration);

        using var provider = services.BuildServiceProvider();
        Assert.Equal(traced, provider.GetService<TracerProvider>() is not null);
    }
}
