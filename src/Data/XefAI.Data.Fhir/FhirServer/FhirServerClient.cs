using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace XefAI.Data.FhirServer;

/// <summary>
/// Fetches FHIR resources and searches over HTTP, within <see cref="FhirServerOptions"/>: a timeout per request and per
/// fetch, a size limit per page, a page and entry limit, one retry on a transient failure. Redirects and paging links
/// are followed only within the base URL's origin; every connection is checked against <see cref="FhirServerAddresses"/>
/// after DNS resolution, so a name that resolves to a metadata address is refused too.
/// </summary>
internal sealed class FhirServerClient : IFhirServerClient, IDisposable
{
    private const int MaxRedirects = 3;
    private const int MaxJsonDepth = 64;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);
    // Names stay as written (no \u escapes), so whatever reads the merged Bundle as text sees what the server sent.
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly IOptionsMonitor<FhirServerOptions> _options;
    private readonly TimeProvider _time;
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;
    private readonly HttpClient _http;

    public FhirServerClient(IOptionsMonitor<FhirServerOptions> options, TimeProvider time)
        : this(options, time, Dns.GetHostAddressesAsync)
    {
    }

    /// <param name="resolve">Name resolution, replaceable so tests can make a name resolve to a refused address.</param>
    internal FhirServerClient(IOptionsMonitor<FhirServerOptions> options, TimeProvider time, Func<string, CancellationToken, Task<IPAddress[]>> resolve)
    {
        _options = options;
        _time = time;
        _resolve = resolve;
        _http = new HttpClient(
            new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                // A proxy would make the connection check see the proxy, not the server.
                UseProxy = false,
                AutomaticDecompression = DecompressionMethods.None,
                ConnectCallback = ConnectAsync,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            },
            disposeHandler: true)
        {
            // Timeouts come from the options, per request and per fetch.
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public void Dispose() => _http.Dispose();

    public async Task<FhirFetchResult> FetchAsync(FhirServerRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        var limits = _options.CurrentValue;
        var server = Origin(request.BaseUrl);
        CheckBaseUrl(request.BaseUrl, server);
        if (request.BearerToken is { Length: > 0 } token && !IsHeaderSafe(token))
        {
            // Sent, it would throw in the HTTP stack (a 500), or with a line break split the request's headers.
            throw new FhirServerException(
                FhirServerErrorKind.InvalidToken,
                server,
                $"The bearer token for the FHIR server {server} holds a line break, space, control or non-ASCII character, which an HTTP header cannot carry; nothing was sent.");
        }

        if (request.Queries.Count > limits.MaxQueries)
        {
            throw new FhirServerException(
                FhirServerErrorKind.RefusedAddress, server, $"A fetch from the FHIR server {server} asks for more than {limits.MaxQueries} queries, the limit.");
        }

        var targets = request.Queries.Select(q => Resolve(request.BaseUrl, q, server)).ToList();

        using var deadline = new CancellationTokenSource(limits.FetchTimeout, _time);
        using var fetch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var call = new Call(request, server, limits, deadline.Token, fetch.Token, cancellationToken);
        var documents = new List<FhirFetchedDocument>(targets.Count);
        for (var i = 0; i < targets.Count; i++)
        {
            documents.Add(await FetchQueryAsync(call, request.Queries[i], targets[i]));
        }

        return new FhirFetchResult(documents);
    }

    private async Task<FhirFetchedDocument> FetchQueryAsync(Call call, string query, Uri target)
    {
        var (first, body) = await GetJsonAsync(call, target);
        CheckAnswers(call.Server, query, first);
        if (first is not JsonObject bundle || !IsSearchSet(bundle))
        {
            // A read is handed on exactly as the server sent it.
            return new FhirFetchedDocument(query, Encoding.UTF8.GetString(body), Pages: 1, Truncated: false);
        }

        // A search: every page's entries into the first page's Bundle, within the page and entry limits.
        var entries = TakeEntries(bundle);
        var pages = 1;
        // A resource the search repeats (offset paging over data that changed, or a page reached twice by another URL)
        // would be listed twice in the chart: it is kept once.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        DropRepeated(entries, seen);
        var truncated = Keep(call, entries);
        // A server whose paging links lead back to a page already read would hand the same entries over again, up to
        // the page limit: each page is read once, and a link back to one ends the search there.
        var visited = new HashSet<string>(StringComparer.Ordinal) { target.AbsoluteUri };
        var next = NextLink(bundle, call);
        while (next is not null && !truncated && visited.Add(next.AbsoluteUri))
        {
            if (pages >= call.Limits.MaxPages || call.Entries >= call.Limits.MaxEntries)
            {
                truncated = true;
                break;
            }

            var (page, _) = await GetJsonAsync(call, next);
            if (page is not JsonObject pageBundle || !IsSearchSet(pageBundle))
            {
                throw NotFhir(call.Server, "a search page that is not a searchset Bundle");
            }

            pages++;
            var pageEntries = TakeEntries(pageBundle);
            DropRepeated(pageEntries, seen);
            truncated = Keep(call, pageEntries);
            // A node belongs to one parent: detach the page's entries before moving them.
            var moved = pageEntries.ToArray();
            pageEntries.Clear();
            foreach (var entry in moved)
            {
                entries.Add(entry);
            }

            next = NextLink(pageBundle, call);
        }

        bundle["entry"] = entries;
        // The merged Bundle is one page: the server's links would point at pages already read or deliberately left.
        bundle.Remove("link");
        return new FhirFetchedDocument(query, bundle.ToJsonString(Compact), pages, truncated);
    }

    /// <summary>Counts the page's entries against the fetch's limit, dropping what is over it; true when any was dropped.</summary>
    private static bool Keep(Call call, JsonArray entries)
    {
        var room = Math.Max(0, call.Limits.MaxEntries - call.Entries);
        var dropped = false;
        while (entries.Count > room)
        {
            entries.RemoveAt(entries.Count - 1);
            dropped = true;
        }

        call.Entries += entries.Count;
        return dropped;
    }

    private static JsonArray TakeEntries(JsonObject bundle)
    {
        if (bundle["entry"] is JsonArray entries)
        {
            bundle.Remove("entry");
            return entries;
        }

        return [];
    }

    /// <summary>Removes the entries whose resource (type and id) an earlier entry of the search already holds.</summary>
    private static void DropRepeated(JsonArray entries, HashSet<string> seen)
    {
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i] is JsonObject entry && entry["resource"] is JsonObject resource
                && resource["resourceType"] is JsonValue type && type.TryGetValue<string>(out var typeName)
                && resource["id"] is JsonValue id && id.TryGetValue<string>(out var idText)
                && !seen.Add(typeName + "/" + idText))
            {
                entries.RemoveAt(i);
                i--;
            }
        }
    }

    /// <summary>A bearer token is visible ASCII only (RFC 6750's b64token is a subset).</summary>
    private static bool IsHeaderSafe(string token)
    {
        foreach (var c in token)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsSearchSet(JsonObject resource) =>
        resource["resourceType"]?.GetValueKind() == JsonValueKind.String && (string?)resource["resourceType"] == "Bundle"
        && resource["type"]?.GetValueKind() == JsonValueKind.String && (string?)resource["type"] == "searchset";

    private static Uri? NextLink(JsonObject bundle, Call call)
    {
        if (bundle["link"] is not JsonArray links)
        {
            return null;
        }

        foreach (var link in links)
        {
            if (link is JsonObject item && item["relation"] is JsonValue relation && relation.TryGetValue<string>(out var name) && name == "next")
            {
                if (item["url"] is not JsonValue url || !url.TryGetValue<string>(out var text)
                    || !Uri.TryCreate(call.Request.BaseUrl, text, out var next))
                {
                    throw NotFhir(call.Server, "a paging link that is not a URL");
                }

                if (!SameOrigin(next, call.Request.BaseUrl))
                {
                    throw new FhirServerException(
                        FhirServerErrorKind.RefusedRedirect,
                        call.Server,
                        $"The FHIR server {call.Server} linked the next search page to another origin; it was not fetched, and the token was not sent there.");
                }

                return next;
            }
        }

        return null;
    }

    /// <summary>One GET, with same-origin redirects followed and at most one retry of a transient failure.</summary>
    private async Task<(JsonNode Resource, byte[] Body)> GetJsonAsync(Call call, Uri target)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await GetOnceAsync(call, target);
            }
            catch (FhirServerException ex) when (attempt == 1 && IsTransient(ex))
            {
                try
                {
                    await Task.Delay(RetryDelay, _time, call.FetchToken);
                }
                catch (OperationCanceledException) when (!call.CallerToken.IsCancellationRequested)
                {
                    throw Canceled(call, ex);
                }
            }
        }
    }

    private static bool IsTransient(FhirServerException ex) =>
        ex.Kind is FhirServerErrorKind.Unreachable or FhirServerErrorKind.Timeout
        || (ex.Kind == FhirServerErrorKind.ErrorStatus && ex.StatusCode is 502 or 503 or 504);

    private async Task<(JsonNode Resource, byte[] Body)> GetOnceAsync(Call call, Uri target)
    {
        using var attemptTimeout = new CancellationTokenSource(call.Limits.RequestTimeout, _time);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(call.FetchToken, attemptTimeout.Token);
        try
        {
            for (var redirects = 0; ; redirects++)
            {
                using var message = new HttpRequestMessage(HttpMethod.Get, target);
                message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/fhir+json"));
                message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json", 0.9));
                if (call.Request.BearerToken is { Length: > 0 } token)
                {
                    message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                }

                using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, attempt.Token);
                var status = (int)response.StatusCode;
                if (status is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    target = Redirect(call, target, location, redirects);
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw new FhirServerException(
                        FhirServerErrorKind.ErrorStatus,
                        call.Server,
                        $"The FHIR server {call.Server} answered HTTP {status.ToString(System.Globalization.CultureInfo.InvariantCulture)}.",
                        status);
                }

                if (response.Content.Headers.ContentType?.MediaType is { } mediaType && !mediaType.Contains("json", StringComparison.OrdinalIgnoreCase))
                {
                    throw NotFhir(call.Server, "content that is not JSON");
                }

                var body = await ReadLimitedAsync(call, response, attempt.Token);
                return (ParseResource(call.Server, body), body);
            }
        }
        catch (OperationCanceledException ex)
        {
            if (call.CallerToken.IsCancellationRequested)
            {
                throw;
            }

            throw call.DeadlineToken.IsCancellationRequested
                ? Canceled(call, ex)
                : new FhirServerException(
                    FhirServerErrorKind.Timeout,
                    call.Server,
                    $"The FHIR server {call.Server} did not answer within {call.Limits.RequestTimeout.TotalSeconds:0.###} s.",
                    innerException: ex);
        }
        catch (HttpRequestException ex) when (Find<RefusedAddressException>(ex) is not null)
        {
            throw new FhirServerException(
                FhirServerErrorKind.RefusedAddress,
                call.Server,
                $"The FHIR server {call.Server} resolves to a link-local or metadata address; this gateway does not connect there.");
        }
        catch (HttpRequestException ex)
        {
            throw new FhirServerException(
                FhirServerErrorKind.Unreachable, call.Server, $"The FHIR server {call.Server} is unreachable ({Describe(ex)}).", innerException: ex);
        }
        catch (IOException ex)
        {
            // The connection broke while the body was read (HttpIOException): the answer is incomplete, as if unreachable.
            throw new FhirServerException(
                FhirServerErrorKind.Unreachable,
                call.Server,
                $"The FHIR server {call.Server} closed the connection before its answer was complete.",
                innerException: ex);
        }
    }

    private static FhirServerException Canceled(Call call, Exception inner) => new(
        FhirServerErrorKind.Timeout,
        call.Server,
        $"The fetch from the FHIR server {call.Server} did not finish within {call.Limits.FetchTimeout.TotalSeconds:0.###} s.",
        innerException: inner);

    private static Uri Redirect(Call call, Uri from, Uri location, int redirects)
    {
        var to = location.IsAbsoluteUri ? location : new Uri(from, location);
        if (!SameOrigin(to, call.Request.BaseUrl))
        {
            throw new FhirServerException(
                FhirServerErrorKind.RefusedRedirect,
                call.Server,
                $"The FHIR server {call.Server} redirected to another origin; the redirect was not followed, and the token was not sent there.");
        }

        if (redirects >= MaxRedirects)
        {
            throw new FhirServerException(
                FhirServerErrorKind.RefusedRedirect, call.Server, $"The FHIR server {call.Server} redirected more than {MaxRedirects} times.");
        }

        return to;
    }

    private static async Task<byte[]> ReadLimitedAsync(Call call, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var limit = call.Limits.MaxResponseBytes;
        if (response.Content.Headers.ContentLength > limit)
        {
            throw TooLarge(call);
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw TooLarge(call);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static FhirServerException TooLarge(Call call) => new(
        FhirServerErrorKind.TooLarge,
        call.Server,
        $"The FHIR server {call.Server} sent a page larger than {call.Limits.MaxResponseBytes} bytes, this gateway's limit.");

    private static JsonNode ParseResource(string server, byte[] body)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = MaxJsonDepth });
        }
        catch (JsonException)
        {
            throw NotFhir(server, "content that is not valid JSON");
        }

        if (node is not JsonObject resource || resource["resourceType"] is not JsonValue type || type.GetValueKind() != JsonValueKind.String)
        {
            throw NotFhir(server, "JSON that is not a FHIR resource");
        }

        return resource;
    }

    /// <summary>
    /// A read (<c>Patient/123</c>) must bring back that type, and a search (<c>Observation?patient=123</c>) a searchset
    /// Bundle: an <c>OperationOutcome</c> sent with 200, or another resource, would otherwise be read as "no data" and
    /// the answer written as if the chart were empty. Other queries (operations, history) are taken as they come.
    /// </summary>
    private static void CheckAnswers(string server, string query, JsonNode? answer)
    {
        var path = query.AsSpan().TrimStart('/');
        var search = path.IndexOf('?');
        var beforeQuery = search < 0 ? path : path[..search];
        var slash = beforeQuery.IndexOf('/');
        var type = slash < 0 ? beforeQuery : beforeQuery[..slash];
        if (type.Length == 0 || !IsTypeName(type))
        {
            return;
        }

        var answered = (answer as JsonObject)?["resourceType"]?.GetValue<string>();
        if (slash < 0)
        {
            if (answer is not JsonObject bundle || !IsSearchSet(bundle))
            {
                throw NotFhir(server, "an answer to a search that is not a searchset Bundle");
            }
        }
        else if (search < 0 && beforeQuery[(slash + 1)..] is var id && id.Length > 0 && id.IndexOfAny('/', '$') < 0
            && !type.SequenceEqual(answered))
        {
            // The type is not named: it is what the server sent.
            throw NotFhir(server, "a resource of another type than the one read");
        }
    }

    private static bool IsTypeName(ReadOnlySpan<char> name)
    {
        if (!char.IsAsciiLetterUpper(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetter(c))
            {
                return false;
            }
        }

        return true;
    }

    private static FhirServerException NotFhir(string server, string what) =>
        new(FhirServerErrorKind.NotFhir, server, $"The FHIR server {server} sent {what}.");

    private static void CheckBaseUrl(Uri baseUrl, string server)
    {
        if (!baseUrl.IsAbsoluteUri || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new FhirServerException(FhirServerErrorKind.RefusedAddress, server, $"The FHIR server {server} is not an http or https URL.");
        }

        if (baseUrl.UserInfo.Length > 0)
        {
            throw new FhirServerException(
                FhirServerErrorKind.RefusedAddress, server, $"The FHIR server URL for {server} carries credentials; pass a bearer token instead.");
        }

        if (FhirServerAddresses.IsRefusedHost(baseUrl.Host))
        {
            throw new FhirServerException(
                FhirServerErrorKind.RefusedAddress, server, $"The FHIR server {server} is a link-local or metadata address; this gateway does not connect there.");
        }
    }

    /// <summary>A query under the base URL; one that would leave it (an absolute URL, <c>..</c>, <c>//</c>) is refused.</summary>
    private static Uri Resolve(Uri baseUrl, string query, string server)
    {
        var refused = new FhirServerException(
            FhirServerErrorKind.RefusedAddress, server, $"A query for the FHIR server {server} is not a relative FHIR query under its base URL.");
        if (string.IsNullOrWhiteSpace(query) || query.StartsWith('/') || query.Contains('\\') || query.Any(char.IsControl)
            || query.Contains("://", StringComparison.Ordinal))
        {
            throw refused;
        }

        var basePath = baseUrl.AbsolutePath.EndsWith('/') ? baseUrl.AbsolutePath : baseUrl.AbsolutePath + "/";
        var root = new Uri(baseUrl.GetLeftPart(UriPartial.Authority) + basePath);
        if (!Uri.TryCreate(root, query, out var target) || !SameOrigin(target, baseUrl)
            || !target.AbsolutePath.StartsWith(basePath, StringComparison.Ordinal) || target.AbsolutePath.Length == basePath.Length)
        {
            throw refused;
        }

        return target;
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        a.IsAbsoluteUri
        && string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;

    private static string Origin(Uri url) =>
        url.IsAbsoluteUri ? $"{url.Scheme}://{url.Authority}" : "(not an absolute URL)";

    private static T? Find<T>(Exception? ex)
        where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T match)
            {
                return match;
            }
        }

        return null;
    }

    private static string Describe(HttpRequestException ex) =>
        Find<SocketException>(ex) is { } socket ? socket.SocketErrorCode.ToString() : ex.HttpRequestError.ToString();

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await _resolve(host, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }

        // Every address is checked, not just the one connected to: a name that resolves to a metadata address at all is refused.
        if (addresses.Any(FhirServerAddresses.IsRefused))
        {
            throw new RefusedAddressException();
        }

        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last!;
    }

    /// <summary>The state of one fetch: its limits, deadline and the entries kept so far.</summary>
    private sealed class Call(
        FhirServerRequest request,
        string server,
        FhirServerOptions limits,
        CancellationToken deadlineToken,
        CancellationToken fetchToken,
        CancellationToken callerToken)
    {
        public FhirServerRequest Request { get; } = request;

        public string Server { get; } = server;

        public FhirServerOptions Limits { get; } = limits;

        public CancellationToken DeadlineToken { get; } = deadlineToken;

        public CancellationToken FetchToken { get; } = fetchToken;

        public CancellationToken CallerToken { get; } = callerToken;

        public int Entries { get; set; }
    }

    private sealed class RefusedAddressException() : Exception("The address is link-local or a metadata service's.");
}
