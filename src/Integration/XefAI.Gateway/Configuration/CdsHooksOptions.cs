namespace XefAI.Gateway.Configuration;

/// <summary>
/// The <c>CdsHooks</c> section: the CDS Hooks 2.0 services this gateway offers EHRs, each a way into one governed use
/// case. Protocol configuration, so it lives with the host, not with governance: a service only names the use case
/// whose template, tier and controls serve it.
/// </summary>
internal sealed class CdsHooksOptions
{
    public const string SectionName = "CdsHooks";

    /// <summary>Services keyed by their CDS service id, the last segment of <c>/cds-services/{id}</c>.</summary>
    public Dictionary<string, CdsServiceOptions> Services { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The EHRs (CDS clients) trusted to call with the specification's own authentication, a JWT they sign, keyed by a
    /// name of the operator's choosing. An EHR may also call with an app key, as every other client does.
    /// </summary>
    public Dictionary<string, CdsClientOptions> Clients { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The gateway's own address as EHRs know it (<c>https://cds.example.org</c>, with any path prefix a proxy adds),
    /// when a proxy stands in front of it. A client JWT's <c>aud</c> must be this plus the endpoint's path; without it,
    /// the URL the request arrived at (scheme, Host header, path).
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>
    /// The FHIR servers a hook's <c>fhirServer</c> may name, as base URLs (<c>https://ehr.example.org/fhir</c>): a request
    /// naming any other is refused 400 <c>invalid_fhir_server</c> before anything is fetched. A server matches an entry
    /// with the same scheme, host and port whose path is the entry's or below it. Empty (the default) takes any server
    /// the address rules allow, as before this setting; a deployment that knows its EHRs should list them, since a caller
    /// otherwise chooses which host the gateway sends its requests, and the bearer token it was given, to.
    /// </summary>
    public List<string> FhirServers { get; set; } = [];

    /// <summary>How far apart the EHR's clock and the gateway's may be when judging <c>exp</c> and <c>iat</c>.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// One trusted EHR: who it says it is (<c>iss</c>), where its public keys are, and which configured gateway app its
/// calls count as for grants, policy, rate limits and audit.
/// </summary>
internal sealed class CdsClientOptions
{
    /// <summary>The EHR's <c>iss</c> claim, compared exactly; one client per issuer.</summary>
    public string? Issuer { get; set; }

    /// <summary>The client id the EHR sends as <c>sub</c>; when set, any other <c>sub</c> is refused.</summary>
    public string? Subject { get; set; }

    /// <summary>
    /// The EHR's JWK Set URL (https; http only on loopback). A token's <c>jku</c> header is honoured only when it is
    /// this URL or one of <see cref="JwksUrls"/>: no other URL is ever fetched.
    /// </summary>
    public string? JwksUrl { get; set; }

    /// <summary>More JWK Set URLs of the same EHR, e.g. while it moves its keys.</summary>
    public List<string> JwksUrls { get; set; } = [];

    /// <summary>The EHR's public keys given inline, in JWK Set form (<c>{"keys":[…]}</c>), for an EHR that publishes none.</summary>
    public CdsJwksOptions? Jwks { get; set; }

    /// <summary>The configured gateway app (<c>Gateway:Clients</c>) the EHR's calls count as.</summary>
    public string? App { get; set; }

    /// <summary>Every configured JWK Set URL, <see cref="JwksUrl"/> first.</summary>
    public IEnumerable<string> AllJwksUrls() =>
        (JwksUrl is null ? JwksUrls : JwksUrls.Prepend(JwksUrl)).Where(u => !string.IsNullOrWhiteSpace(u)).Distinct(StringComparer.Ordinal);
}

/// <summary>A JWK Set written into configuration: public keys only.</summary>
internal sealed class CdsJwksOptions
{
    public List<CdsJwkOptions> Keys { get; set; } = [];
}

/// <summary>One public JSON Web Key (RFC 7517/7518 member names): RSA (<c>n</c>, <c>e</c>) or EC (<c>crv</c>, <c>x</c>, <c>y</c>).</summary>
internal sealed class CdsJwkOptions
{
    public string? Kty { get; set; }

    public string? Kid { get; set; }

    public string? Alg { get; set; }

    public string? Use { get; set; }

    public string? N { get; set; }

    public string? E { get; set; }

    public string? Crv { get; set; }

    public string? X { get; set; }

    public string? Y { get; set; }

    /// <summary>A private key's member: its presence refuses the configuration, a private key does not belong here.</summary>
    public string? D { get; set; }
}

/// <summary>One CDS service: the hook it answers, what discovery says of it and the use case that answers it.</summary>
internal sealed class CdsServiceOptions
{
    /// <summary>The use case (<c>Governance:UseCases</c>) whose prompt template answers the hook.</summary>
    public string? UseCase { get; set; }

    /// <summary>The CDS hook the service answers, e.g. <c>patient-view</c>.</summary>
    public string? Hook { get; set; }

    /// <summary>Human-friendly name shown in discovery.</summary>
    public string? Title { get; set; }

    /// <summary>What the service does, shown in discovery (required by the specification).</summary>
    public string? Description { get; set; }

    /// <summary>Prefetch templates by key: FHIR queries relative to the EHR's FHIR server, with <c>{{context.x}}</c> tokens.</summary>
    public Dictionary<string, string> Prefetch { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The cards' indicator: <c>info</c> (default), <c>warning</c> or <c>critical</c>.</summary>
    public string Indicator { get; set; } = "info";

    /// <summary>What an EHR must agree to before using the service, shown in discovery.</summary>
    public string? UsageRequirements { get; set; }
}
