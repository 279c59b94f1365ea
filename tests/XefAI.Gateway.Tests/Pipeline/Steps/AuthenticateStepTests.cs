using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using XefAI.Gateway.Pipeline.Steps;
using XefAI.Gateway.Security;
using XefAI.Gateway.Tests.Pipeline.TestSupport;

namespace XefAI.Gateway.Tests.Pipeline.Steps;

public sealed class AuthenticateStepTests : IDisposable
{
    private readonly FakeAuditTrail _audit = new();
    private readonly AuthenticationFailures _failures;
    private readonly ServiceProvider _services;

    public AuthenticateStepTests()
    {
        _failures = new AuthenticationFailures(_audit, new FakeMetrics(), TimeProvider.System, () => 2, 100, NullLogger.Instance);
        _services = new ServiceCollection().AddSingleton(_failures).BuildServiceProvider();
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task Execute_KeyOfAnApp_SetsTheAppAndItsGrants()
    {
        await using var call = CallContexts.Create(services: _services);

        await new AuthenticateStep().ExecuteAsync(call);

        Assert.Null(call.Error);
        Assert.Equal(TestConfig.AppId, call.App?.Id);
        Assert.Contains(TestConfig.VendorChat.Id, (IReadOnlySet<string>)call.App!.UseCases);
        Assert.Equal(0, _failures.PendingBuckets);
    }

    [Fact]
    public async Task Execute_NoKey_Refuses401CountedInAggregateWithoutARecord()
    {
        await using var call = CallContexts.Create(key: null, services: _services);

        await new AuthenticateStep().ExecuteAsync(call);

        Assert.Null(call.App);
        Assert.Equal(401, call.Error?.StatusCode);
        Assert.Equal("invalid_api_key", call.Error!.Code);
        Assert.Contains("No API key", call.Error.Message, StringComparison.Ordinal);
        Assert.Equal(1, _failures.PendingBuckets);
        Assert.Empty(_audit.Records);
        Assert.Equal(CallContexts.TraceId, call.HttpContext.Response.Headers["X-XefAI-Trace-Id"].ToString());
    }

    [Fact]
    public async Task Execute_WrongKey_Refuses401AsNotValid()
    {
        await using var call = CallContexts.Create(key: "not-a-key-of-this-gateway", services: _services);

        await new AuthenticateStep().ExecuteAsync(call);

        Assert.Null(call.App);
        Assert.Equal(401, call.Error?.StatusCode);
        Assert.Contains("not valid", call.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(1, _failures.PendingBuckets);
    }

    [Fact]
    public async Task Execute_KeylessOverTheAddressLimit_Refuses429WithRetryAfter()
    {
        for (var i = 0; i < 2; i++)
        {
            await using var allowed = CallContexts.Create(key: null, services: _services);
            await new AuthenticateStep().ExecuteAsync(allowed);
            Assert.Equal(401, allowed.Error?.StatusCode);
        }

        await using var call = CallContexts.Create(key: null, services: _services);
        await new AuthenticateStep().ExecuteAsync(call);

        Assert.Equal(429, call.Error?.StatusCode);
        Assert.Equal(UnauthenticatedRequests.ThrottledCode, call.Error!.Code);
        Assert.NotNull(call.Error.RetryAfter);
    }
}
