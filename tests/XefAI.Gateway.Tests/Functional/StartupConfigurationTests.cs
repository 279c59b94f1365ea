using System.Diagnostics;
using System.Text.Json.Nodes;
using XefAI.Gateway.Hosting;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// The built gateway started as an operator starts it: a bad configuration is one readable message and exit
/// code 1, never a crash with a stack trace; the container health check finds the port the gateway listens on.
/// </summary>
public sealed class StartupConfigurationTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "xefai-tests", Guid.NewGuid().ToString("N"));

    private string ConfigDirectory => Path.Combine(_directory, "config");

    public StartupConfigurationTests() => Directory.CreateDirectory(ConfigDirectory);

    [Fact]
    public async Task Start_ConfigFolderWithoutAppsettings_ExitsWithCode1AndNamesTheFile()
    {
        await using var gateway = StartProduction();

        Assert.Equal(1, await gateway.WaitForExitAsync());
        Assert.Contains(Path.Combine(ConfigDirectory, "appsettings.json"), gateway.StandardError, StringComparison.Ordinal);
        Assert.Contains("does not exist", gateway.StandardError, StringComparison.Ordinal);
        AssertNoStackTrace(gateway.StandardError + gateway.StandardOutput);
    }

    [Fact]
    public async Task Start_InvalidOptionsOfSeveralSections_ExitsWithCode1AndListsEveryProblem()
    {
        var configuration = GatewayHost.DefaultConfiguration(_directory);
        configuration["Gateway"]!["MaxRequestBodyBytes"] = -1;
        configuration["Gateway"]!["Clients"]!["test-app"]!["ApiKeySha256"] = "not-a-hash";
        configuration["Gateway"]!["Resilience"] = new JsonObject { ["MaxRetries"] = 99 };
        configuration["Data"]!.AsObject().Remove("PseudonymSalt");
        await WriteAsync(configuration);
        await using var gateway = StartProduction();

        Assert.Equal(1, await gateway.WaitForExitAsync());
        var error = gateway.StandardError;
        Assert.Contains("Gateway:MaxRequestBodyBytes", error, StringComparison.Ordinal);
        Assert.Contains("Gateway:Clients:test-app:ApiKeySha256", error, StringComparison.Ordinal);
        Assert.Contains("Gateway:Resilience:MaxRetries", error, StringComparison.Ordinal);
        Assert.Contains("Data:PseudonymSalt", error, StringComparison.Ordinal);
        AssertNoStackTrace(error + gateway.StandardOutput);
    }

    [Fact]
    public async Task Start_ConfigurationDoesNotParse_ExitsWithCode1AndNamesTheFile()
    {
        await File.WriteAllTextAsync(Path.Combine(ConfigDirectory, "appsettings.json"), "{ \"Gateway\": ");
        await using var gateway = StartProduction();

        Assert.Equal(1, await gateway.WaitForExitAsync());
        Assert.Contains("does not parse", gateway.StandardError, StringComparison.Ordinal);
        AssertNoStackTrace(gateway.StandardError + gateway.StandardOutput);
    }

    [Fact]
    public async Task Start_UseCaseNamesAMissingPromptTemplate_ExitsWithCode1AndNamesTemplateAndFolder()
    {
        var configuration = GatewayHost.DefaultConfiguration(_directory);
        configuration["Governance"]!["UseCases"]!["summary"]!["PromptTemplate"] = new JsonObject { ["Id"] = "discharge-summary", ["Version"] = "1" };
        await WriteAsync(configuration);
        await using var gateway = StartProduction();

        Assert.Equal(1, await gateway.WaitForExitAsync());
        Assert.Contains("Governance:UseCases:summary names prompt template discharge-summary/1", gateway.StandardError, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(ConfigDirectory, "prompts"), gateway.StandardError, StringComparison.Ordinal);
        AssertNoStackTrace(gateway.StandardError + gateway.StandardOutput);
    }

    [Fact]
    public async Task Start_MalformedPromptTemplate_ExitsWithCode1AndListsItsProblem()
    {
        await WriteAsync(GatewayHost.DefaultConfiguration(_directory));
        var template = Path.Combine(ConfigDirectory, "prompts", "discharge-summary", "1.json");
        Directory.CreateDirectory(Path.GetDirectoryName(template)!);
        await File.WriteAllTextAsync(template, """{"system": ["Summarize."], "user": ["{{$context_facts}}"], "temperature": 0.2}""");
        await using var gateway = StartProduction();

        Assert.Equal(1, await gateway.WaitForExitAsync());
        Assert.Contains("Data:PromptsPath:", gateway.StandardError, StringComparison.Ordinal);
        Assert.Contains("temperature", gateway.StandardError, StringComparison.Ordinal);
        AssertNoStackTrace(gateway.StandardError + gateway.StandardOutput);
    }

    [Fact]
    public async Task Start_ProductionWithoutClients_LogsAWarning()
    {
        var configuration = GatewayHost.DefaultConfiguration(_directory);
        configuration["Gateway"]!["Clients"] = new JsonObject();
        await WriteAsync(configuration);
        await using var gateway = StartProduction();

        await gateway.WaitUntilHealthyAsync();

        await AdminCalls.WaitUntilAsync(
            () => Task.FromResult(gateway.StandardOutput.Contains("No client apps are configured", StringComparison.Ordinal)),
            "the no-clients warning");
        Assert.Contains("warn:", gateway.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthCheck_GatewayListensOnAspNetCoreUrlsPort_ProbeFindsItAndReportsHealthy()
    {
        await WriteAsync(GatewayHost.DefaultConfiguration(_directory));
        await using var gateway = StartProduction(urlsInEnvironment: true);
        await gateway.WaitUntilHealthyAsync();

        // The probe runs as the container's HEALTHCHECK does: no URL, only the container's environment.
        var probe = Process.Start(new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "XefAI.Gateway.dll"), "--healthcheck" },
            Environment = { ["ASPNETCORE_URLS"] = $"http://+:{gateway.Port}" },
            RedirectStandardError = true,
        })!;
        var error = await probe.StandardError.ReadToEndAsync();
        await probe.WaitForExitAsync();

        Assert.True(probe.ExitCode == 0, $"the health probe failed: {error}");
    }

    [Theory]
    [InlineData(new string[0], null, null, "http://localhost:8080/healthz")]
    [InlineData(new[] { "http://gateway.example:9000/healthz" }, null, null, "http://gateway.example:9000/healthz")]
    [InlineData(new string[0], "http://+:5000", null, "http://localhost:5000/healthz")]
    [InlineData(new string[0], "https://*:8443;http://*:5001", null, "http://localhost:5001/healthz")]
    [InlineData(new string[0], "http://0.0.0.0:5002/", null, "http://localhost:5002/healthz")]
    [InlineData(new string[0], "http://[::]:5003", null, "http://localhost:5003/healthz")]
    [InlineData(new string[0], "http://127.0.0.1:5004", null, "http://127.0.0.1:5004/healthz")]
    [InlineData(new string[0], null, "9090;9091", "http://localhost:9090/healthz")]
    [InlineData(new[] { "--urls=http://+:7000" }, "http://+:5000", null, "http://localhost:7000/healthz")]
    [InlineData(new[] { "--urls", "http://*:7001" }, null, "9090", "http://localhost:7001/healthz")]
    public void ResolveUrl_ListeningAddressSettings_ProbesWhereTheGatewayListens(string[] args, string? urls, string? httpPorts, string expected)
    {
        var environment = new Dictionary<string, string?> { ["ASPNETCORE_URLS"] = urls, ["ASPNETCORE_HTTP_PORTS"] = httpPorts };

        Assert.Equal(expected, HealthProbe.ResolveUrl(args, name => environment.GetValueOrDefault(name)));
    }

    [Fact]
    public void Dockerfile_Image_LeavesOutTheDevelopmentConfiguration()
    {
        var root = GatewayHost.RepositoryRoot;
        var dockerfile = File.ReadAllLines(Path.Combine(root, "Dockerfile"));
        var ignored = File.ReadAllLines(Path.Combine(root, ".dockerignore")).Select(l => l.Trim());

        Assert.Contains("config/appsettings.Development.json", ignored);
        var configCopies = dockerfile.Where(l => l.StartsWith("COPY", StringComparison.Ordinal) && l.Contains(" config/", StringComparison.Ordinal)).ToList();
        Assert.Equal(["COPY config/appsettings.json config/"], configCopies);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean; the result stands.
        }
    }

    private GatewayProcess StartProduction(bool urlsInEnvironment = false) => GatewayProcess.Start(
        ["--environment=Production", $"--{ConfigurationDirectory.SettingName}={ConfigDirectory}", $"--{ConfigurationDirectory.WatchSettingName}=false"],
        urlsInEnvironment: urlsInEnvironment);

    private Task WriteAsync(JsonObject configuration) =>
        File.WriteAllTextAsync(Path.Combine(ConfigDirectory, "appsettings.json"), configuration.ToJsonString());

    private static void AssertNoStackTrace(string output)
    {
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception:", output, StringComparison.Ordinal);
    }
}
