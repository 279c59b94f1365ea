using System.Text.Json;
using Microsoft.Extensions.Configuration.Json;

namespace XefAI.Gateway.Hosting;

/// <summary>
/// A JSON configuration file that survives a bad edit: if the file no longer parses, is deleted, or is
/// caught empty mid-write, the values last read stay in force and the rejection is reported, instead of the
/// stock provider's behaviour of silently dropping every value of the file.
/// </summary>
/// <remarks>It does not watch the file itself: <see cref="ConfigurationFiles"/> reads its folder's files again together.</remarks>
internal sealed class LastGoodJsonConfigurationSource : JsonConfigurationSource
{
    /// <summary>The file's full path, for messages.</summary>
    public string FullPath { get; private init; } = "";

    /// <summary>The provider built from this source, once the configuration has added it.</summary>
    internal Provider? Built { get; private set; }

    /// <summary>The folder's files, which end their watch when this file's provider is disposed.</summary>
    private ConfigurationFiles? Owner { get; init; }

    /// <summary>A source for the file <paramref name="name"/> of <paramref name="files"/>' folder.</summary>
    public static LastGoodJsonConfigurationSource For(ConfigurationFiles files, string name, bool optional) => new()
    {
        FullPath = System.IO.Path.Combine(files.Directory, name),
        Path = name,
        Optional = optional,
        ReloadOnChange = false,
        FileProvider = files.FileProvider,
        Owner = files,
    };

    public override IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        EnsureDefaults(builder);
        return Built = new Provider(this);
    }

    /// <summary>What reading a file again found.</summary>
    /// <param name="Changed">New values were read.</param>
    /// <param name="Rejection">Why the file's content was refused, its last good values staying; null when it was not.</param>
    internal readonly record struct FileRead(bool Changed, string? Rejection);

    internal sealed class Provider : JsonConfigurationProvider
    {
        private readonly LastGoodJsonConfigurationSource _source;
        private bool _hasValues;
        private bool _lastReadRejected;

        // The base class would watch and reload by itself, clearing every value when the file is missing or bad;
        // it gets a copy that does not watch, and this class reloads on its own terms.
        public Provider(LastGoodJsonConfigurationSource source)
            : base(new JsonConfigurationSource { Path = source.Path!, Optional = source.Optional, FileProvider = source.FileProvider, ReloadOnChange = false })
        {
            _source = source;
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

        /// <summary>
        /// Reads the file again, keeping its last good values when the new content is refused, and tells no one:
        /// <see cref="ConfigurationFiles"/> announces one reload for all the files an edit touched.
        /// </summary>
        public FileRead ReadAgain()
        {
            var file = Source.FileProvider!.GetFileInfo(Source.Path!);
            if (!file.Exists || file.Length == 0)
            {
                // An optional file that never had values and still has none is no edit at all.
                return _hasValues ? Rejected(file.Exists ? "the file is empty" : "the file was deleted") : default;
            }

            var before = Data;
            try
            {
                using var stream = file.CreateReadStream();
                Load(stream);
            }
            catch (Exception ex) when (ex is FormatException or JsonException or InvalidDataException or IOException)
            {
                // The data of the last good read is untouched: Load(stream) replaces it only after a full parse.
                return Rejected($"the file does not parse: {Describe(ex)}");
            }

            // The same values again (a second notice of one edit, a touched file) are no new configuration; the first
            // good read after a refused one is, so the operator sees the repaired file taken.
            var changed = !_hasValues || _lastReadRejected || !SameValues(before, Data);
            _hasValues = true;
            _lastReadRejected = false;
            return new FileRead(changed, null);
        }

        /// <summary>Tells the configuration's listeners (options, YARP) that values changed.</summary>
        public void AnnounceReload() => OnReload();

        protected override void Dispose(bool disposing)
        {
            _source.Owner?.Dispose();
            base.Dispose(disposing);
        }

        private static bool SameValues(IDictionary<string, string?> before, IDictionary<string, string?> after) =>
            before.Count == after.Count
            && before.All(pair => after.TryGetValue(pair.Key, out var value) && string.Equals(value, pair.Value, StringComparison.Ordinal));

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

        private FileRead Rejected(string reason)
        {
            _lastReadRejected = true;
            return new FileRead(false, reason);
        }
    }
}
