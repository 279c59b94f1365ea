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

        // Hostile-testing regressions: each of these was a 500 with no audit record.
        { "{\"model\":\"vendor-chat\",\"model\":\"summary\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "duplicate_key", "model" },
        { "{\"model\":\"vendor-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\",\"content\":\"y\"}]}", "duplicate_key", "content" },
        { "{\"model\":\"vendor-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"metadata\":{\"a\":\"\\ud800\"}}", "invalid_encoding", null },
        { "{\"model\":\"vendor-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\\udc00y\"}]}", "invalid_encoding", null },
        { "{\"model\":\"vendor-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"\\ud800\":1}", "invalid_encoding", null },
        { "{\"model\":\"vendor-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\\ud83d\\u0041\"}]}", "invalid_encoding", null },

        // Fields passed through to vendors are type-checked, so a vendor 400 cannot be provoked through them.
        { "{\"model\":\"vendor-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"seed\":1.5}", "invalid_type", "seed" },
        { "{\"model\":\"vendor-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"frequency_penalty\":3}", "invalid_type", "frequency_penalty" },
        { "{\"model\":\"vendor-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"logit_bias\":{\"50256\":\"high\"}}", "invalid_type", "logit_bias" },
        { "{\"model\":\"vendor-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{\"type\":\"function\"}]}", "invalid_type", "tools" },
        { "{\"model\":\"vendor-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tool_choice\":\"maybe\"}", "invalid_type", "tool_choice" },
        { "{\"model\":\"vendor-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"response_format\":{\"type\":\"xml\"}}", "invalid_type", "response_format" },
        { "{\"model\":\"vendor-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"metadata\":{\"n\":1}}", "invalid_type", "metadata" },
        { "{\"model\":\"vendor-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"parallel_tool_calls\":\"yes\"}", "invalid_type", "parallel_tool_calls" },
        { "{\"model\":\"vendor-chat\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"video\"}]}]}", "invalid_value", "messages[0].content[0].type" },
        { "{\"model\":\"vendor-chat\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":\"x\"}]}]}", "invalid_type", "messages[0].content[0].image_url" },
        { "{\"model\":\"vendor-chat\",\"messages\":[{\"role\":\"tool\",\"content\":\"42\"}]}", "missing_required_parameter", "messages[0].tool_call_id" },
        { "{\"model\":\"vendor-chat\",\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":{}}}]}]}", "invalid_type", "messages[0].tool_calls[0].function.arguments" },

        // FHIR-looking content is FHIR: never forwarded to a vendor as text.
        { "{\"model\":\"vendor-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"{\\\"resourceType\\\":null}\"}]}", "invalid_fhir", "messages" },
        { "{\"model\":\"vendor-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"{\\\"resourceType\\\":[\\\"Patient\\\"]}\"}]}", "invalid_fhir", "messages" },
        { "{\"model\":\"vendor-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"{\\\"resourceType\\\":\\\"Frobnicator\\\"}\"}]}", "invalid_fhir", "messages" },

        // Amplification limits, checked before any expensive work.
        { "{\"model\":\"vendor-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"metadata\":" + new string('[', 70) + new string(']', 70) + "}", "json_too_deep", null },
        { "{\"model\":\"vendor-chat\",\"messages\":[" + string.Join(',', Enumerable.Repeat("{\"role\":\"user\",\"content\":\"x\"}", 1001)) + "]}", "too_many_messages", "messages" },
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
        Assert.Equal(code, record.ReasonsBeforeConfiguration());
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
        Assert.Equal("request_too_large", record.ReasonsBeforeConfiguration());
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
    public async Task Post_InvalidUtf8Bytes_Returns400AndAuditsDenial()
    {
        using var client = fixture.Host.CreateClient();
        var callsBefore = fixture.Vendor.CallCount;
        byte[] body = [.. "{\"model\":\"vendor-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi "u8, 0xFF, 0xFE, .. " there\"}]}"u8];
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await client.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), content);

        Assert.Equal(400, (int)response.StatusCode);
        var error = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("invalid_encoding", (string?)error["code"]);
        Assert.Equal(callsBefore, fixture.Vendor.CallCount);
        var record = await fixture.Host.GetAuditRecordAsync(response.Headers.GetValues("X-XefAI-Audit-Id").Single());
        Assert.Equal("invalid_encoding", record.ReasonsBeforeConfiguration());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body)), (string?)record["inputSha256"]);
    }

    [Theory]
    [InlineData("/v1/chat/completions")]
    [InlineData("/v1/responses")]
    [InlineData("/v1/embeddings")]
    public async Task Post_GzipContentEncoding_Returns415InOpenAIShapeAndAuditsDenial(string path)
    {
        // A compressed body is refused, never decompressed: a small body could otherwise expand past the body limit.
        using var client = fixture.Host.CreateClient();
        var callsBefore = fixture.Vendor.CallCount;
        using var compressed = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(System.Text.Encoding.UTF8.GetBytes(GatewayCalls.ChatBody("vendor-chat", "Hello.")));
        }

        using var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add("gzip");

        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content);

        Assert.Equal(415, (int)response.StatusCode);
        var error = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("unsupported_content_encoding", (string?)error["code"]);
        Assert.Equal("invalid_request_error", (string?)error["type"]);
        Assert.Contains("uncompressed", (string?)error["message"], StringComparison.Ordinal);
        Assert.Equal(callsBefore, fixture.Vendor.CallCount);
        var record = await fixture.Host.GetAuditRecordAsync(response.Headers.GetValues("X-XefAI-Audit-Id").Single());
        Assert.Equal("unsupported_content_encoding", record.ReasonsBeforeConfiguration());
        Assert.Equal(415, (int?)record["statusCode"]);
    }

    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"vendor-chat","messages":[{"role":"user","content":"Hello."}]}""")]
    [InlineData("/v1/responses", """{"model":"vendor-chat","input":"Hello."}""")]
    public async Task Post_BodyAfterAUtf8ByteOrderMark_IsAnsweredAndTheRecordHashesTheBytesAsSent(string path, string json)
    {
        // As .NET's StreamWriter with Encoding.UTF8 and PowerShell send it.
        using var client = fixture.Host.CreateClient();
        byte[] body = [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(json)];
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content);

        Assert.Equal(200, (int)response.StatusCode);
        var record = await fixture.Host.GetAuditRecordAsync(response.Headers.GetValues("X-XefAI-Audit-Id").Single());
        Assert.Equal("answered", (string?)record["decision"]);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body)), (string?)record["inputSha256"]);
    }

    [Fact]
    public async Task Post_ByteOrderMarkThenDuplicateMember_400NamesTheOffsetInTheBytesAsSent()
    {
        using var client = fixture.Host.CreateClient();
        byte[] body = [0xEF, 0xBB, 0xBF, .. """{"model":"vendor-chat","model":"x","messages":[]}"""u8];
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await client.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), content);

        Assert.Equal(400, (int)response.StatusCode);
        var error = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("duplicate_key", (string?)error["code"]);
        Assert.Contains("(byte offset 26)", (string?)error["message"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ffffffffffffffffff")]
    [InlineData("zz")]
    [InlineData("-1")]
    public async Task Post_ChunkedBodyWithAbsurdChunkSize_Returns400AndAuditsDenial(string chunkSize)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(fixture.Host.Address.Host, fixture.Host.Address.Port);
        await using var stream = tcp.GetStream();
        var request = "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
            + $"Authorization: Bearer {GatewayHost.ClientKey}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + $"{chunkSize}\r\n{{}}";
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(request));

        var answer = await ReadHttpResponseAsync(stream);

        Assert.StartsWith("HTTP/1.1 400", answer, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"malformed_body\"", answer, StringComparison.Ordinal);
        var auditId = answer.Split("\r\n").Single(l => l.StartsWith("X-XefAI-Audit-Id:", StringComparison.OrdinalIgnoreCase)).Split(':', 2)[1].Trim();
        var record = await fixture.Host.GetAuditRecordAsync(auditId);
        Assert.Equal("malformed_body", record.ReasonsBeforeConfiguration());
        Assert.Equal("denied", (string?)record["decision"]);
    }

    [Theory]
    [InlineData("/v1/chat/completions", "{\"model\":\"vendor-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"Stable.\"}]}")]
    [InlineData("/v1/responses", "{\"model\":\"vendor-chat\",\"input\":\"Stable.\"}")]
    [InlineData("/v1/embeddings", "{\"model\":\"vendor-chat\",\"input\":\"Stable.\"}")]
    public async Task Post_UseCaseHeaderTwiceNamingTwoUseCases_Returns400AndAuditsDenialWithoutCallingTheVendor(string path, string body)
    {
        // Two header lines (a client's and a proxy's): Kestrel keeps both, and whichever came first used to win.
        var answer = await SendRawAsync(path, body, "X-XefAI-Use-Case: summary\r\nX-XefAI-Use-Case: vendor-chat\r\n");

        Assert.StartsWith("HTTP/1.1 400", answer, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"invalid_value\"", answer, StringComparison.Ordinal);
        Assert.Contains("\"param\":\"X-XefAI-Use-Case\"", answer, StringComparison.Ordinal);
        var auditId = answer.Split("\r\n").Single(l => l.StartsWith("X-XefAI-Audit-Id:", StringComparison.OrdinalIgnoreCase)).Split(':', 2)[1].Trim();
        var record = await fixture.Host.GetAuditRecordAsync(auditId);
        Assert.Equal("denied", (string?)record["decision"]);
    }

    [Fact]
    public async Task Post_UseCaseHeaderTwiceNamingTheSameUseCase_IsAnswered()
    {
        var answer = await SendRawAsync(
            "/v1/chat/completions",
            "{\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"Stable overnight. Discharged home.\"}]}",
            "X-XefAI-Use-Case: summary\r\nX-XefAI-Use-Case: summary\r\n");

        Assert.StartsWith("HTTP/1.1 200", answer, StringComparison.Ordinal);
        Assert.Contains("X-XefAI-Risk-Tier: 2", answer, StringComparison.OrdinalIgnoreCase);
    }

    private async Task<string> SendRawAsync(string path, string body, string extraHeaders)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(fixture.Host.Address.Host, fixture.Host.Address.Port);
        await using var stream = tcp.GetStream();
        var bytes = System.Text.Encoding.UTF8.GetBytes(body);
        var head = $"POST {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {GatewayHost.ClientKey}\r\n"
            + $"Content-Type: application/json\r\n{extraHeaders}Content-Length: {bytes.Length}\r\n\r\n";
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(bytes);
        return await ReadHttpResponseAsync(stream);
    }

    [Fact]
    public async Task Post_BundleOfFiftyThousandEmptyEntries_Returns400BeforeParsingIt()
    {
        using var client = fixture.Host.CreateClient();
        var bundle = "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[" + string.Join(',', Enumerable.Repeat("{}", 50_000)) + "]}";
        var callsBefore = fixture.Vendor.CallCount;

        var call = await client.PostChatAsync(GatewayCalls.ChatBody("vendor-chat", bundle));

        Assert.Equal(400, call.Status);
        Assert.Equal("invalid_fhir", (string?)call.Json["error"]!["code"]);
        Assert.Contains("more than 5000 Bundle entries", (string?)call.Json["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal(callsBefore, fixture.Vendor.CallCount);
    }

    private static async Task<string> ReadHttpResponseAsync(System.Net.Sockets.NetworkStream stream)
    {
        var buffer = new byte[16 * 1024];
        var text = new System.Text.StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!text.ToString().Contains("}}", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                break;
            }

            text.Append(System.Text.Encoding.UTF8.GetString(buffer, 0, read));
        }

        return text.ToString();
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
