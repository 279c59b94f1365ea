using System.Diagnostics;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.Deployment;

/// <summary>
/// Runs <c>deploy/validate/validate.mjs</c> (offline schema validation of the Kustomize base) with Node, or says why
/// it cannot run here.
/// </summary>
internal static class KubernetesManifestValidator
{
    /// <summary>Set to <c>1</c> (as CI should) to fail, rather than skip, when Node or the validator's packages are missing.</summary>
    public const string RequireVariable = "XEFAI_TESTS_REQUIRE_DEPLOY_VALIDATION";

    /// <summary>The command that installs the validator's packages, from the repository root.</summary>
    public const string InstallCommand = "npm ci --prefix deploy/validate";

    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);
    private static readonly Lazy<(string? Node, string? DeployFolder, string? Reason)> Local = new(Find);

    /// <summary>Why the validator cannot run here, or null when it can.</summary>
    public static string? UnavailableReason => Local.Value.Reason;

    /// <summary>Whether the environment demands the validation run (<see cref="RequireVariable"/>).</summary>
    public static bool IsRequired => Environment.GetEnvironmentVariable(RequireVariable) is "1" or "true";

    /// <summary>The repository's <c>deploy/</c> folder.</summary>
    public static string DeployFolder => Local.Value.DeployFolder ?? throw new InvalidOperationException(UnavailableReason);

    /// <summary>Runs the validator on a kustomization folder; returns its exit code and what it wrote.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string kustomizationFolder)
    {
        var (node, deploy, reason) = Local.Value;
        if (reason is not null)
        {
            throw new InvalidOperationException(reason);
        }

        var start = new ProcessStartInfo(node!);
        start.ArgumentList.Add(Path.Combine(deploy!, "validate", "validate.mjs"));
        start.ArgumentList.Add(kustomizationFolder);
        return await ToolProcess.RunAsync(start, RunTimeout);
    }

    private static (string?, string?, string?) Find()
    {
        string? deploy = null;
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "deploy");
            if (File.Exists(Path.Combine(candidate, "validate", "validate.mjs")))
            {
                deploy = candidate;
                break;
            }
        }

        if (deploy is null)
        {
            return (null, null, "deploy/validate/validate.mjs was not found above " + AppContext.BaseDirectory + ".");
        }

        var node = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, OperatingSystem.IsWindows() ? "node.exe" : "node"))
            .FirstOrDefault(File.Exists);
        if (node is null)
        {
            return (null, deploy, $"Node.js (node) is not on PATH; the manifest validation needs Node 20 or later, then `{InstallCommand}` from the repository root.");
        }

        if (!File.Exists(Path.Combine(deploy, "validate", "node_modules", "kubernetes-models", "package.json")))
        {
            return (node, deploy, $"The manifest validator's packages are not installed: run `{InstallCommand}` from the repository root.");
        }

        return (node, deploy, null);
    }
}

/// <summary>A fact skipped, with the reason, where the manifest validator cannot run, unless <see cref="KubernetesManifestValidator.RequireVariable"/> demands it.</summary>
internal sealed class DeployValidationFactAttribute : FactAttribute
{
    public DeployValidationFactAttribute()
    {
        if (!KubernetesManifestValidator.IsRequired && KubernetesManifestValidator.UnavailableReason is { } reason)
        {
            Skip = reason;
        }
    }
}
