using Microsoft.Extensions.Configuration;

namespace XefAI.Models.Tests.Support;

/// <summary>An in-memory configuration source whose whole content can be replaced, raising a reload like a watched file.</summary>
internal sealed class ReloadableConfigurationSource(IDictionary<string, string?> initial) : IConfigurationSource
{
    private readonly ReloadableProvider _provider = new(initial);

    public IConfigurationProvider Build(IConfigurationBuilder builder) => _provider;

    public void Replace(IDictionary<string, string?> data) => _provider.Replace(data);

    private sealed class ReloadableProvider : ConfigurationProvider
    {
        public ReloadableProvider(IDictionary<string, string?> data) => Set(data);

        public void Replace(IDictionary<string, string?> data)
        {
            Set(data);
            OnReload();
        }

        private void Set(IDictionary<string, string?> data) =>
            Data = new Dictionary<string, string?>(data, StringComparer.OrdinalIgnoreCase);
    }
}
