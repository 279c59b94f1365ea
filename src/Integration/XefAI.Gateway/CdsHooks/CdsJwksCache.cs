using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Microsoft.IdentityModel.Tokens;

namespace XefAI.Gateway.CdsHooks;

/// <summary>
/// The EHRs' JWK Sets, fetched from their configured URLs and kept for a while. A key id not in the set kept causes a
/// fresh fetch, at most once per <see cref="MinRefreshInterval"/> per URL, so an EHR that rotates its keys is followed
/// at once and a stream of tokens naming unknown keys cannot make the gateway fetch without end. Only URLs of the
/// configuration reach here: a token never names what is fetched.
/// </summary>
internal sealed partial class CdsJwksCache : IDisposable
{
    /// <summary>How long a fetched set is used before it is fetched again.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(10);

    /// <summary>The least time between two fetches of one URL, successful or not.</summary>
    public static readonly TimeSpan MinRefreshInterval = TimeSpan.FromSeconds(30);

    /// <summary>How long a fetch may take before the token it was for is refused.</summary>
    public static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Largest JWK Set read; a set of a few keys is a few KB.</summary>
    public const int MaxBytes = 256 * 1024;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public CdsJwksCache(TimeProvider time, ILogger logger, HttpMessageHandler? handler = null)
    {
        _time = time;
        _logger = logger;

        // No redirects: the configured URL is the one trusted, not wherever it points.
        _http = new HttpClient(handler ?? new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = MaxBytes,
        };
    }

    /// <summary>
    /// The keys published at <paramref name="url"/>: the set kept if it is fresh and, when <paramref name="kid"/> is
    /// given, holds that key; otherwise a fresh fetch if the last was long enough ago. Null when the set could not be
    /// had at all (the fetch failed and nothing was kept).
    /// </summary>
    public async ValueTask<IReadOnlyList<SecurityKey>?> GetKeysAsync(string url, string? kid, CancellationToken cancellationToken)
    {
        var entry = _entries.GetOrAdd(url, _ => new Entry());
        var keys = entry.Keys;
        if (keys is not null && !IsStale(entry) && (kid is null || keys.Any(k => k.KeyId == kid)))
        {
            return keys;
        }

        await entry.Fetching.WaitAsync(cancellationToken);
        try
        {
            // Another request may have fetched while this one waited.
            keys = entry.Keys;
            if (keys is not null && !IsStale(entry) && (kid is null || keys.Any(k => k.KeyId == kid)))
            {
                return keys;
            }

            var now = _time.GetUtcNow();
            if (entry.LastAttempt is { } last && now - last < MinRefreshInterval)
            {
                return keys;
            }

            entry.LastAttempt = now;
            var fetched = await FetchAsync(url, cancellationToken);
            if (fetched is not null)
            {
                entry.Keys = fetched;
                entry.Fetched = now;
            }

            // A failed fetch keeps the last good set: an EHR's keys do not stop being its keys when its server blinks.
            return entry.Keys;
        }
        finally
        {
            entry.Fetching.Release();
        }
    }

    public void Dispose() => _http.Dispose();

    private bool IsStale(Entry entry) => _time.GetUtcNow() - entry.Fetched > MaxAge;

    private async Task<IReadOnlyList<SecurityKey>?> FetchAsync(string url, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(FetchTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token);
            if (!response.IsSuccessStatusCode)
            {
                LogFetchRefused(_logger, url, (int)response.StatusCode);
                return null;
            }

            var set = new JsonWebKeySet(await response.Content.ReadAsStringAsync(linked.Token));
            var keys = new List<SecurityKey>();
            foreach (var jwk in set.Keys)
            {
                if (CdsJsonWebKeys.ToSecurityKey(jwk, out _) is { } key)
                {
                    keys.Add(key);
                }
            }

            return keys;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogFetchTimedOut(_logger, url);
            return null;
        }
        catch (Exception ex) when (ex is HttpRequestException or ArgumentException or InvalidOperationException)
        {
            // ArgumentException: the body is not a JWK Set (the library's parse error); InvalidOperationException: too large.
            LogFetchFailed(_logger, url, ex.GetType().Name);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The JWK Set at {Url} answered {Status}; CDS client tokens it should verify are refused.")]
    private static partial void LogFetchRefused(ILogger logger, string url, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The JWK Set at {Url} did not answer in time; CDS client tokens it should verify are refused.")]
    private static partial void LogFetchTimedOut(ILogger logger, string url);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The JWK Set at {Url} could not be read ({Error}); CDS client tokens it should verify are refused.")]
    private static partial void LogFetchFailed(ILogger logger, string url, string error);

    private sealed class Entry
    {
        public SemaphoreSlim Fetching { get; } = new(1, 1);

        public IReadOnlyList<SecurityKey>? Keys { get; set; }

        public DateTimeOffset Fetched { get; set; }

        public DateTimeOffset? LastAttempt { get; set; }
    }
}
