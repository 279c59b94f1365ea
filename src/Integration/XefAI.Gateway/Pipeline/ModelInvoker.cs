using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;
using XefAI.Gateway.Configuration;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline;

/// <summary>
/// Calls the provider of a deployment: in process, or through YARP to a destination of the deployment's
/// cluster. Vendor addresses, keys and load balancing come from the standard <c>ReverseProxy</c> section.
/// </summary>
internal sealed class ModelInvoker
{
    /// <summary>Cluster or destination metadata naming the environment variable that holds the vendor key.</summary>
    public const string ApiKeyVariableMetadata = "ApiKeyVariable";

    private static readonly string DefaultLoadBalancingPolicy = LoadBalancingPolicies.PowerOfTwoChoices;

    private readonly IModelProviderCatalog _providers;
    private readonly IProxyStateLookup _proxyState;
    private readonly IHttpForwarder _forwarder;
    private readonly Dictionary<string, ILoadBalancingPolicy> _loadBalancers;
    private readonly IOptionsMonitor<GatewayOptions> _options;

    public ModelInvoker(
        IModelProviderCatalog providers,
        IProxyStateLookup proxyState,
        IHttpForwarder forwarder,
        IEnumerable<ILoadBalancingPolicy> loadBalancers,
        IOptionsMonitor<GatewayOptions> options)
    {
        _providers = providers;
        _proxyState = proxyState;
        _forwarder = forwarder;
        _loadBalancers = loadBalancers.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        _options = options;
    }

    public async Task<ModelResponse> InvokeAsync(HttpContext httpContext, ModelRequest request, CancellationToken cancellationToken)
    {
        var deployment = request.Deployment;
        if (!_providers.TryGet(deployment.Kind, out var provider))
        {
            throw ProviderCallException.Unavailable(
                "provider_unavailable", $"No provider plugin of kind '{deployment.Kind}' is loaded for deployment '{deployment.Id}'.");
        }

        return provider switch
        {
            IInProcessModelProvider inProcess => await inProcess.CompleteAsync(request, cancellationToken),
            IHttpModelProvider http => await ForwardAsync(httpContext, http, request),
            _ => throw ProviderCallException.Unavailable(
                "provider_unavailable", $"Provider '{deployment.Kind}' is neither an HTTP nor an in-process provider."),
        };
    }

    private async Task<ModelResponse> ForwardAsync(HttpContext httpContext, IHttpModelProvider provider, ModelRequest request)
    {
        var deployment = request.Deployment;
        if (deployment.Cluster is null || !_proxyState.TryGetCluster(deployment.Cluster, out var cluster))
        {
            throw ProviderCallException.Unavailable(
                "vendor_not_configured",
                $"Deployment '{deployment.Id}' names cluster '{deployment.Cluster}', which is not in ReverseProxy:Clusters.");
        }

        var destination = PickDestination(httpContext, cluster)
            ?? throw ProviderCallException.Unavailable(
                "vendor_unavailable", $"Cluster '{cluster.ClusterId}' has no healthy destination.");
        var endpoint = ResolveEndpoint(cluster, destination);
        var options = _options.CurrentValue;
        var vendorRequest = provider.CreateRequest(request, endpoint);
        var transformer = new VendorTransformer(vendorRequest, options.MaxResponseBodyBytes);
        var requestConfig = new ForwarderRequestConfig { ActivityTimeout = options.VendorTimeout };

        // YARP streams the incoming request body to the vendor; the provider's translation takes its place.
        var incoming = httpContext.Request;
        incoming.Body = new MemoryStream(vendorRequest.Body.ToArray(), writable: false);
        incoming.ContentLength = vendorRequest.Body.Length;
        incoming.ContentType = vendorRequest.ContentType;

        var error = await _forwarder.SendAsync(
            httpContext, destination.Model.Config.Address, cluster.Model.HttpClient, requestConfig, transformer);

        // YARP may have set a status for its own error response; the gateway writes the response itself.
        httpContext.Response.Clear();
        if (error != ForwarderError.None || transformer.Response is null)
        {
            throw DescribeForwardFailure(endpoint.Name, error, transformer.ReadFailure);
        }

        try
        {
            return provider.ReadResponse(request, transformer.Response);
        }
        catch (VendorResponseException ex)
        {
            throw ProviderCallException.BadGateway(
                ex.VendorStatusCode is null ? "vendor_invalid_response" : "vendor_error",
                $"Model vendor '{endpoint.Name}' ({provider.Kind}) failed: {ex.Message}");
        }
    }

    private DestinationState? PickDestination(HttpContext httpContext, ClusterState cluster)
    {
        var available = cluster.DestinationsState.AvailableDestinations;
        if (available.Count <= 1)
        {
            return available.Count == 1 ? available[0] : null;
        }

        var policyName = cluster.Model.Config.LoadBalancingPolicy ?? DefaultLoadBalancingPolicy;
        return _loadBalancers.TryGetValue(policyName, out var policy)
            ? policy.PickDestination(httpContext, cluster, available)
            : available[0];
    }

    private static VendorEndpoint ResolveEndpoint(ClusterState cluster, DestinationState destination)
    {
        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var source in new[] { cluster.Model.Config.Metadata, destination.Model.Config.Metadata })
        {
            if (source is null)
            {
                continue;
            }

            foreach (var (key, value) in source)
            {
                metadata[key] = value;
            }
        }

        var name = $"{cluster.ClusterId}/{destination.DestinationId}";
        string? apiKey = null;
        if (metadata.TryGetValue(ApiKeyVariableMetadata, out var variable) && !string.IsNullOrWhiteSpace(variable))
        {
            apiKey = Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrEmpty(apiKey))
            {
                throw ProviderCallException.Unavailable(
                    "vendor_key_missing",
                    $"Model vendor '{name}' needs its key in environment variable {variable}, which is not set.");
            }
        }

        return new VendorEndpoint(name, apiKey, metadata);
    }

    private static ProviderCallException DescribeForwardFailure(string vendor, ForwarderError error, string? readFailure)
    {
        if (readFailure is not null)
        {
            return ProviderCallException.BadGateway("vendor_invalid_response", $"Model vendor '{vendor}' failed: {readFailure}.");
        }

        return error switch
        {
            ForwarderError.RequestTimedOut or ForwarderError.ResponseBodyCanceled =>
                ProviderCallException.Timeout($"Model vendor '{vendor}' did not answer in time."),
            ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled =>
                new ProviderCallException(new OpenAI.OpenAIError(499, "client_closed", "client_closed", "The client closed the request.")),
            ForwarderError.Request or ForwarderError.RequestCreation or ForwarderError.RequestBodyDestination =>
                ProviderCallException.BadGateway("vendor_unreachable", $"Model vendor '{vendor}' could not be reached."),
            _ => ProviderCallException.BadGateway("vendor_error", $"Model vendor '{vendor}' failed ({error})."),
        };
    }
}
