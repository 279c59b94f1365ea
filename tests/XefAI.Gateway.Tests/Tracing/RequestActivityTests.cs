using Microsoft.Extensions.Configuration;
using XefAI.Gateway.Hosting;

namespace XefAI.Gateway.Tests.Tracing;

/// <summary>
/// With nobody tracing, ASP.NET Core's per-request Activity is avoided by silencing its hosting category, but only where
/// the configured levels drop that category's per-request Information lines anyway.
/// </summary>
public sealed class RequestActivityTests
{
    [Theory]
    [InlineData(null, null, null, true)]
    [InlineData("Information", "Warning", null, false)]
    [InlineData("Information", "Information", null, true)]
    [InlineData("Warning", null, null, false)]
    [InlineData("Debug", null, null, true)]
    [InlineData("Information", "Warning", "Information", true)]
    [InlineData("Information", "Debug", "None", false)]
    [InlineData("Information", "warning", null, false)]
    public void RequestLinesLogged_FollowsTheLongestConfiguredPrefixOfTheHostingCategory(
        string? defaultLevel, string? aspNetCoreLevel, string? hostingDiagnosticsLevel, bool expected)
    {
        var settings = new Dictionary<string, string?>();
        if (defaultLevel is not null)
        {
            settings["Logging:LogLevel:Default"] = defaultLevel;
        }

        if (aspNetCoreLevel is not null)
        {
            settings["Logging:LogLevel:Microsoft.AspNetCore"] = aspNetCoreLevel;
        }

        if (hostingDiagnosticsLevel is not null)
        {
            settings["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = hostingDiagnosticsLevel;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

        Assert.Equal(expected, GatewayApp.RequestLinesLogged(configuration));
    }
}
