using Microsoft.Extensions.Options;
using XefAI.Data.Fhir;
using XefAI.Data.Configuration;

namespace XefAI.Data.Tests.Fhir;

/// <summary>The FHIR context source with fixed data options, as the host would build it.</summary>
internal static class FhirSources
{
    public static FhirResourceSource Create(DataOptions? options = null) => new(Monitor(options ?? new DataOptions()));

    /// <summary>Options that never change, for the data layer's classes that read an options monitor.</summary>
    public static IOptionsMonitor<DataOptions> Monitor(DataOptions options) => new FixedOptions(options);

    private sealed class FixedOptions(DataOptions value) : IOptionsMonitor<DataOptions>
    {
        public DataOptions CurrentValue => value;

        public DataOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<DataOptions, string?> listener) => null;
    }
}
