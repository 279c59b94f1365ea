namespace XefAI.Gateway.Hosting;

/// <summary>Asks a running gateway for <c>/healthz</c>; exit code 0 when healthy, for container health checks.</summary>
internal static class HealthProbe
{
    public static async Task<int> RunAsync(string url)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            using var response = await client.GetAsync(new Uri(url));
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or UriFormatException)
        {
            await Console.Error.WriteLineAsync($"health check failed: {ex.Message}");
            return 1;
        }
    }
}
