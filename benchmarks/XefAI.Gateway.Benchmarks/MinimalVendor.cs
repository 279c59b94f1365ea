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
internal sealed class MinimalVendor : IAsyncDisposable
{
    private static readonly byte[] Answer = System.Text.Encoding.UTF8.GetBytes(FakeVendor.ExampleCompletion);
    private readonly WebApplication _app;

    private MinimalVendor(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    public string Address { get; }

    public static async Task<MinimalVendor> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls=http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null);
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(Answer);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new MinimalVendor(app, address);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
