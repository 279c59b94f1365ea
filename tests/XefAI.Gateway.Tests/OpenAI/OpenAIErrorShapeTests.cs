using System.Text.Json.Nodes;
using XefAI.Gateway.OpenAI;
using XefAI.Integration;

namespace XefAI.Gateway.Tests.OpenAI;

/// <summary>The gateway's errors carry only the <c>type</c>s OpenAI sends, which its clients map to exceptions.</summary>
public sealed class OpenAIErrorShapeTests
{
    [Theory]
    [InlineData(400, "invalid_request_error")]
    [InlineData(401, "authentication_error")]
    [InlineData(403, "permission_error")]
    [InlineData(404, "invalid_request_error")]
    [InlineData(409, "invalid_request_error")]
    [InlineData(429, "rate_limit_error")]
    [InlineData(499, "invalid_request_error")]
    [InlineData(500, "server_error")]
    [InlineData(502, "server_error")]
    [InlineData(503, "server_error")]
    [InlineData(504, "server_error")]
    public void ToUtf8Json_EachStatus_TypeIsOpenAIsAndCodeIsTheGatewaysOwn(int status, string type)
    {
        var json = JsonNode.Parse(new CallError(status, "some_code", "Something went wrong.").ToUtf8Json())!;

        Assert.Equal(type, (string?)json["error"]!["type"]);
        Assert.Equal("some_code", (string?)json["error"]!["code"]);
    }
}
