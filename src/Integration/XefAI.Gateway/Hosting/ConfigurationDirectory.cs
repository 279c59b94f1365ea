using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.EnvironmentVariables;

namespace XefAI.Gateway.Hosting;

/// <summary>
/// Reads <c>appsettings.json</c> and <c>appsettings.{Environment}.json</c> from one configuration folder
/// (mountable in a container), watched for edits unless <see cref="WatchSettingName"/> turns that off. Environment
/// variables and the command line still win, so an operator can repoint a vendor with an ordinary ASP.NET Core variable. The folder holding
/// <c>config/</c> is the content root: relative paths in configuration (audit database, plugins) live beside it.
/// </summary>
internal static class ConfigurationDirectory
{
    /// <summary>Setting (or <c>XEFAI_CONFIG_DIR</c>) naming the folder; default <c>./config</c>, then the one beside the binaries.</summary>
    public const string SettingName = "XefAI:ConfigDirectory";

    /// <summary>
    /// Setting (environment or command line only: it is needed before any file is read) that turns file watching
    /// on or off; default on. Each watch costs an inotify instance on Linux, of which a user has 128 by default,
    /// so a host that never reloads (a test, an immutable container) should not hold one.
    /// </summary>
    public const string WatchSettingName = "XefAI:WatchConfiguration";

    /// <summary>Finds the configuration folder from the command line, the environment or the defaults.</summary>
    public static string Resolve(string[] args)
    {
        var early = Early(args);
        var configured = early[SettingName] ?? early["XEFAI_CONFIG_DIR"];
        string directory;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            directory = Path.GetFullPath(configured);
        }
        else
        {
            var local = Path.Combine(Directory.GetCurrentDirectory(), "config");
            directory = File.Exists(Path.Combine(local, "appsettings.json")) ? local : Path.Combine(AppContext.BaseDirectory, "config");
        }

        if (!Directory.Exists(directory))
        {
            throw new GatewayConfigurationException([$"The configuration folder {directory} does not exist (set {SettingName} or XEFAI_CONFIG_DIR)."]);
        }

        return directory;
    }

    /// <summary>The setting naming the prompt templates folder, watched with the configuration files.</summary>
    public const string PromptsPathSetting = "Data:PromptsPath";

    /// <summary>Whether configuration files are watched for edits.</summary>
    public static bool ShouldWatch(string[] args) => Early(args).GetValue(WatchSettingName, defaultValue: true);

    /// <summary>
    /// The arguments for the host builder: without watching, ASP.NET Core's own default files (appsettings.json
    /// beside the content root, user secrets) must not be watched either, or each host still holds inotify instances.
    /// </summary>
    public static string[] HostArguments(string[] args) =>
        ShouldWatch(args) ? args : [.. args, "--hostBuilder:reloadConfigOnChange=false"];

    /// <returns>The folder's files, so the host can report their reloads once logging exists.</returns>
    public static ConfigurationFiles AddTo(ConfigurationManager configuration, IHostEnvironment environment, string directory, bool watch)
    {
        var sources = configuration.Sources;
        var overrides = sources
            .Where(s => s is EnvironmentVariablesConfigurationSource { Prefix: null or "" } or CommandLineConfigurationSource)
            .ToList();
        foreach (var source in overrides)
        {
            sources.Remove(source);
        }

        var files = new ConfigurationFiles(directory);
        try
        {
            foreach (var (name, optional) in new[] { ("appsettings.json", false), ($"appsettings.{environment.EnvironmentName}.json", true) })
            {
                ((IConfigurationBuilder)configuration).Add(files.Add(name, optional));
            }
        }
        catch (GatewayConfigurationException)
        {
            // The host is never built, so nothing else would end the watch.
            files.Dispose();
            throw;
        }

        foreach (var source in overrides)
        {
            sources.Add(source);
        }

        if (watch)
        {
            // The prompt templates are configuration too: an edit of one is a reload. Watched once the environment
            // and the command line are back, since either may name the folder.
            files.WatchFolder(() => Path.GetFullPath(configuration[PromptsPathSetting] ?? Path.Combine(directory, "prompts"), environment.ContentRootPath));
            files.Watch();
        }

        return files;
    }

    private static IConfigurationRoot Early(string[] args) => new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
}
