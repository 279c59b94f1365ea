using System.Diagnostics;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.Monitoring;

/// <summary>
/// The Debian package <c>prometheus</c>'s binaries (<c>promtool</c> and the <c>prometheus</c> server) and the
/// repository's <c>config/prometheus</c> files, or why the binaries cannot run here.
/// </summary>
internal static class PrometheusTools
{
    /// <summary>Set to <c>1</c> (as CI does) to fail, rather than skip, the tests when the binaries are missing.</summary>
    public const string RequireVariable = "XEFAI_TESTS_REQUIRE_PROMETHEUS";

    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);
    private static readonly Lazy<(string? Promtool, string? Prometheus, string? Reason)> Local = new(Find);

    /// <summary>Why promtool or prometheus cannot run here, or null when both can; cheap, for test discovery.</summary>
    public static string? UnavailableReason => Local.Value.Reason;

    /// <summary>Whether the environment demands the tests run (<see cref="RequireVariable"/>).</summary>
    public static bool IsRequired => Environment.GetEnvironmentVariable(RequireVariable) is "1" or "true";

    /// <summary>The repository's <c>config/prometheus</c> folder.</summary>
    public static string ConfigFolder { get; } = Path.Combine(GatewayHost.RepositoryRoot, "config", "prometheus");

    /// <summary>The <c>prometheus</c> server binary.</summary>
    public static string Prometheus => Local.Value.Prometheus ?? throw new InvalidOperationException(UnavailableReason);

    /// <summary>Runs promtool; returns its exit code and what it wrote to stdout and stderr.</summary>
    public static async Task<(int ExitCode, string Output)> PromtoolAsync(IEnumerable<string> arguments, string? input = null)
    {
        var promtool = Local.Value.Promtool ?? throw new InvalidOperationException(UnavailableReason);
        var start = new ProcessStartInfo(promtool) { WorkingDirectory = ConfigFolder };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // promtool reads stdin for `check metrics`; the other commands get an empty, closed stdin.
        return await ToolProcess.RunAsync(start, RunTimeout, input ?? string.Empty);
    }

    private static (string?, string?, string?) Find()
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        string? OnPath(string name) => folders.Select(folder => Path.Combine(folder, name)).FirstOrDefault(File.Exists);

        var promtool = OnPath("promtool");
        var prometheus = OnPath("prometheus");
        if (promtool is null || prometheus is null)
        {
            return (promtool, prometheus, "promtool and prometheus are not both on PATH: install the Debian package (apt-get install prometheus), as .ci/run does.");
        }

        return (promtool, prometheus, null);
    }
}

/// <summary>A fact skipped, with the reason, where promtool or prometheus is missing, unless <see cref="PrometheusTools.RequireVariable"/> demands it run (and fail).</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class PrometheusFactAttribute : FactAttribute
{
    public PrometheusFactAttribute()
    {
        if (!PrometheusTools.IsRequired && PrometheusTools.UnavailableReason is { } reason)
        {
            Skip = reason;
        }
    }
}
