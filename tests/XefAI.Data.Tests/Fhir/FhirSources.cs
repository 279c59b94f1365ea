using Microsoft.Extensions.Options;
using XefAI.Data.Fhir;
using XefAI.Data.Configuration;

namespace XefAI.Data.Tests.Fhir;

/// <summary>The FHIR context source with fixed data options, as the host would build it.</summary>
internal static class FhirSources
{
    public static FhirResourceSource Create(DataOptions? options = null) => new(new FixedOptions(options ?? new DataOptions()));

    private sealed class FixedOptions(DataOptions value) : IOptionsMonitor<DataOptions>
    {
        public DataOptions CurrentValue => value;

        public DataOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<DataOptions, string?> listener) => null;
    }
}
