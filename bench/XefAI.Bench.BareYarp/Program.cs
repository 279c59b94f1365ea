using Yarp.ReverseProxy.Configuration;

// A bare pass-through: every request under /v1/ goes to the upstream named by BENCH_UPSTREAM (for example
// http://127.0.0.1:18080/v1/), as it came. No auth, no policy, no audit, no logging on the request path:
// this is what the gateway's governance is measured against.
var upstream = Environment.GetEnvironmentVariable("BENCH_UPSTREAM")
    ?? throw new InvalidOperationException("Set BENCH_UPSTREAM to the stub's base address, e.g. http://127.0.0.1:18080/");

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "stub", Match = new RouteMatch { Path = "/v1/{**rest}" } }],
    [new ClusterConfig
    {
        ClusterId = "stub",
        Destinations = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal)
        {
            ["primary"] = new() { Address = upstream },
        },
    }]);

var app = builder.Build();
app.MapReverseProxy();
await app.RunAsync();
