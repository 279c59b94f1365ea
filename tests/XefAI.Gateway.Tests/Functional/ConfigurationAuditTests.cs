using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using XefAI.Governance;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// The configuration in force is on the audit trail: a <c>config_applied</c> record at start and at each accepted
/// reload (canonical JSON and its hash, no secret), <c>config_rejected</c> for a refused edit, and every call's record
/// naming the configuration it was served under.
/// </summary>
public sealed class ConfigurationAuditTests
{
    [Fact]
    public async Task Start_RecordsTheConfigurationInForce_HashMatchesItsJsonAndACallNamesIt()
    {
        await using var host = await GatewayHost.StartAsync();
        using var client = host.CreateClient();

        var applied = Assert.Single(await ConfigurationRecordsAsync(host, "config_applied"));
        Assert.StartsWith("start;snapshot:1", (string?)applied["reasons"], StringComparison.Ordinal);
        var json = (string)applied["inputText"]!;
        Assert.Equal(Sha256(json), (string?)applied["inputSha256"]);

        var configuration = JsonNode.Parse(json)!;
        Assert.Equal("xefai-local-extractive", (string?)configuration["deployments"]!["local"]!["model"]);
        Assert.Equal("gpt-4o-mini", (string?)configuration["deployments"]!["vendor"]!["model"]);
        Assert.Equal(2, (int)configuration["useCases"]!["summary"]!["tier"]!);
        Assert.Equal("active", (string?)configuration["useCases"]!["summary"]!["status"]);
        Assert.Contains("summary", configuration["apps"]!["test-app"]!["useCases"]!.AsArray().Select(u => (string?)u));
        Assert.Equal("http://127.0.0.1:9/v1", (string?)configuration["clusters"]!["vendor"]!["primary"]);

        var call = await client.PostChatAsync(ChatBody("summary", "Stable. Discharged home."));
        Assert.Equal(200, call.Status);
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal((string?)applied["inputSha256"], record.ConfigurationOf());

        await AssertNoSecretAsync(host);
    }

    [Fact]
    public async Task Start_TwoGatewaysOfTheSameFilesInDifferentFolders_RecordTheSameHash()
    {
        // Each test host lives in a folder of its own, whose paths its configuration names: none is governance-relevant.
        await using var first = await GatewayHost.StartAsync();
        await using var second = await GatewayHost.StartAsync();

        var one = Assert.Single(await ConfigurationRecordsAsync(first, "config_applied"));
        var other = Assert.Single(await ConfigurationRecordsAsync(second, "config_applied"));
        Assert.Equal((string?)one["inputSha256"], (string?)other["inputSha256"]);
        Assert.Equal((string?)one["inputText"], (string?)other["inputText"]);
    }

    [Fact]
    public async Task Start_DifferentModelVersion_RecordsADifferentHash()
    {
        await using var first = await GatewayHost.StartAsync();
        await using var second = await GatewayHost.StartAsync(c => c["Models"]!["Deployments"]!["local"]!["Version"] = "2");

        var one = Assert.Single(await ConfigurationRecordsAsync(first, "config_applied"));
        var other = Assert.Single(await ConfigurationRecordsAsync(second, "config_applied"));
        Assert.NotEqual((string?)one["inputSha256"], (string?)other["inputSha256"]);
        Assert.Equal("2", (string?)JsonNode.Parse((string)other["inputText"]!)!["deployments"]!["local"]!["version"]);
    }

    [Fact]
    public async Task Start_AnsweredAndRefusedCalls_EachNamesTheConfigurationRecorded()
    {
        await using var host = await GatewayHost.StartAsync();
        using var client = host.CreateClient();
        var hash = (string?)Assert.Single(await ConfigurationRecordsAsync(host, "config_applied"))["inputSha256"];

        // Refused calls too: what refused them is configuration as well.
        foreach (var useCase in new[] { "summary", "suspended-case", "retired-case" })
        {
            var call = await client.PostChatAsync(ChatBody(useCase, "Stable."));
            var record = Assert.Single(await host.GetAuditRecordsOfTraceAsync(call.Header("X-XefAI-Trace-Id")!));
            Assert.Equal(hash, record.ConfigurationOf());
        }
    }

