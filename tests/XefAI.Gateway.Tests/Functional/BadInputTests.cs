using XefAI.Testing;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>Bad input: a 4xx in OpenAI's shape naming the fault, nothing sent to the vendor, a denial audited.</summary>
public sealed class BadInputTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    public static TheoryData<string, string, string?> Malformed => new()
    {
        // body, error code, param
        { "{\"model\":\"vendor-chat\",\"messages\":[", "invalid_json", null },
        { "", "invalid_json", null },
        { "[1,2,3]", "invalid_request", null },
        { "{\"model\":\"vendor-chat\"}", "missing_required_parameter", "messages" },
        { "{\"model\":\"vendor-chat\",\"messages\":\"hello\"}", "invalid_type", "messages" },
        { "{\"model\":\"vendor-chat\",\"messages\":[]}", "empty_array", "messages" },
        { "{\"model\":\"vendor-chat\",\"messages\":[{\"role\":5,\"content\":\"x\"}]}", "invalid_value", "messages[0].role" },
        { "{\"model\":\"vendor-chat\",\"messages\":[{\"role\":\"user\"}]}", "missing_required_parameter", "messages[0].content" },
        { "{\"model\":\"vendor-chat\",\"messages\":[{\"role\":\"user\",\"content\":42}]}", "invalid_type", "messages[0].content" },
        { "{\"model\":\"vendor-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":\"hot\"}", "invalid_value", "temperature" },
        { "{\"model\":\"vendor-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":-3}", "invalid_value", "max_tokens" },
        { "{\"model\":\"vendor-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":\"yes\"}", "invalid_type", "stream" },
        { "{\"model\":42,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "invalid_type", "model" },
        { "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "missing_required_parameter", "model" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task Post_MalformedRequest_Returns400NamingFieldAndNeverReachesVendor(string body, string code, string? param)
    {
        using var client = fixture.Host.CreateClient();
        var callsBefore = fixture.Vendor.CallCount;

        var call = await client.PostChatAsync(body);

        Assert.Equal(400, call.Status);
        var error = call.Json["error"]!;
        Assert.Equal(code, (string?)error["code"]);
        Assert.Equal("invalid_request_error", (string?)error["type"]);
        Assert.Equal(param, (string?)error["param"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)error["message"]));
        Assert.DoesNotContain("   at ", call.Json.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(callsBefore, fixture.Vendor.CallCount);
        var record = await fixture.Host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("denied", (string?)record["decision"]);
        Assert.Equal(code, (string?)record["reasons"]);
        Assert.Equal(call.RequestSha256, (string?)record["inputSha256"]);
    }

    [Fact]
    public async Task Post_BodyOverLimit_Returns413AndAuditsDenial()
    {
        using var client = fixture.Host.CreateClient();
        var callsBefore = fixture.Vendor.CallCount;
        var huge = GatewayCalls.ChatBody("vendor-chat", new string('a', 1024 * 1024 + 10));

        var call = await client.PostChatAsync(huge);

        Assert.Equal(413, call.Status);
        Assert.Equal("request_too_large", (string?)call.Json["error"]!["code"]);
        Assert.Contains("1048576", (string?)call.Json["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal(callsBefore, fixture.Vendor.CallCount);
        var record = await fixture.Host.GetAuditRecordAsync(call.Header("X-XefAI-Audit-Id")!);
        Assert.Equal("request_too_large", (string?)record["reasons"]);
    }

    [Fact]
    public async Task Post_ChunkedBodyOverLimitWithoutContentLength_Returns413()
    {
        using var client = fixture.Host.CreateClient();
        using var content = new StreamContent(new MemoryStream(new byte[1024 * 1024 + 1]));
        content.Headers.ContentLength = null;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await client.SendAsync(request);

        Assert.Equal(413, (int)response.StatusCode);
    }

    [Fact]
    public async Task UnknownRoute_Returns404InOpenAIShape()
    {
        using var client = fixture.Host.CreateClient();

        using var response = await client.GetAsync(new Uri("/v1/nothing-here", UriKind.Relative));

        Assert.Equal(404, (int)response.StatusCode);
        Assert.Contains("\"error\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
