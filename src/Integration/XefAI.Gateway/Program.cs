using XefAI.Gateway.Hosting;

// Before anything rents from the runtime's shared array pool, which reads its size once (see SharedArrayPoolLimit).
SharedArrayPoolLimit.Raise();

// The runtime image has no curl: the container's health check runs the gateway binary in this mode.
if (args is ["--healthcheck", ..])
{
    return await HealthProbe.RunAsync(args[1..]);
}

WebApplication app;
try
{
    app = GatewayApp.Create(args);
}
catch (GatewayConfigurationException ex)
{
    // An operator's mistake, not a crash: every problem in one message, no stack trace, exit code 1.
    await Console.Error.WriteLineAsync($"The gateway cannot start: its configuration has {ex.Errors.Count} problem(s):");
    foreach (var error in ex.Errors)
    {
        await Console.Error.WriteLineAsync($"  - {error}");
    }

    return 1;
}

await app.RunAsync();
return 0;
