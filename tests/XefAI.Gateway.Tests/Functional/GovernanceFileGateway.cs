using System.Text.Json.Nodes;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// A gateway whose governance database (state, review queue) is a file of its own, in a folder of its own, with a
/// tier-4 use case "triage" active for "test-app": for the tests that delete or replace that file under it.
/// </summary>
internal sealed record GovernanceFileGateway(GatewayHost Host, string StatePath) : IAsyncDisposable
{
    public static async Task<GovernanceFileGateway> StartAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), "xefai-tests", Guid.NewGuid().ToString("N"));
        var statePath = Path.Combine(folder, "governance.db");
        var host = await GatewayHost.StartAsync(
            c =>
            {
                c.AddTier4UseCase("triage", "Chest pain triage", "local", "test-app");
                c["Governance"]!["Sqlite"] = new JsonObject { ["Path"] = statePath, ["BusyTimeoutSeconds"] = 1 };
            },
            folder);
        await host.ActivateTier4Async("triage");
        return new GovernanceFileGateway(host, statePath);
    }

    /// <summary>The database and its WAL and shared-memory files, as an operator's clean-up would; a <c>.backup</c> copy stays.</summary>
    public void DeleteDatabase()
    {
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(StatePath)!, Path.GetFileName(StatePath) + "*"))
        {
            if (!file.EndsWith(".backup", StringComparison.Ordinal))
            {
                File.Delete(file);
            }
        }
    }

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}
