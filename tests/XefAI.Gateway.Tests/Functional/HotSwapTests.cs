using System.Text.Json.Nodes;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Types;
using WireMock.Util;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>Configuration edits of a running gateway: applied without restart, bad ones rejected, nothing dropped.</summary>
[Collection(ConfigurationWatchingCollection.Name)]
public sealed class HotSwapTests
{
    [Fact]
    public async Task ConfigEdit_RepointsVendor_NextCallsGoToNewVendorWithNoFailedCallBetween()
    {
        using var oldVendor = new FakeVendor().AnswersWithExample();
        using var newVendor = new FakeVendor().AnswersWith(200, FakeVendor.ExampleCompletion.Replace("chatcmpl-123", "chatcmpl-new", StringComparison.Ordinal));
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(oldVendor.Configure), watchConfiguration: true);
        using var client = host.CreateClient();
        using var traffic = new CancellationTokenSource();
        var statuses = new List<int>();
        var load = Task.Run(async () =>
        {
            while (!traffic.IsCancellationRequested)
            {
                statuses.Add((await client.PostChatAsync(ChatBody("vendor-chat", "Hello"))).Status);
            }
        });

        await WaitUntilAsync(() => oldVendor.CallCount > 3);
        await host.RewriteConfigurationAsync(newVendor.Configure);
        await WaitUntilAsync(() => newVendor.CallCount > 3);
        await traffic.CancelAsync();
        await load;

