using XefAI.Gateway.Hosting;

// The runtime image has no curl: the container's health check runs the gateway binary in this mode.
if (args is ["--healthcheck", ..])
{
    return await HealthProbe.RunAsync(args.Length > 1 ? args[1] : "http://localhost:8080/healthz");
}

var app = GatewayApp.Create(args);
await app.RunAsync();
return 0;
