using XefAI.Models;

namespace XefAI.Gateway.Configuration;

/// <summary>The <c>Gateway</c> section: limits, plugin folder, client apps and administrators.</summary>
internal sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>Largest request body accepted; larger ones get 413 before they are parsed.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Largest vendor answer the gateway buffers.</summary>
    public long MaxResponseBodyBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Deepest JSON nesting accepted in a request body.</summary>
    public int MaxJsonDepth { get; set; } = 64;

    /// <summary>Most messages accepted in one chat request.</summary>
    public int MaxMessages { get; set; } = 1000;

    /// <summary>Most inputs accepted in one embeddings request; OpenAI's own limit is the default.</summary>
    public int MaxEmbeddingInputs { get; set; } = EmbeddingRequestLimits.OpenAIMaxInputs;

    /// <summary>A stream whose vendor sends nothing for this long ends with an error event.</summary>
    public TimeSpan StreamIdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest line of a vendor's event stream; a longer one ends the stream with an error.</summary>
    public int MaxStreamLineBytes { get; set; } = 1024 * 1024;

    /// <summary>How long a vendor may stay silent before the call fails with 504.</summary>
    public TimeSpan VendorTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>The request-shape limits, as one value for the parsers.</summary>
    public RequestLimits RequestLimits => new(MaxJsonDepth, MaxMessages);

    /// <summary>
    /// The gateway's address as its clients reach it (e.g. <c>https://ai-gateway.example.org</c>), for the absolute links
    /// it writes (a FHIR Bundle's <c>self</c>, <c>next</c> and <c>fullUrl</c>s); unset, they follow the request's scheme
    /// and <c>Host</c> header. Read at start.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Folder scanned for plugin assemblies; relative paths are resolved against the content root.</summary>
    public string? PluginsPath { get; set; } = "plugins";

    /// <summary>Load shedding: how many governed calls run at once, and how many may wait (<c>Gateway:Overload</c>).</summary>
    public OverloadOptions Overload { get; set; } = new();

    /// <summary>Drift of each use case's answers against its baseline (<c>Gateway:Drift</c>).</summary>
    public DriftOptions Drift { get; set; } = new();

    /// <summary>Client apps keyed by app id.</summary>
    public Dictionary<string, ClientAppOptions> Clients { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Administrators keyed by name; the name is recorded as who acted.</summary>
    public Dictionary<string, AdminOptions> Admins { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A workflow app allowed to call the gateway.</summary>
internal sealed class ClientAppOptions
{
    /// <summary>
    /// SHA-256 (hex) of the app's API key; the key itself is never stored. Left out for an app that only CDS Hooks
    /// clients call as (<c>CdsHooks:Clients:*:App</c>), authenticated by their JWTs: no key, empty or not, is ever
    /// that app's.
    /// </summary>
    public string? ApiKeySha256 { get; set; }

    /// <summary>Use cases this app may call.</summary>
    public List<string> UseCases { get; set; } = [];
}

/// <summary>An administrator of the governance API.</summary>
internal sealed class AdminOptions
{
    /// <summary>SHA-256 (hex) of the admin key.</summary>
    public string? ApiKeySha256 { get; set; }
}
