using System.Security.Cryptography;
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
    private Func<string>? _folderOf;
    private string? _folderSeen;
    private string? _folderWatched;
    private CancellationTokenSource? _rewatch;

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

    /// <summary>
    /// Also watches a folder the configuration names (the prompt templates), asked for anew at each change since an
    /// edit may move it: a change of any file in it is a reload like an edit of a configuration file, though no
    /// configuration value changed. Only a folder inside this one is watched, by the same watch (no inotify instance
    /// more); call before <see cref="Watch"/>.
    /// </summary>
    /// <param name="fullPath">The folder's full path as the configuration names it now.</param>
    public void WatchFolder(Func<string> fullPath) => _folderOf = fullPath;

    /// <summary>Starts watching every file added (one inotify instance for the folder on Linux).</summary>
    public void Watch()
    {
        if (_watch is not null)
        {
            return;
        }

        _folderSeen = FolderFingerprint();
        _watch = ChangeToken.OnChange(
            () => new CompositeChangeToken([.. _files.Select(f => _folder.Watch(f.Path!)), .. WatchedFolder()]),
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

            // After the files: an edit that moved the folder is compared with the folder it names now.
            if (_folderOf is not null && FolderFingerprint() is var seen && seen != _folderSeen)
            {
                _folderSeen = seen;
                changed.Add(_folderOf());
            }

            // The watch in place was taken before this read (so no change is missed while it runs): if the edit moved
            // the folder, it watches the old one, and is replaced by one of the new folder.
            if (_folderOf is not null && !string.Equals(_folderOf(), _folderWatched, StringComparison.Ordinal) && Volatile.Read(ref _disposed) == 0)
            {
                _rewatch?.Cancel();
            }

            if (changed.Count > 0 || rejected.Count > 0)
            {
                Reloaded?.Invoke(new ConfigurationFilesReload(changed, rejected));
            }
        }
    }

    private IEnumerable<IChangeToken> WatchedFolder()
    {
        if (_folderOf is null)
        {
            yield break;
        }

        // Cancelled to have the watch taken again, of the folder the configuration names then.
        var rewatch = new CancellationTokenSource();
        // The one it replaces is not disposed: a read on another thread may still cancel it (it holds no timer or handle).
        Interlocked.Exchange(ref _rewatch, rewatch);
        yield return new CancellationChangeToken(rewatch.Token);

        _folderWatched = _folderOf();
        var relative = Path.GetRelativePath(Directory, _folderWatched);
        if (relative != ".." && !relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) && !Path.IsPathRooted(relative))
        {
            yield return _folder.Watch(relative.Replace(Path.DirectorySeparatorChar, '/').TrimEnd('/') + "/**/*");
        }
    }

    /// <summary>What the watched folder holds now: its files' names and contents, hashed; empty when it does not exist.</summary>
    private string FolderFingerprint()
    {
        if (_folderOf?.Invoke() is not { } folder || !System.IO.Directory.Exists(folder))
        {
            return string.Empty;
        }

        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(folder));
            foreach (var file in System.IO.Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                hash.AppendData(System.Text.Encoding.UTF8.GetBytes("\n" + Path.GetRelativePath(folder, file) + "\n"));
                hash.AppendData(File.ReadAllBytes(file));
            }

            return Convert.ToHexString(hash.GetHashAndReset());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Being written or unreadable: counted as a change, so the reload loads it and reports what it finds.
            return Guid.NewGuid().ToString("N");
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
