using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using XefAI.Governance;
using XefAI.Testing;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// A use-case or deployment status change whose store fails is a 503 the admin may retry, with one warning line naming the
/// failure's type; any other exception is the gateway's own fault, answered as every unhandled one is: a 500.
/// </summary>
public sealed class StatusChangeFailureTests
{
    private const string Reason = """{"reason":"Quarterly review."}""";

    [Fact]
    public async Task StatusChanges_StoreFails_503WithRetryAfterAndOneWarningNamingTheType()
    {
        var store = new ThrowingStore(() => new StoreDown());
        using var logs = new FakeLoggerProvider();
        await using var host = await StartAsync(store, logs);
        using var admin = host.CreateClient(GatewayHost.AdminKey);

        var useCase = await admin.PostJsonAsync("/admin/use-cases/summary/suspend", Reason);
        var deployment = await admin.PostJsonAsync("/admin/deployments/local/suspend", Reason);

        GatewayCall[] answers = [useCase, deployment];
        Assert.All(answers, a =>
        {
            Assert.Equal(503, a.Status);
            Assert.Equal(StoreRefusalsCode, (string?)a.Json["error"]!["code"]);
            Assert.Equal("1", a.Header("Retry-After"));
        });
        var warnings = logs.Collector.GetSnapshot().Where(r => r.Message.Contains("the governance state store failed", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w =>
        {
            Assert.Equal(LogLevel.Warning, w.Level);
            Assert.Contains(nameof(StoreDown), w.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(StoreDown.Path, w.Message, StringComparison.Ordinal);
            Assert.Null(w.Exception);
        });
    }

    [Fact]
    public async Task StatusChanges_StoreThrowsSomethingElse_500ServerErrorWithoutAStackTrace()
    {
        var store = new ThrowingStore(() => new InvalidOperationException("A bug in the store."));
        await using var host = await StartAsync(store, logs: null);
        using var admin = host.CreateClient(GatewayHost.AdminKey);

        var useCase = await admin.PostJsonAsync("/admin/use-cases/summary/suspend", Reason);
        var deployment = await admin.PostJsonAsync("/admin/deployments/local/suspend", Reason);

        GatewayCall[] answers = [useCase, deployment];
        Assert.All(answers, a =>
        {
            Assert.Equal(500, a.Status);
            Assert.Equal("server_error", (string?)a.Json["error"]!["type"]);
            Assert.Null(a.Header("Retry-After"));
            var body = a.Json.ToJsonString();
            Assert.DoesNotContain("A bug in the store", body, StringComparison.Ordinal);
            Assert.DoesNotContain("InvalidOperationException", body, StringComparison.Ordinal);
            Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
        });
    }

    private const string StoreRefusalsCode = "governance_state_unavailable";

    private static Task<GatewayHost> StartAsync(ThrowingStore store, FakeLoggerProvider? logs) =>
        GatewayHost.StartAsync(builder: b =>
        {
            b.Services.AddSingleton<IUseCaseAdministration>(store);
            b.Services.AddSingleton<IDeploymentSuspensions>(store);
            if (logs is not null)
            {
                b.Logging.AddProvider(logs);
            }
        });

    /// <summary>A store failure whose message names a file, as a driver's does for a moved database.</summary>
    private sealed class StoreDown() : System.Data.Common.DbException($"unable to open database file {Path}")
    {
        public const string Path = "/var/lib/xefai/moved-away/governance.db";
    }

    /// <summary>The governance state store's write side, failing every change with the given exception.</summary>
    private sealed class ThrowingStore(Func<Exception> failure) : IUseCaseAdministration, IDeploymentSuspensions
    {
        public IReadOnlyCollection<DeploymentSuspensionChange> Suspended => [];

        public ValueTask<UseCaseStatusChange> ApplyAsync(
            string useCaseId, UseCaseAction action, string actor, string reason, string? clinicalSponsor, CancellationToken cancellationToken) =>
            ValueTask.FromException<UseCaseStatusChange>(failure());

        public ValueTask<IReadOnlyList<UseCaseStatusChange>> GetHistoryAsync(string useCaseId, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<UseCaseStatusChange>>([]);

        public ValueTask<DeploymentSuspensionChange> SuspendAsync(string deploymentId, string actor, string reason, CancellationToken cancellationToken) =>
            ValueTask.FromException<DeploymentSuspensionChange>(failure());

        public ValueTask<DeploymentSuspensionChange> ResumeAsync(string deploymentId, string actor, string reason, CancellationToken cancellationToken) =>
            ValueTask.FromException<DeploymentSuspensionChange>(failure());

        public bool IsSuspended(string deploymentId) => false;

        public bool TryGetSuspension(string deploymentId, [NotNullWhen(true)] out DeploymentSuspensionChange? suspension)
        {
            suspension = null;
            return false;
        }
    }
}
