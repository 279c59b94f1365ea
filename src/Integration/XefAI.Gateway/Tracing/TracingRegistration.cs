using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;

namespace XefAI.Gateway.Tracing;

/// <summary>
/// Turns on OpenTelemetry tracing when there is somewhere to send the spans: <c>Telemetry:Otlp:Endpoint</c>, else the
/// standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>. <c>Telemetry:Tracing:Enabled</c> (default true) turns it off. With no
/// exporter, no tracer provider listens, so the gateway's spans are not even created. Read once at start-up.
/// </summary>
internal static class TracingRegistration
{
    public const string EnabledKey = "Telemetry:Tracing:Enabled";
    public const string EndpointKey = "Telemetry:Otlp:Endpoint";
    public const string ProtocolKey = "Telemetry:Otlp:Protocol";
    public const string StandardEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string StandardProtocolKey = "OTEL_EXPORTER_OTLP_PROTOCOL";

    /// <summary>YARP's own activity source, so its forwarding spans (where it makes them) join the attempt's.</summary>
    private const string YarpSource = "Yarp.ReverseProxy";

    /// <returns>Whether a tracer provider was set up.</returns>
    public static bool AddGatewayTracing(this IServiceCollection services, IConfiguration configuration)
    {
        var enabled = configuration[EnabledKey] is not { Length: > 0 } flag
            || (bool.TryParse(flag, out var on) ? on : throw new InvalidOperationException($"{EnabledKey} must be true or false."));
        var endpoint = configuration[EndpointKey];
        var standardEndpoint = configuration[StandardEndpointKey];
        if (!enabled || (string.IsNullOrWhiteSpace(endpoint) && string.IsNullOrWhiteSpace(standardEndpoint)))
        {
            return false;
        }

        // A configured endpoint is given with its protocol (else the standard variable's, else gRPC), so the HTTP
        // path can be completed; otherwise the exporter reads the OTEL_EXPORTER_OTLP_* variables itself.
        var protocol = ParseProtocol(configuration[ProtocolKey], ProtocolKey);
        Uri? exportTo = null;
        if (!string.IsNullOrWhiteSpace(endpoint))
        {
            protocol ??= ParseProtocol(configuration[StandardProtocolKey], StandardProtocolKey) ?? OtlpExportProtocol.Grpc;
            exportTo = ExportUri(endpoint, protocol.Value);
        }

        services.AddOpenTelemetry().WithTracing(tracing => tracing
            .AddSource(GatewayTracing.SourceName, YarpSource)
            .AddAspNetCoreInstrumentation(o =>
            {
                o.RecordException = false;

                // Scrapes and probes are not calls: a span for each would only bury the calls' traces.
                o.Filter = context => !IsUntraced(context.Request.Path);
            })
            .AddHttpClientInstrumentation(o => o.RecordException = false)

            // Before the exporter: what leaves the process has no query string and no literal path of a request.
            .AddProcessor(new UrlScrubbingProcessor())
            .AddOtlpExporter(o =>
            {
                if (protocol is { } p)
                {
                    o.Protocol = p;
                }

                if (exportTo is not null)
                {
                    o.Endpoint = exportTo;
                }
            }));

        return true;
    }

    private static bool IsUntraced(PathString path) =>
        path.StartsWithSegments("/metrics") || path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz");

    /// <summary><c>grpc</c> or <c>http/protobuf</c>; unset leaves the exporter's own default (and OTEL_EXPORTER_OTLP_PROTOCOL).</summary>
    public static OtlpExportProtocol? ParseProtocol(string? value, string setting = ProtocolKey) => value switch
    {
        null or "" => null,
        "grpc" => OtlpExportProtocol.Grpc,
        "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
        _ => throw new InvalidOperationException($"{setting} must be 'grpc' or 'http/protobuf'."),
    };

    /// <summary>
    /// The collector's base address, as OTEL_EXPORTER_OTLP_ENDPOINT is given; over HTTP the exporter posts to
    /// <c>/v1/traces</c> beneath it (a configured address already ending so is taken as it is).
    /// </summary>
    public static Uri ExportUri(string endpoint, OtlpExportProtocol protocol)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidOperationException($"{EndpointKey} must be an absolute http or https address.");
        }

        if (protocol != OtlpExportProtocol.HttpProtobuf || uri.AbsolutePath.EndsWith("/v1/traces", StringComparison.Ordinal))
        {
            return uri;
        }

        return new Uri(uri.GetLeftPart(UriPartial.Authority) + uri.AbsolutePath.TrimEnd('/') + "/v1/traces");
    }

    /// <summary>
    /// Keeps URLs' query strings (where vendor keys and search parameters travel) and literal paths (a FHIR read names
    /// its patient) out of exported spans: a server span keeps its route template, a client span (a vendor, a FHIR
    /// server) only its scheme, host and port. A server span keeps only the attributes of <see cref="ServerSpanTags"/>:
    /// the instrumentation also records what the caller wrote freely (<c>user_agent.original</c>, the <c>Host</c>
    /// header as <c>server.address</c>, an unknown method as <c>http.request.method_original</c>), where a patient's
    /// name can travel. Whoever set those attributes (the runtime or the instrumentation), they are replaced as the
    /// span ends, before the exporter sees it.
    /// </summary>
    private sealed class UrlScrubbingProcessor : BaseProcessor<Activity>
    {
        /// <summary>What a server span may carry besides the gateway's own <c>xefai.*</c> attributes: codes and numbers.</summary>
        private static readonly HashSet<string> ServerSpanTags = new(StringComparer.Ordinal)
        {
            "http.request.method", "http.route", "http.response.status_code", "url.scheme", "url.path", "server.port",
            "network.protocol.version", "error.type",
        };

        public override void OnEnd(Activity data)
        {
            if (data.Kind == ActivityKind.Server)
            {
                data.SetTag("url.path", data.GetTagItem("http.route") as string);
                List<string>? dropped = null;
                foreach (var tag in data.TagObjects)
                {
                    if (!ServerSpanTags.Contains(tag.Key) && !tag.Key.StartsWith("xefai.", StringComparison.Ordinal))
                    {
                        (dropped ??= []).Add(tag.Key);
                    }
                }

                foreach (var key in dropped ?? [])
                {
                    data.SetTag(key, null);
                }
            }
            else if (data.GetTagItem("url.full") is string full)
            {
                data.SetTag("url.full", Uri.TryCreate(full, UriKind.Absolute, out var url) ? url.GetLeftPart(UriPartial.Authority) : null);
            }
        }
    }
}
