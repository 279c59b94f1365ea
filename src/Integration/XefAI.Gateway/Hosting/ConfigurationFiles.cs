using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace XefAI.Gateway.Hosting;

/// <summary>
/// The configuration files of one folder, watched with one watch and read again together: an edit that touches
/// several files (an operator's deployment tool, a mounted ConfigMap swapped whole) becomes one reload, so the
/// gateway never judges, or serves, the half-edited configuration between two files.
/// </summary>
internal sealed class ConfigurationFiles : IDisposable
{
    private readonly PhysicalFileProvider _folder;
    private readonly List<LastGoodJsonConfigurationSource> _files = [];
    private readonly Lock _gate = new();
    private IDisposable? _watch;
    private int _disposed;

    public ConfigurationFiles(string directory)
    {
        Directory = directory;
        _folder = new PhysicalFileProvider(directory);
    }

    /// <summary>
    /// Raised after each reload that found something: the files whose new values were taken (every listener of the
    /// configuration has already seen them) and those whose edit was refused, with why.
    /// </summary>
    public event Action<ConfigurationFilesReload>? Reloaded;

    public string Directory { get; }

    public IReadOnlyList<LastGoodJsonConfigurationSource> Files => _files;

    /// <summary>
    /// How long to wait after the first change is noticed before reading: editors and deployment tools write in
    /// several steps, and every file written in this time is read in the same reload.
    /// </summary>
    public TimeSpan ReloadDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    internal IFileProvider FileProvider => _folder;

    /// <summary>A source for one file of the folder; add it to the configuration.</summary>
    public LastGoodJsonConfigurationSource Add(string name, bool optional)
    {
        var file = LastGoodJsonConfigurationSource.For(this, name, optional);
        _files.Add(file);
        return file;
    }

    /// <summary>Starts watching every file added (one inotify instance for the folder on Linux).</summary>
    public void Watch()
    {
        _watch ??= ChangeToken.OnChange(
            () => new CompositeChangeToken([.. _files.Select(f => _folder.Watch(f.Path!))]),
            () =>
            {
                Thread.Sleep(ReloadDelay);
                ReadAgain();
            });
    }

    /// <summary>Reads every file again and announces one reload for all of them.</summary>
    internal void ReadAgain()
    {
        lock (_gate)
        {
            var changed = new List<string>();
            var rejected = new List<(string Path, string Reason)>();
            LastGoodJsonConfigurationSource.Provider? announcer = null;
            foreach (var file in _files)
            {
                if (file.Built is not { } provider)
                {
                    continue;
                }

                var read = provider.ReadAgain();
                if (read.Rejection is { } reason)
                {
                    rejected.Add((file.FullPath, reason));
                }
                else if (read.Changed)
                {
                    changed.Add(file.FullPath);
                    announcer ??= provider;
                }
            }

            if (announcer is not null)
            {
                // Every provider's values are in place: one announcement (any provider's reload fires the whole
                // configuration's) has every listener rebind once, from all the files as they now are.
                try
                {
                    announcer.AnnounceReload();
                }
                catch (AggregateException)
                {
                    // A listener refused the new values (an options validator); the reload observer reports why.
                }
            }

            if (changed.Count > 0 || rejected.Count > 0)
            {
                Reloaded?.Invoke(new ConfigurationFilesReload(changed, rejected));
            }
        }
    }

    /// <summary>Ends the watch (its inotify instance on Linux).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _watch?.Dispose();
        _folder.Dispose();
    }
}

/// <summary>One reload of a folder's configuration files.</summary>
/// <param name="Changed">Full paths of the files whose new values were taken.</param>
/// <param name="Rejected">Files whose edit was refused, their last good values staying, and why.</param>
internal sealed record ConfigurationFilesReload(IReadOnlyList<string> Changed, IReadOnlyList<(string Path, string Reason)> Rejected);
