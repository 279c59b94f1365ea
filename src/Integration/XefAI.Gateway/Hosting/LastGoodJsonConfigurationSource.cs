using Microsoft.Extensions.Configuration.Json;

namespace XefAI.Gateway.Hosting;

/// <summary>
/// A watched JSON file that survives a bad edit: if the file no longer parses (a typo, or an editor caught
/// mid-write), the values last read stay in force and the rejection is reported, instead of the stock
/// provider's behaviour of silently dropping every value of the file.
/// </summary>
internal sealed class LastGoodJsonConfigurationSource : JsonConfigurationSource
{
    /// <summary>Raised when an edit is rejected: the file path and the parser's complaint.</summary>
    public event Action<string, Exception>? Rejected;

    public override IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        EnsureDefaults(builder);
        return new Provider(this);
    }

    private sealed class Provider(LastGoodJsonConfigurationSource source) : JsonConfigurationProvider(source)
    {
        private bool _loaded;

        public override void Load(Stream stream)
        {
            try
            {
                base.Load(stream);
                _loaded = true;
            }
            catch (Exception ex) when (_loaded && ex is FormatException or System.Text.Json.JsonException or InvalidDataException)
            {
                // The data of the last good read is untouched: base.Load replaces it only after a full parse.
                source.Rejected?.Invoke(source.Path ?? "?", ex);
            }
        }
    }
}
