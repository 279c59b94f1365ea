using System.Collections.Frozen;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.Pipeline;
using XefAI.Gateway.Security;
using XefAI.Governance;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.Tests.Pipeline.TestSupport;

/// <summary>Calls for step tests: a <see cref="CallContext"/> over a <see cref="DefaultHttpContext"/>, as far along as a test needs.</summary>
internal static class CallContexts
{
    public const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

    public static DateTimeOffset Timestamp { get; } = new(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);

    /// <summary>The app the test key authenticates.</summary>
    public static ClientApp App { get; } = new(
        TestConfig.AppId, new[] { TestConfig.Summary.Id, TestConfig.VendorChat.Id, TestConfig.Held.Id }.ToFrozenSet(StringComparer.Ordinal));

    /// <summary>A call as it arrives: an HTTP request, with the test key unless <paramref name="key"/> says otherwise.</summary>
    /// <param name="body">The request body; null for none.</param>
    /// <param name="chunked">Sends the body without a Content-Length, as a chunked request does.</param>
    public static CallContext Create(
        IProtocolAdapter? adapter = null,
        GatewaySnapshot? config = null,
        string? key = TestConfig.ClientKey,
        byte[]? body = null,
        bool chunked = false,
        Stream? bodyStream = null,
        IServiceProvider? services = null,
        CancellationToken aborted = default)
    {
        var httpContext = new DefaultHttpContext { RequestAborted = aborted };
        if (services is not null)
        {
            httpContext.RequestServices = services;
        }

        httpContext.Request.Method = HttpMethods.Post;
        httpContext.Request.Path = "/test/call";
        if (key is not null)
        {
            httpContext.Request.Headers.Authorization = "Bearer " + key;
        }

        body ??= [];
        httpContext.Request.Body = bodyStream ?? new MemoryStream(body);
        httpContext.Request.ContentLength = chunked || bodyStream is not null ? null : body.Length;
        httpContext.Response.Body = new MemoryStream();
        return new CallContext(
            httpContext, adapter ?? new TestAdapter(), config ?? TestConfig.Snapshot(), TraceId, TimeProvider.System.GetTimestamp(), Timestamp);
    }

    /// <summary>A call authenticated as the test app and translated to <paramref name="request"/>.</summary>
    public static CallContext Translated(GatewayRequest request, IProtocolAdapter? adapter = null, GatewaySnapshot? config = null)
    {
        var call = Create(adapter, config);
        call.App = App;
        call.Request = request;
        return call;
    }

    /// <summary>
    /// A call the steps before have brought to the model: authenticated, translated, its use case resolved and governed,
    /// its conversation composed (the request's own).
    /// </summary>
    public static CallContext Governed(
        GatewayRequest? request = null,
        UseCase? useCase = null,
        PolicyObligations? obligations = null,
        IProtocolAdapter? adapter = null,
        GatewaySnapshot? config = null,
        CancellationToken aborted = default)
    {
        request ??= Chat(TestConfig.Summary.Id, "Summarize: stable, discharged home.");
        var body = Encoding.UTF8.GetBytes(request.Body?.ToJsonString() ?? "{}");
        var call = Create(adapter, config, body: body, aborted: aborted);
        call.App = App;
        call.Body = body;
        call.InputSha256 = Gateway.Pipeline.Steps.ReadRequestStep.Sha256Hex(body);
        call.Request = request;
        call.UseCase = useCase ?? TestConfig.Summary;
        call.Obligations = obligations ?? PolicyObligations.None;
        call.Messages = request.Messages;
        call.VendorBody = request.Body;
        return call;
    }

    /// <summary>A call that has its answer from the local deployment, as the invoke step leaves it.</summary>
    public static CallContext Answered(string content = "The patient is stable.", UseCase? useCase = null, PolicyObligations? obligations = null, IProtocolAdapter? adapter = null)
    {
        var call = Governed(useCase: useCase, obligations: obligations, adapter: adapter);
        call.Deployment = TestConfig.Local;
        call.Answer = Answer(content);
        return call;
    }

    /// <summary>A chat call translated from an OpenAI-shaped body holding one user message per text.</summary>
    public static GatewayRequest Chat(string useCase, params string[] messages) => new(useCase, CallOperation.Chat)
    {
        UseCaseParam = "model",
        Messages = [.. messages.Select(m => new ChatMessage("user", m))],
        Body = new JsonObject
        {
            ["model"] = useCase,
            ["messages"] = new JsonArray([.. messages.Select(m => (JsonNode)new JsonObject { ["role"] = "user", ["content"] = m })]),
        },
        ClinicalInputsParam = "messages",
    };

    /// <summary>A buffered chat answer, as a chat completion.</summary>
    public static ModelResponse Answer(string content) => new(
        new JsonObject
        {
            ["object"] = "chat.completion",
            ["model"] = "test-model",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
                ["finish_reason"] = "stop",
            }),
        },
        "test-model",
        content,
        "stop",
        new TokenUsage(10, 5));

    /// <summary>An answer whose one choice calls one tool: <paramref name="name"/> with <paramref name="arguments"/>.</summary>
    public static ModelResponse ToolCallAnswer(string id, string name, string arguments) => new(
        new JsonObject
        {
            ["id"] = "chatcmpl-tools",
            ["created"] = 7,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject
                {
                    ["role"] = "assistant",
                    ["content"] = null,
                    ["tool_calls"] = new JsonArray(new JsonObject
                    {
                        ["id"] = id,
                        ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = name, ["arguments"] = arguments },
                    }),
                },
                ["finish_reason"] = "tool_calls",
            }),
        },
        "gpt-4o-mini",
        string.Empty,
        "tool_calls",
        new TokenUsage(3, 4));

    /// <summary>What was written to the call's response.</summary>
    public static byte[] ResponseBytes(this CallContext call) => ((MemoryStream)call.HttpContext.Response.Body).ToArray();

    public static string ResponseText(this CallContext call) => Encoding.UTF8.GetString(call.ResponseBytes());

    public static string Sha256(ReadOnlySpan<byte> bytes) => Gateway.Pipeline.Steps.ReadRequestStep.Sha256Hex(bytes);

    public static string Sha256(string text) => Sha256(Encoding.UTF8.GetBytes(text));
}
