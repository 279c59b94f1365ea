using Microsoft.Extensions.Configuration;

namespace XefAI.Governance.Tests;

/// <summary>An in-memory configuration source whose whole content can be replaced, firing a reload like an edited file.</summary>
internal sealed class ReloadableConfigurationSource(IDictionary<string, string?> initial) : IConfigurationSource
{
    private readonly ReloadableProvider _provider = new(initial);

    public IConfigurationProvider Build(IConfigurationBuilder builder) => _provider;

    public void Replace(IDictionary<string, string?> data) => _provider.Replace(data);

    private sealed class ReloadableProvider : ConfigurationProvider
    {
        public ReloadableProvider(IDictionary<string, string?> data)
        {
            Data = new Dictionary<string, string?>(data, StringComparer.OrdinalIgnoreCase);
        }

        public void Replace(IDictionary<string, string?> data)
        {
            Data = new Dictionary<string, string?>(data, StringComparer.OrdinalIgnoreCase);
            OnReload();
        }
    }
}
