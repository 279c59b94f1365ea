namespace XefAI.Gateway.Configuration;

/// <summary>
/// The <c>ReverseProxy</c> section YARP forwards by: a copy of the configuration's, published only when the configuration
/// it belongs to is put in force. YARP watches the section it is given and would otherwise apply a cluster change (a
/// vendor's address, its TLS settings) from an edit the gateway rejected as a whole, sending calls where no valid
/// configuration ever said to. After a rejected edit YARP stays on the clusters of the configuration still in force.
/// </summary>
internal sealed class ProxyConfigurationInForce
{
    private const string SectionName = "ReverseProxy";

    private readonly IConfiguration _source;
    private readonly InForceProvider _provider;

    public ProxyConfigurationInForce(IConfiguration source)
    {
        _source = source;
        _provider = new InForceProvider(Capture());
        Root = new ConfigurationRoot([_provider]);
    }

    /// <summary>The copy in force; its reload token fires on each publication.</summary>
    public IConfigurationRoot Root { get; }

    /// <summary>The section to give YARP's <c>LoadFromConfig</c>.</summary>
    public IConfigurationSection Section => Root.GetSection(SectionName);

    /// <summary>The section as the configuration has it now, to be published if that configuration is put in force.</summary>
    public Dictionary<string, string?> Capture() => _source.GetSection(SectionName).AsEnumerable()
        .Where(pair => pair.Value is not null)
        .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.OrdinalIgnoreCase);

    /// <summary>Puts a captured section in force; YARP reloads from it.</summary>
    public void Publish(Dictionary<string, string?> captured) => _provider.Replace(captured);

    private sealed class InForceProvider(Dictionary<string, string?> initial) : ConfigurationProvider
    {
        public override void Load() => Data = initial;

        public void Replace(Dictionary<string, string?> values)
        {
            Data = values;
            OnReload();
        }
    }
}