        Assert.All(statuses, s => Assert.Equal(200, s));
        var next = await client.PostChatAsync(ChatBody("vendor-chat", "Hello"));
        Assert.Equal("chatcmpl-new", (string?)next.Json["id"]);
    }

    [Fact]
    public async Task ConfigEdit_RepointsClusterWhileACallRetries_RetryIsNeverSentToTheNewAddress()
    {
        // The call starts under a configuration where its vendor has a BAA, so it is sent as it is. While its first
        // attempt is failing, an edit repoints the vendor's cluster to a vendor without one. The retry must not follow
        // the live cluster there: that vendor would get what the call's snapshot never de-identified.
        var firstArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var editApplied = new ManualResetEventSlim();
        using var covered = new FakeVendor();
        covered.Server.Given(Request.Create().WithPath("/v1/chat/completions").UsingPost())
            .RespondWith(Response.Create().WithCallback(_ =>
            {
                firstArrived.TrySetResult();
                editApplied.Wait(TimeSpan.FromSeconds(60));
                return new ResponseMessage
                {
                    StatusCode = 503,
                    Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
                    BodyData = new BodyData { DetectedBodyType = BodyType.String, BodyAsString = """{"error":{"message":"down","type":"server_error"}}""" },
                };
            }));
        using var notCovered = new FakeVendor().AnswersWithExample();
        await using var host = await GatewayHost.StartAsync(
            c =>
            {
                covered.Configure(c);
                c.Resilience(maxRetries: 1);
                c["Models"]!["Deployments"]!["vendor"]!["Baa"] = true;
            },
            watchConfiguration: true);
        using var client = host.CreateClient();

        var call = client.PostChatAsync(ChatBody("vendor-chat", "Patient John Smith, MRN 84736251, seen today."));
        await firstArrived.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await host.EditConfigurationAsync(c =>
        {
            notCovered.Configure(c);
            c["Models"]!["Deployments"]!["vendor"]!["Baa"] = false;
        });
        editApplied.Set();
        var answer = await call;

        Assert.Equal(0, notCovered.CallCount);
        Assert.Equal(503, answer.Status);
        Assert.Equal("vendor_configuration_changed", (string?)answer.Json["error"]!["code"]);

        // The next call runs under the edit: de-identified, to the vendor now configured.
        var next = await client.PostChatAsync(ChatBody("vendor-chat", "Patient John Smith, MRN 84736251, seen today."));
        Assert.Equal(200, next.Status);
        Assert.Equal(1, notCovered.CallCount);
        Assert.DoesNotContain("84736251", notCovered.LastRequestBody.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigEdit_UseCaseProviderList_SwitchesDeploymentWithoutRestart()
    {
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(), watchConfiguration: true);
        using var client = host.CreateClient();
        Assert.Equal(502, (await client.PostChatAsync(ChatBody("vendor-chat", "Stable."))).Status);

        await host.EditConfigurationAsync(c => c["Governance"]!["UseCases"]!["vendor-chat"]!["Providers"] = new JsonArray("local"));

        await WaitUntilAsync(async () => (await client.PostChatAsync(ChatBody("vendor-chat", "Stable. Home."))).Header("X-XefAI-Provider") == "local");
    }

    [Fact]
    public async Task ConfigEdit_FileNoLongerParses_LastGoodConfigurationStaysInForce()
    {
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(), watchConfiguration: true);
        using var client = host.CreateClient();
        var good = await File.ReadAllTextAsync(host.ConfigurationPath);
        var before = host.Reloads;

        await File.WriteAllTextAsync(host.ConfigurationPath, good[..(good.Length / 2)]);
        await host.WaitForReloadAsync(before, applied: false);

        var call = await client.PostChatAsync(ChatBody("summary", "Stable. Discharged home."));
        Assert.Equal(200, call.Status);
        Assert.Equal("local", call.Header("X-XefAI-Provider"));
    }

    [Fact]
    public async Task ConfigEdit_InvalidUseCase_RejectedAndLastGoodStaysInForce()
    {
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(), watchConfiguration: true);
        using var client = host.CreateClient();
        var before = host.Reloads;

        await host.RewriteConfigurationAsync(c =>
        {
            c["Governance"]!["UseCases"]!["summary"]!["Tier"] = 9;
            c["Governance"]!["UseCases"]!["summary"]!["Status"] = "suspended";
        });
        await host.WaitForReloadAsync(before, applied: false);

        // Had the edit been applied, summary would now be suspended: the whole invalid edit is refused.
        var call = await client.PostChatAsync(ChatBody("summary", "Stable. Discharged home."));
        Assert.Equal(200, call.Status);
    }

    [Fact]
    public async Task ConfigEdit_InvalidGatewayLimit_RejectedAndRequestsStillServed()
    {
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(), watchConfiguration: true);
        using var client = host.CreateClient();
        var before = host.Reloads;

        await host.RewriteConfigurationAsync(c => c["Gateway"]!["MaxRequestBodyBytes"] = -5);
        await host.WaitForReloadAsync(before, applied: false);

        Assert.Equal(200, (await client.PostChatAsync(ChatBody("summary", "Stable. Discharged home."))).Status);
    }

    private static Task WaitUntilAsync(Func<bool> condition) => WaitUntilAsync(() => Task.FromResult(condition()));

    /// <summary>Polls instead of sleeping a fixed time: file watching is slower on a loaded machine.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not become true within 30 s");
            await Task.Delay(50);
        }
    }
    [Fact]
    public async Task ConfigEdit_Unrelated_LeavesAnOpenCircuitOpenWhileABreakerEditRebuildsIt()
    {
        using var vendor = new FakeVendor().AnswersWith(503, """{"error":{"type":"server_error","code":"overloaded"}}""");
        await using var host = await GatewayHost.StartAsync(CoveredVendors.WithBaa(
            c =>
            {
                vendor.Configure(c);
                c.Resilience(maxRetries: 0, breakerMinimumThroughput: 2);
                c["Gateway"]!["Resilience"]!["BreakerBreakDuration"] = "00:05:00";
                c["Governance"]!["UseCases"]!["vendor-chat"]!["Providers"] = new JsonArray("vendor", "local");
            }),
            watchConfiguration: true);
        using var client = host.CreateClient();
        for (var i = 0; i < 4; i++)
        {
            await client.PostChatAsync(ChatBody("vendor-chat", "Stable. Discharge home."));
        }

        Assert.Equal(2, vendor.CallCount);

        // Any reload fires the options' change event; an edit that does not touch the breaker must not close it.
        await host.EditConfigurationAsync(c => c["Governance"]!["UseCases"]!["summary"]!["Name"] = "Chart summary, renamed");
        var afterUnrelatedEdit = await client.PostChatAsync(ChatBody("vendor-chat", "Stable. Discharge home."));

        Assert.Equal(200, afterUnrelatedEdit.Status);
        Assert.Equal(2, vendor.CallCount);
        var record = await host.GetAuditRecordAsync(afterUnrelatedEdit.Header("X-XefAI-Audit-Id")!);
        Assert.Equal(["circuit_open", "answered"], record.AttemptOutcomes());

        // New breaker thresholds are a new breaker: the destination is tried again.
        await host.EditConfigurationAsync(c => c["Gateway"]!["Resilience"]!["BreakerBreakDuration"] = "00:04:00");
        await client.PostChatAsync(ChatBody("vendor-chat", "Stable. Discharge home."));

        Assert.Equal(3, vendor.CallCount);
    }
}
