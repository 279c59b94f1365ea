using Microsoft.AspNetCore.Http;
using XefAI.Gateway.Pipeline;
using XefAI.Integration;

namespace XefAI.Gateway.Tests.Pipeline;

/// <summary>What an error's headers tell a client's retry logic.</summary>
public sealed class GatewayHeadersTests
{
    [Theory]
    [InlineData(502, "vendor_auth_failed", "false")]
    [InlineData(503, "vendor_key_missing", "false")]
    [InlineData(503, "vendor_not_configured", "false")]
    [InlineData(503, "provider_unavailable", "false")]
    [InlineData(503, "no_provider", "false")]
    [InlineData(502, "provider_error", "false")]
    [InlineData(502, "vendor_rejected_request", "false")]
    [InlineData(502, "response_too_large", "false")]
    [InlineData(503, "prompt_template_not_found", "false")]
    [InlineData(503, "prompt_template_invalid", "false")]
    [InlineData(502, "fhir_server_unauthorized", "false")]
    [InlineData(502, "vendor_error", null)]
    [InlineData(502, "vendor_unreachable", null)]
    [InlineData(502, "vendor_invalid_response", null)]
    [InlineData(504, "vendor_timeout", null)]
    [InlineData(503, "circuit_open", null)]
    [InlineData(503, "audit_unavailable", null)]
    [InlineData(503, "overloaded", null)]
    [InlineData(503, "review_queue_unavailable", null)]
    [InlineData(503, "governance_state_unavailable", null)]
    [InlineData(502, "fhir_server_error", null)]
    [InlineData(500, "internal_error", null)]
    [InlineData(400, "vendor_rejected_request", null)]
    [InlineData(422, "deidentification_failed", null)]
    [InlineData(429, "vendor_rate_limited", null)]
    public void SetShouldRetry_OnlyA5xxNoRetryCanFix_SaysFalse(int status, string code, string? expected)
    {
        var context = new DefaultHttpContext();

        GatewayHeaders.SetShouldRetry(context.Response, new CallError(status, code, "message"));

        Assert.Equal(expected, context.Response.Headers.TryGetValue(GatewayHeaders.ShouldRetry, out var value) ? value.ToString() : null);
    }
}
