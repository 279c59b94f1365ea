using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace XefAI.Models.Providers;

/// <summary>The provider plugins the host registered, found by kind.</summary>
internal sealed class ModelProviderCatalog : IModelProviderCatalog
{
    private readonly FrozenDictionary<string, IModelProvider> _byKind;

    public ModelProviderCatalog(IEnumerable<IModelProvider> providers)
    {
        ArgumentNullException.ThrowIfNull(providers);

        var byKind = new Dictionary<string, IModelProvider>(StringComparer.OrdinalIgnoreCase);
        foreach (var provider in providers)
        {
            if (string.IsNullOrWhiteSpace(provider.Kind))
            {
                throw new InvalidOperationException($"Model provider {provider.GetType().FullName} declares no kind.");
            }

            // A silent winner would route a deployment to whichever plugin happened to load first.
            if (!byKind.TryAdd(provider.Kind, provider))
            {
                var existing = byKind[provider.Kind];
                throw new InvalidOperationException(existing.GetType() == provider.GetType()
                    ? $"Model provider {provider.GetType().FullName} is registered twice for kind '{provider.Kind}'."
                    : $"Model providers {existing.GetType().FullName} and {provider.GetType().FullName} both declare kind '{provider.Kind}'.");
            }
        }

        _byKind = byKind.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        Kinds = [.. byKind.Keys.Order(StringComparer.OrdinalIgnoreCase)];
    }

    public IReadOnlyCollection<string> Kinds { get; }

    public bool TryGet(string kind, [NotNullWhen(true)] out IModelProvider? provider)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return _byKind.TryGetValue(kind, out provider);
    }
}