    [Fact]
    public async Task Start_TrailDownAtFirst_TheStartRecordIsTriedAgainUntilItCommits()
    {
        // The trail refused the start record, and nothing tried again: once it was back, calls named a configuration the
        // trail did not hold.
        FlakyAuditTrail? trail = null;
        await using var host = await GatewayHost.StartAsync(builder: b =>
        {
            var real = b.Services.Single(d => d.ServiceType == typeof(IAuditTrail));
            b.Services.Remove(real);
            b.Services.AddSingleton<IAuditTrail>(sp =>
                trail = new FlakyAuditTrail((IAuditTrail)ActivatorUtilities.CreateInstance(sp, real.ImplementationType!), refusals: 2));
        });
        using var client = host.CreateClient();

        List<JsonObject> applied = [];
        await AdminCalls.WaitUntilAsync(
            async () => (applied = await ConfigurationRecordsAsync(host, "config_applied")).Count >= 1,
            "the start record, once the trail takes it");

        Assert.Equal(3, trail!.ConfigurationAttempts);
        Assert.StartsWith("start;snapshot:1", (string?)Assert.Single(applied)["reasons"], StringComparison.Ordinal);
        var call = await client.PostChatAsync(ChatBody("summary", "Stable. Discharged home."));
        Assert.Equal(200, call.Status);
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal((string?)applied[0]["inputSha256"], record.ConfigurationOf());
    }

    internal static async Task<List<JsonObject>> ConfigurationRecordsAsync(GatewayHost host, string decision)
    {
        using var admin = host.CreateClient(GatewayHost.AdminKey);
        var page = await admin.GetCallAsync($"/admin/audit?decision={decision}&limit=1000");
        Assert.Equal(200, page.Status);
        var records = page.Json["data"]!.AsArray().Select(r => r!.AsObject()).ToList();
        Assert.All(records, r => Assert.Equal(decision, (string?)r["decision"]));

        // Oldest first.
        return [.. records.OrderBy(r => (long)r["sequence"]!)];
    }

