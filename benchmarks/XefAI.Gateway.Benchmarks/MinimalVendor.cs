using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using XefAI.Testing;

namespace XefAI.Gateway.Benchmarks;

/// <summary>
/// The cheapest OpenAI-compatible vendor Kestrel can be: reads the body, answers OpenAI's example
/// completion. Both the direct and the gateway benchmarks call it, so its cost cancels out.
/// </summary>
/// <remarks>
/// The streamed answer is served under its own base path (<see cref="StreamAddress"/>) rather than chosen
/// by reading <c>stream</c> from the body: parsing the body here would add the vendor's allocations to
/// every measured call, and the gateway's serialisation of the field could change without the
/// benchmark noticing.
/// </remarks>
internal sealed class MinimalVendor : IAsyncDisposable
{
    private static readonly byte[] Answer = System.Text.Encoding.UTF8.GetBytes(FakeVendor.ExampleCompletion);

    /// <summary>OpenAI's documented streaming example, with the usage chunk the gateway always asks for.</summary>
    private static readonly byte[] StreamedAnswer = System.Text.Encoding.UTF8.GetBytes(
        Chunk("""{"role":"assistant","content":""}""", "null") +
        Chunk("""{"content":"Hello"}""", "null") +
        Chunk("""{"content":" there!"}""", "null") +
        Chunk("{}", "\"stop\"") +
        """data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","system_fingerprint":"fp_44709d6fcb","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}""" + "\n\n" +
        "data: [DONE]\n\n");

    private readonly WebApplication _app;

    private MinimalVendor(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>Base address answering <c>POST /v1/chat/completions</c> with one JSON completion.</summary>
    public string Address { get; }

    /// <summary>Base address answering <c>POST /v1/chat/completions</c> with a server-sent event stream.</summary>
    public string StreamAddress => Address + "/stream";

    public static async Task<MinimalVendor> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls=http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/v1/chat/completions", (HttpContext context) => AnswerAsync(context, "application/json", Answer));
        app.MapPost("/stream/v1/chat/completions", (HttpContext context) => AnswerAsync(context, "text/event-stream", StreamedAnswer));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new MinimalVendor(app, address);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task AnswerAsync(HttpContext context, string contentType, byte[] answer)
    {
        await context.Request.Body.CopyToAsync(Stream.Null);
        context.Response.ContentType = contentType;
        await context.Response.Body.WriteAsync(answer);
    }

    private static string Chunk(string delta, string finishReason) =>
        $$"""data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{{delta}},"logprobs":null,"finish_reason":{{finishReason}}}]}""" + "\n\n";
}
