using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>Every refusal of issue items 5 and 7: right status, OpenAI error shape, a clear message, an audit record.</summary>
public sealed class AccessControlTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    public static TheoryData<string?, string, int, string, string> Refusals => new()
    {
        // key, use case, status, error code, words the message must contain. Refusals for want of a key are
        // audited in aggregate instead (UnauthenticatedTrafficTests).
        { GatewayHost.OtherClientKey, "vendor-chat", 403, "use_case_not_granted", "not granted" },
        { GatewayHost.ClientKey, "no-such-case", 404, "model_not_found", "does not exist" },
        { GatewayHost.ClientKey, "suspended-case", 403, "use_case_suspended", "Paused by the governance committee" },
        { GatewayHost.ClientKey, "retired-case", 403, "use_case_retired", "Replaced by summary" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Post_Refused_ReturnsOpenAIErrorAndAuditsDenial(string? key, string useCase, int status, string code, string words)
    {
        using var client = fixture.Host.CreateClient(key);
        var callsBefore = fixture.Vendor.CallCount;

        var call = await client.PostChatAsync(ChatBody(useCase, "Summarize: stable, discharged home."));

        Assert.Equal(status, call.Status);
        var error = call.Json["error"]!.AsObject();
        Assert.Equal(code, (string?)error["code"]);
        Assert.Contains(words, (string?)error["message"], StringComparison.Ordinal);
        Assert.NotNull((string?)error["type"]);
        Assert.Equal(callsBefore, fixture.Vendor.CallCount);

        var record = await fixture.Host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("denied", (string?)record["decision"]);
        Assert.Equal(code, record.ReasonsBeforeConfiguration());
        Assert.Equal(status, (int?)record["statusCode"]);
        Assert.Equal(call.ResponseSha256, (string?)record["outputSha256"]);
        Assert.Equal(call.Header("X-XefAI-Trace-Id"), (string?)record["traceId"]);
        Assert.NotNull((string?)record["app"]);
        Assert.Equal(call.RequestSha256, (string?)record["inputSha256"]);
    }

    [Fact]
    public async Task Admin_WithClientKeyOrNoKey_Returns401()
    {
        using var anonymous = fixture.Host.CreateClient(key: null);
        using var client = fixture.Host.CreateClient();

        var none = await anonymous.GetAsync(new Uri("/admin/audit", UriKind.Relative));
        var wrong = await client.GetAsync(new Uri("/admin/audit/verify", UriKind.Relative));

        Assert.Equal(401, (int)none.StatusCode);
        Assert.Equal(401, (int)wrong.StatusCode);
        Assert.Contains("admin key", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