    /// <summary>No key, key hash, vendor key, variable naming it or pseudonym salt anywhere in the trail as read.</summary>
    internal static async Task AssertNoSecretAsync(GatewayHost host)
    {
        using var admin = host.CreateClient(GatewayHost.AdminKey);
        var trail = (await admin.GetCallAsync("/admin/audit?limit=1000")).Json.ToJsonString();
        foreach (var secret in new[]
        {
            GatewayHost.ClientKey, GatewayHost.OtherClientKey, GatewayHost.AdminKey,
            GatewayHost.Sha256(GatewayHost.ClientKey), GatewayHost.Sha256(GatewayHost.OtherClientKey), GatewayHost.Sha256(GatewayHost.AdminKey),
            GatewayHost.VendorKey, GatewayHost.VendorKeyVariable, "test-salt-0123456789abcdef",
            "xefai-dev-key", "xefai-dev-admin-key",
        })
        {
            Assert.DoesNotContain(secret, trail, StringComparison.OrdinalIgnoreCase);
        }
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

/// <summary>Reloads on the record: an accepted edit is a new <c>config_applied</c> record, a refused one <c>config_rejected</c>.</summary>
[Collection(ConfigurationWatchingCollection.Name)]
public sealed class ConfigurationAuditReloadTests
{
    [Fact]
    public async Task Reload_DeploymentModelChanged_SecondRecordNamesItAndALaterCallIsAttributedToIt()
    {
        await using var host = await GatewayHost.StartAsync(watchConfiguration: true);
        using var client = host.CreateClient();
        var start = Assert.Single(await ConfigurationAuditTests.ConfigurationRecordsAsync(host, "config_applied"));

        await host.EditConfigurationAsync(c =>
        {
            c["Models"]!["Deployments"]!["vendor"]!["Model"] = "gpt-4o";
            c["Models"]!["Deployments"]!["local"]!["Version"] = "2026.12";
        });
        List<JsonObject> applied = [];
        await AdminCalls.WaitUntilAsync(
            async () => (applied = await ConfigurationAuditTests.ConfigurationRecordsAsync(host, "config_applied")).Count == 2,
            "the reload's configuration record");

        var reload = applied[1];
        Assert.Equal((string?)start["id"], (string?)applied[0]["id"]);
        Assert.StartsWith("reload;snapshot:2;", (string?)reload["reasons"], StringComparison.Ordinal);
        Assert.Contains("deployments_changed:local,vendor", (string?)reload["reasons"], StringComparison.Ordinal);
        Assert.DoesNotContain("use_cases_", (string?)reload["reasons"], StringComparison.Ordinal);
        Assert.NotEqual((string?)start["inputSha256"], (string?)reload["inputSha256"]);
        Assert.Equal("gpt-4o", (string?)JsonNode.Parse((string)reload["inputText"]!)!["deployments"]!["vendor"]!["model"]);

        var call = await client.PostChatAsync(ChatBody("summary", "Stable. Discharged home."));
        Assert.Equal(200, call.Status);
        var record = await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal((string?)reload["inputSha256"], record.ConfigurationOf());
        Assert.True((long)record["sequence"]! > (long)reload["sequence"]!);

        await ConfigurationAuditTests.AssertNoSecretAsync(host);
    }

    [Fact]
    public async Task Reload_InvalidEdit_RecordedAsRejectedWithItsCategoryAndTheConfigurationStays()
    {
        await using var host = await GatewayHost.StartAsync(watchConfiguration: true);
        using var client = host.CreateClient();
        var start = Assert.Single(await ConfigurationAuditTests.ConfigurationRecordsAsync(host, "config_applied"));
        var before = host.Reloads;

        await host.RewriteConfigurationAsync(c => c["Governance"]!["UseCases"]!["summary"]!["Tier"] = 9);
        await host.WaitForReloadAsync(before, applied: false);
        List<JsonObject> rejected = [];
        await AdminCalls.WaitUntilAsync(
            async () => (rejected = await ConfigurationAuditTests.ConfigurationRecordsAsync(host, "config_rejected")).Count == 1,
            "the rejected edit's record");

        var refusal = rejected[0];
        Assert.StartsWith("reason:invalid;file:appsettings.json;problems:", (string?)refusal["reasons"], StringComparison.Ordinal);
        Assert.EndsWith(";snapshot:1", (string?)refusal["reasons"], StringComparison.Ordinal);

        // It names the configuration that stays in force, and holds nothing of the edit.
        Assert.Equal((string?)start["inputSha256"], (string?)refusal["inputSha256"]);
        Assert.Null(refusal["inputText"]);
        Assert.DoesNotContain("Tier", (string?)refusal["reasons"], StringComparison.Ordinal);
        Assert.DoesNotContain("summary", (string?)refusal["reasons"], StringComparison.Ordinal);
        Assert.Single(await ConfigurationAuditTests.ConfigurationRecordsAsync(host, "config_applied"));

        var call = await client.PostChatAsync(ChatBody("summary", "Stable. Discharged home."));
        Assert.Equal(200, call.Status);
        Assert.Equal((string?)start["inputSha256"], (await host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!)).ConfigurationOf());
    }

    [Fact]
    public async Task Reload_FileNoLongerParses_RecordedAsUnreadable()
    {
        await using var host = await GatewayHost.StartAsync(watchConfiguration: true);
        var good = await File.ReadAllTextAsync(host.ConfigurationPath);
        var before = host.Reloads;

        await File.WriteAllTextAsync(host.ConfigurationPath, good[..(good.Length / 2)]);
        await host.WaitForReloadAsync(before, applied: false);
        List<JsonObject> rejected = [];
        await AdminCalls.WaitUntilAsync(
            async () => (rejected = await ConfigurationAuditTests.ConfigurationRecordsAsync(host, "config_rejected")).Count >= 1,
            "the rejected edit's record");

        Assert.StartsWith("reason:unreadable;file:appsettings.json;snapshot:1", (string?)rejected[0]["reasons"], StringComparison.Ordinal);
        await ConfigurationAuditTests.AssertNoSecretAsync(host);
    }
}

/// <summary>The gateway's own trail, refusing its first configuration records as a trail that is down would.</summary>
file sealed class FlakyAuditTrail(IAuditTrail inner, int refusals) : IAuditTrail, IAsyncDisposable
{
    private int _attempts;

    public int ConfigurationAttempts => Volatile.Read(ref _attempts);

    public string StoreKind => inner.StoreKind;

    public ValueTask<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken) =>
        entry.Decision == "config_applied" && Interlocked.Increment(ref _attempts) <= refusals
            ? ValueTask.FromException<AuditRecord>(new AuditUnavailableException("The audit store did not answer."))
            : inner.AppendAsync(entry, cancellationToken);

    public ValueTask<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken) => inner.QueryAsync(query, cancellationToken);

    public ValueTask<AuditRecord?> GetAsync(string id, CancellationToken cancellationToken) => inner.GetAsync(id, cancellationToken);

    public ValueTask<AuditChainVerification> VerifyAsync(CancellationToken cancellationToken) => inner.VerifyAsync(cancellationToken);

    public ValueTask<AuditChainVerification> VerifyAsync(AuditVerificationRequest request, CancellationToken cancellationToken) =>
        inner.VerifyAsync(request, cancellationToken);

    public ValueTask<bool> IsReadyAsync(CancellationToken cancellationToken) => inner.IsReadyAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner is IAsyncDisposable disposable ? disposable.DisposeAsync() : ValueTask.CompletedTask;
}
