using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using XefAI.Gateway.Hosting;

namespace XefAI.Gateway.Tests.Hosting;

/// <summary>
/// ASP.NET Core's lines that quote a request (path, query, request line) stay below what any configuration can turn on,
/// a provider's own section included; everything else follows the configured levels.
/// </summary>
public sealed class RequestQuotingLogsTests
{
    [Theory]
    [InlineData("Logging:LogLevel:Default", "Trace")]
    [InlineData("Logging:LogLevel:Microsoft.AspNetCore", "Trace")]
    [InlineData("Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics", "Information")]
    [InlineData("Logging:LogLevel:Microsoft.AspNetCore.Routing.Matching.DfaMatcher", "Debug")]
    [InlineData("Logging:Fake:LogLevel:Default", "Trace")]
    [InlineData("Logging:Microsoft.Extensions.Logging.Testing.FakeLoggerProvider:LogLevel:Microsoft.AspNetCore.Server.Kestrel.BadRequests", "Debug")]
    public void HoldRequestQuotingLines_AnyConfiguredLevel_KeepsTheirInformationAndDebugLinesOut(string key, string level)
    {
        using var provider = Logging(new() { [key] = level, ["Logging:LogLevel:Microsoft.AspNetCore.Routing.EndpointMiddleware"] = "Debug" }, LogLevel.Warning);
        var loggers = provider.GetRequiredService<ILoggerFactory>();

        foreach (var category in RequestQuotingLogs.Categories)
        {
            var logger = loggers.CreateLogger(category);
            Assert.False(logger.IsEnabled(LogLevel.Information), $"{category} logs Information under {key}={level}");
            Assert.False(logger.IsEnabled(LogLevel.Debug), $"{category} logs Debug under {key}={level}");
            Assert.True(logger.IsEnabled(LogLevel.Warning), $"{category} lost its warnings under {key}={level}");
        }

        // The rest of ASP.NET Core still follows the configuration.
        Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.Routing.EndpointMiddleware").IsEnabled(LogLevel.Debug));
    }

    [Fact]
    public void HoldRequestQuotingLines_Untraced_SilencesTheHostingCategoryWhole()
    {
        using var provider = Logging(new() { ["Logging:LogLevel:Default"] = "Trace" }, LogLevel.None);
        var loggers = provider.GetRequiredService<ILoggerFactory>();

        Assert.False(loggers.CreateLogger(RequestQuotingLogs.HostingDiagnostics).IsEnabled(LogLevel.Critical));
        Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.Server.Kestrel.BadRequests").IsEnabled(LogLevel.Warning));
    }

    private static ServiceProvider Logging(Dictionary<string, string?> settings, LogLevel hostingLevel)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            logging.AddConfiguration(configuration.GetSection("Logging"));
            logging.AddProvider(new FakeLoggerProvider());
            logging.HoldRequestQuotingLines(hostingLevel);
        });
        return services.BuildServiceProvider();
    }
}
