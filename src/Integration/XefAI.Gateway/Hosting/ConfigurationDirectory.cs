using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.EnvironmentVariables;

namespace XefAI.Gateway.Hosting;

/// <summary>
/// Reads <c>appsettings.json</c> and <c>appsettings.{Environment}.json</c> from one configuration folder
/// (mountable in a container), watched for edits. Environment variables and the command line still win,
/// so an operator can repoint a vendor with an ordinary ASP.NET Core variable. The folder holding
/// <c>config/</c> is the content root: relative paths in configuration (audit database, plugins) live beside it.
/// </summary>
internal static class ConfigurationDirectory
{
    /// <summary>Setting (or <c>XEFAI_CONFIG_DIR</c>) naming the folder; default <c>./config</c>, then the one beside the binaries.</summary>
    public const string SettingName = "XefAI:ConfigDirectory";

    /// <summary>Finds the configuration folder from the command line, the environment or the defaults.</summary>
    public static string Resolve(string[] args)
    {
        var early = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
        var configured = early[SettingName] ?? early["XEFAI_CONFIG_DIR"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        var local = Path.Combine(Directory.GetCurrentDirectory(), "config");
        return File.Exists(Path.Combine(local, "appsettings.json")) ? local : Path.Combine(AppContext.BaseDirectory, "config");
    }

    /// <returns>The watched files, so the host can report rejected edits once logging exists.</returns>
    public static IReadOnlyList<LastGoodJsonConfigurationSource> AddTo(ConfigurationManager configuration, IHostEnvironment environment, string directory)
    {
        var sources = configuration.Sources;
        var overrides = sources
            .Where(s => s is EnvironmentVariablesConfigurationSource { Prefix: null or "" } or CommandLineConfigurationSource)
            .ToList();
        foreach (var source in overrides)
        {
            sources.Remove(source);
        }

        var files = new List<LastGoodJsonConfigurationSource>(2);
        foreach (var (name, optional) in new[] { ("appsettings.json", false), ($"appsettings.{environment.EnvironmentName}.json", true) })
        {
            var file = new LastGoodJsonConfigurationSource { Path = Path.Combine(directory, name), Optional = optional, ReloadOnChange = true };
            file.ResolveFileProvider();
            ((IConfigurationBuilder)configuration).Add(file);
            files.Add(file);
        }

        foreach (var source in overrides)
        {
            sources.Add(source);
        }

        return files;
    }
}
