using System.Text.Json;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace XefAI.Gateway.Hosting;

/// <summary>
/// A JSON configuration file that survives a bad edit: if the file no longer parses, is deleted, or is
/// caught empty mid-write, the values last read stay in force and the rejection is reported, instead of the
/// stock provider's behaviour of silently dropping every value of the file.
/// </summary>
internal sealed class LastGoodJsonConfigurationSource : JsonConfigurationSource, IDisposable
{
    private PhysicalFileProvider? _ownedFileProvider;

    /// <summary>
    /// Raised after each reload of the file: the full path, and why the edit was rejected (null when its values
    /// were taken and every listener of the configuration has already seen them).
    /// </summary>
    public event Action<string, string?>? Reloaded;

    /// <summary>The file's full path, for messages.</summary>
    public string FullPath { get; private init; } = "";

    /// <summary>A source for <paramref name="fullPath"/>; it owns the file provider, so disposing it ends the watch.</summary>
    public static LastGoodJsonConfigurationSource For(string fullPath, bool optional, bool watch)
    {
        var provider = new PhysicalFileProvider(System.IO.Path.GetDirectoryName(fullPath)!);
        return new LastGoodJsonConfigurationSource
        {
            FullPath = fullPath,
            Path = System.IO.Path.GetFileName(fullPath),
            Optional = optional,
            ReloadOnChange = watch,
            FileProvider = provider,
            _ownedFileProvider = provider,
        };
    }

    public override IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        EnsureDefaults(builder);
        return new Provider(this);
    }

    /// <summary>Ends the file watch (its inotify instance on Linux).</summary>
    public void Dispose() => _ownedFileProvider?.Dispose();

    private void OnReloaded(string? rejection) => Reloaded?.Invoke(FullPath, rejection);

    private sealed class Provider : JsonConfigurationProvider
    {
        private readonly LastGoodJsonConfigurationSource _source;
        private readonly IDisposable? _watch;
        private bool _hasValues;

        // The base class would watch and reload by itself, clearing every value when the file is missing or bad;
        // it gets a copy that does not watch, and this class reloads on its own terms.
        public Provider(LastGoodJsonConfigurationSource source)
            : base(new JsonConfigurationSource { Path = source.Path!, Optional = source.Optional, FileProvider = source.FileProvider, ReloadOnChange = false })
        {
            _source = source;
            if (source.ReloadOnChange && source.FileProvider is { } files)
            {
                _watch = ChangeToken.OnChange(() => files.Watch(source.Path!), () =>
                {
                    // Editors write in several steps; waiting a moment lets most of them finish before the read.
                    Thread.Sleep(source.ReloadDelay);
                    Reload();
                });
            }
        }

        /// <summary>The first read, at start-up: a missing required file or one that does not parse refuses to start.</summary>
        public override void Load()
        {
            var file = Source.FileProvider!.GetFileInfo(Source.Path!);
            if (!file.Exists)
            {
                if (!Source.Optional)
                {
                    throw new GatewayConfigurationException([$"The configuration file {_source.FullPath} does not exist."]);
                }

                return;
            }

            try
            {
                using var stream = file.CreateReadStream();
                Load(stream);
                _hasValues = true;
            }
            catch (Exception ex) when (ex is FormatException or JsonException or InvalidDataException)
            {
                throw new GatewayConfigurationException([$"The configuration file {_source.FullPath} does not parse: {Describe(ex)}"]);
            }
        }

        protected override void Dispose(bool disposing)
        {
            _watch?.Dispose();
            _source.Dispose();
            base.Dispose(disposing);
        }

        private void Reload()
        {
            var rejection = Read();
            if (rejection is null)
            {
                try
                {
                    OnReload();
                }
                catch (AggregateException)
                {
                    // A listener refused the new values (an options validator); the reload observer reports why.
                }
            }

            if (rejection is not "")
            {
                _source.OnReloaded(rejection);
            }
        }

        /// <returns>Null when new values were read; a reason when the edit was rejected; empty when nothing changed.</returns>
        private string? Read()
        {
            var file = Source.FileProvider!.GetFileInfo(Source.Path!);
            if (!file.Exists || file.Length == 0)
            {
                // An optional file that never had values and still has none is no edit at all.
                return _hasValues ? (file.Exists ? "the file is empty" : "the file was deleted") : "";
            }

            try
            {
                using var stream = file.CreateReadStream();
                Load(stream);
                _hasValues = true;
                return null;
            }
            catch (Exception ex) when (ex is FormatException or JsonException or InvalidDataException or IOException)
            {
                // The data of the last good read is untouched: Load(stream) replaces it only after a full parse.
                return $"the file does not parse: {Describe(ex)}";
            }
        }

        private static string Describe(Exception ex) => ex switch
        {
            JsonException json => $"line {(json.LineNumber ?? 0) + 1}: {FirstSentence(json.Message)}",
            { InnerException: JsonException inner } => Describe(inner),
            _ => FirstSentence(ex.Message),
        };

        private static string FirstSentence(string message)
        {
            var end = message.IndexOf(". ", StringComparison.Ordinal);
            return end < 0 ? message : message[..(end + 1)];
        }
    }
}
