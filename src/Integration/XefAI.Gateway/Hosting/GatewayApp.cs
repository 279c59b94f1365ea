using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using XefAI.Data;
using XefAI.Gateway.Admin;
using XefAI.Gateway.CdsHooks;
using XefAI.Gateway.Clinical;
using XefAI.Gateway.Configuration;
using XefAI.Gateway.Fhir;
using XefAI.Gateway.OpenAI;
using XefAI.Gateway.Pipeline;
using XefAI.Gateway.Pipeline.Invocation;
using XefAI.Gateway.Plugins;
using XefAI.Gateway.Reviews;
using XefAI.Gateway.Security;
using XefAI.Gateway.Tracing;
using XefAI.Governance;
using XefAI.Integration;
using XefAI.Models;

namespace XefAI.Gateway.Hosting;

/// <summary>Composes the four layers into the gateway. Tests start the same app on a loopback port.</summary>
public static class GatewayApp
{
    /// <param name="args">The command line.</param>
    /// <param name="configure">A last change to the builder before it builds (tests add a log sink here).</param>
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var configDirectory = ConfigurationDirectory.Resolve(args);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = ConfigurationDirectory.HostArguments(args),
            ContentRootPath = Path.GetDirectoryName(configDirectory.TrimEnd(Path.DirectorySeparatorChar)),
        });

        // The prompt templates travel with the configuration that names them: prompts/ in the configuration folder,
        // whatever that folder is called, unless a file, the environment or the command line says otherwise.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = [new("Data:PromptsPath", Path.Combine(configDirectory, "prompts"))],
        });
        var configFiles = ConfigurationDirectory.AddTo(builder.Configuration, builder.Environment, configDirectory, ConfigurationDirectory.ShouldWatch(args));
        var configuration = builder.Configuration;
        var services = builder.Services;

        services.AddOptions<GatewayOptions>().Bind(configuration.GetSection(GatewayOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>());
        services.AddOptions<ResilienceOptions>().Bind(configuration.GetSection(ResilienceOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ResilienceOptions>, ResilienceOptionsValidator>());
        services.AddOptions<CdsHooksOptions>().Bind(configuration.GetSection(CdsHooksOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CdsHooksOptions>, CdsHooksOptionsValidator>());
        services.AddOptions<ClinicalTaskOptions>().Bind(configuration.GetSection(ClinicalTaskOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClinicalTaskOptions>, ClinicalTaskOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        // Governance records carry enums (status, action, severity): the API names them in words, as it does everywhere else.
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));

        services.AddXefAIData(configuration);
        services.AddXefAIModels(configuration);
        services.AddXefAIGovernance(configuration);
        var skippedAssemblies = new List<string>();
        services.AddXefAIPlugins(PluginAssemblies.Discover(
            configuration[$"{GatewayOptions.SectionName}:{nameof(GatewayOptions.PluginsPath)}"] ?? "plugins",
            builder.Environment.ContentRootPath,
            skippedAssemblies));

        // YARP reads a copy of its section that changes only with the configuration in force (see ProxyConfigurationInForce).
        var proxyInForce = new ProxyConfigurationInForce(configuration);
        services.AddSingleton(proxyInForce);
        services.AddReverseProxy().LoadFromConfig(proxyInForce.Section);
        services.AddSingleton(typeof(LastGoodOptions<>));
        services.AddGatewaySnapshots();
        services.AddAuthenticationFailures(configuration);
        services.AddGovernedPipeline();
        services.TryAddSingleton<ICdsPrefetchFetcher, FhirServerPrefetchFetcher>();
        services.AddSingleton<ReviewMetrics>();
        services.AddSingleton<LayerConfigurationValidator>();
        services.AddHostedService<InterruptedStreamCloser>();

        // After the dead streams are closed and before calls are taken: the configuration they will be answered under.
        services.AddSingleton<ConfigurationAudit>();
        services.AddHostedService(sp => sp.GetRequiredService<ConfigurationAudit>());

        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(GovernanceTelemetry.MeterName)

            // What the vendor HttpClient under YARP (request durations, connections) measures itself is exported, not
            // measured again. Retries and circuit transitions are the gateway's own series: Polly's pipelines carry no
            // telemetry, whose wrapper timed and tagged every attempt (two async layers and three measurements a call).
            .AddMeter("System.Net.Http")
            .AddAspNetCoreInstrumentation()
            .AddPrometheusExporter());
        // ASP.NET Core starts an Activity for every request while its hosting logger is enabled at any level, even
        // with nobody tracing: 2 KB and an id per call, here and again in the vendor's HttpClient. Its per-request lines
        // quote the path and query, so they are never written; with nobody tracing, the hosting category is silenced
        // whole, and the vendor is then given the call's trace id by the forwarder itself.
        var traced = services.AddGatewayTracing(configuration);
        builder.Logging.HoldRequestQuotingLines(traced ? LogLevel.Warning : LogLevel.None);
        builder.Logging.HoldForwarderErrorLines();

        // After OpenTelemetry: the zeros it exports at start-up must find the meter provider listening.
        services.AddSingleton<CircuitStateGauge>();
        services.AddHostedService<MetricSeries>();

        services.AddGatewayConfigurationChecks();
        configure?.Invoke(builder);

        // Before the descriptors run out, not after: the runtime aborts when it cannot start a thread.
        var connectionLimit = ConnectionLimit.Apply(builder);
        var app = builder.Build();
        app.UseCallerTraceParentOnly();
        app.UseGatewayConfiguration(configFiles);
        var configLog = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("XefAI.Gateway.Configuration");

        foreach (var skipped in skippedAssemblies)
        {
            ConfigurationLog.AssemblySkipped(configLog, skipped);
        }

        if (connectionLimit is { } limit && limit.Connections < ConnectionLimit.WarnBelow)
        {
            ConnectionLimit.LowLimit(configLog, limit.SoftLimit, limit.Connections);
        }

        app.UseSecurityHeaders();
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = WriteUnhandledErrorAsync });
        app.UseBadRequestAnswers();
        app.UseStatusCodePages(WriteStatusCodeErrorAsync);
        app.UseMiddleware<AccessAudit>();

        var pipeline = app.Services.GetRequiredService<IGovernedPipeline>();
        foreach (var ingress in app.Services.GetServices<IIngressProtocol>())
        {
            ingress.MapEndpoints(app, pipeline);
        }

        var admin = app.MapAdminEndpoints();
        app.MapReviewEndpoints(admin);
        app.MapGovernanceEndpoints(admin);
        app.MapGroup("/fhir").RequireAdminKey(AuthRoutes.Fhir).MapFhirEndpoints();
        // YARP's config loading and health checks need its proxy endpoints mapped, but no request may be forwarded
        // by a route: vendors are reached only through the governed pipeline. A route added by a later edit (start-up
        // refuses one) is answered 404 here, never forwarded.
        app.MapReverseProxy(proxy => proxy.Use((HttpContext context, RequestDelegate _) =>
            CallError.NotFound("unknown_url", $"No endpoint {context.Request.Path}.").WriteAsync(context.Response)));
        // The exporter's endpoint answers any method unless told: GET only, like the probes (any other is 405).
        app.MapPrometheusScrapingEndpoint("/metrics").WithMetadata(new HttpMethodMetadata([HttpMethods.Get]));
        // Still healthy (the last good configuration serves), but saying that the files' latest edit is not in force.
        app.MapGet("/healthz", (ConfigurationReloads reloads) => reloads.EditRejected
            ? Results.Ok(new { status = "healthy", configuration = "last-edit-rejected" })
            : Results.Ok(new { status = "healthy" }));
        // Ready when both stores every call needs can serve one: the audit store takes writes, and the governance state
        // was read (a replica that could never read it refuses every call).
        app.MapGet("/readyz", async (IAuditTrail audit, IGovernanceReadiness governance, CancellationToken ct) =>
            !await audit.IsReadyAsync(ct) ? NotReady("the audit store cannot take writes")
            : !await governance.IsReadyAsync(ct) ? NotReady("the governance state store cannot be read")
            : Results.Ok(new { status = "ready" }));
        return app;
    }

    private static IResult NotReady(string reason) =>
        Results.Json(new { status = "not ready", reason }, statusCode: StatusCodes.Status503ServiceUnavailable);

    /// <summary>Never a stack trace to the caller: bad HTTP gets its 4xx, anything else a plain 500 with the trace id.</summary>
    private static Task WriteUnhandledErrorAsync(HttpContext httpContext)
    {
        var exception = httpContext.Features.Get<IExceptionHandlerFeature>()?.Error;
        var traceId = GatewayHeaders.ResolveTraceId(httpContext);
        GatewayHeaders.SetTraceId(httpContext.Response, traceId);
        var error = exception is BadHttpRequestException bad
            ? new CallError(bad.StatusCode, "bad_request", "The HTTP request is malformed.")
            : new CallError(StatusCodes.Status500InternalServerError, "internal_error",
                $"The gateway failed unexpectedly; quote trace id {traceId} when reporting it.");
        return error.WriteAsync(httpContext.Response);
    }

    private static Task WriteStatusCodeErrorAsync(StatusCodeContext context)
    {
        var response = context.HttpContext.Response;
        var error = response.StatusCode switch
        {
            StatusCodes.Status404NotFound => CallError.NotFound("unknown_url", $"No endpoint {context.HttpContext.Request.Path}."),
            StatusCodes.Status405MethodNotAllowed => new CallError(405, "method_not_allowed",
                $"{context.HttpContext.Request.Method} is not allowed on {context.HttpContext.Request.Path}."),
            _ => new CallError(response.StatusCode, "http_error", $"HTTP {response.StatusCode}."),
        };
        return error.WriteAsync(response);
    }
}
