namespace XefAI.Gateway.Hosting;

/// <summary>Asks a running gateway for <c>/healthz</c>; exit code 0 when healthy, for container health checks.</summary>
internal static class HealthProbe
{
    /// <param name="args">The command line after <c>--healthcheck</c>: a URL, or the gateway's own <c>--urls</c>.</param>
    public static async Task<int> RunAsync(string[] args)
    {
        var url = ResolveUrl(args, Environment.GetEnvironmentVariable);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            using var response = await client.GetAsync(new Uri(url));
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or UriFormatException)
        {
            await Console.Error.WriteLineAsync($"health check of {url} failed: {ex.Message}");
            return 1;
        }
    }

    /// <summary>
    /// The <c>/healthz</c> URL of the gateway this probe runs beside: an explicit URL, else the address the gateway
    /// listens on as ASP.NET Core reads it (<c>--urls</c>, <c>ASPNETCORE_URLS</c>, <c>ASPNETCORE_HTTP_PORTS</c>), so
    /// a container that moves the port needs no second setting. Wildcard hosts are reached on localhost.
    /// </summary>
    public static string ResolveUrl(string[] args, Func<string, string?> environment)
    {
        if (args is [var explicitUrl, ..] && !explicitUrl.StartsWith('-'))
        {
            return explicitUrl;
        }

        var urls = CommandLineValue(args, "urls")
            ?? environment("ASPNETCORE_URLS")
            ?? environment("DOTNET_URLS");
        if (!string.IsNullOrWhiteSpace(urls))
        {
            var all = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var chosen = all.FirstOrDefault(u => u.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? all[0];
            return Localhost(chosen).TrimEnd('/') + "/healthz";
        }

        var httpPort = FirstPort(CommandLineValue(args, "http_ports") ?? environment("ASPNETCORE_HTTP_PORTS") ?? environment("DOTNET_HTTP_PORTS"));
        if (httpPort is not null)
        {
            return $"http://localhost:{httpPort}/healthz";
        }

        var httpsPort = FirstPort(CommandLineValue(args, "https_ports") ?? environment("ASPNETCORE_HTTPS_PORTS") ?? environment("DOTNET_HTTPS_PORTS"));
        return httpsPort is not null ? $"https://localhost:{httpsPort}/healthz" : "http://localhost:8080/healthz";
    }

    private static string? CommandLineValue(string[] args, string name)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i].TrimStart('-', '/');
            if (arg.StartsWith(name + "=", StringComparison.OrdinalIgnoreCase))
            {
                return arg[(name.Length + 1)..];
            }

            if (arg.Equals(name, StringComparison.OrdinalIgnoreCase) && i + 1 < args.Length)
            {
                return args[i + 1];
            }
        }

        return null;
    }

    private static string? FirstPort(string? ports) =>
        ports?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();

    /// <summary><c>http://+:8080</c>, <c>http://*:8080</c>, <c>http://0.0.0.0:8080</c> and <c>http://[::]:8080</c> listen everywhere, localhost included.</summary>
    private static string Localhost(string url)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0)
        {
            return url;
        }

        var hostStart = scheme + 3;
        var rest = url[hostStart..];
        var hostEnd = rest.StartsWith('[') ? rest.IndexOf(']', StringComparison.Ordinal) + 1 : rest.IndexOfAny([':', '/']);
        var host = hostEnd <= 0 ? rest : rest[..hostEnd];
        return host is "+" or "*" or "0.0.0.0" or "[::]"
            ? string.Concat(url.AsSpan(0, hostStart), "localhost", rest.AsSpan(host.Length))
            : url;
    }
}
