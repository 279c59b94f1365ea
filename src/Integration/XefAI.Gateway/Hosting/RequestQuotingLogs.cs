namespace XefAI.Gateway.Hosting;

/// <summary>
/// Holds back ASP.NET Core's log lines that quote a request as the client wrote it, whatever level the configuration
/// asks for: hosting's "Request starting/finished" (path, query and <c>Host</c> header), routing's candidate lines
/// (the path) and Kestrel's refused request lines (the request line itself). A path or query can name a patient (a
/// FHIR search, a clinical task's parameters, a mistyped URL), and no log line may hold PHI. The gateway's own lines
/// name routes by their pattern, and every call's record is in the audit trail.
/// </summary>
internal static class RequestQuotingLogs
{
    public const string HostingDiagnostics = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>The categories held back; none of their lines at Warning or above quotes the request.</summary>
    internal static readonly string[] Categories =
    [
        HostingDiagnostics,
        "Microsoft.AspNetCore.Routing.Matching.DfaMatcher",
        "Microsoft.AspNetCore.Server.Kestrel.BadRequests",
    ];

    /// <param name="hostingLevel">
    /// The hosting category's floor: Warning, or None to keep ASP.NET Core from starting an Activity for every request
    /// when nobody traces (it does while its hosting logger is enabled at any level).
    /// </param>
    public static ILoggingBuilder HoldRequestQuotingLines(this ILoggingBuilder logging, LogLevel hostingLevel)
    {
        logging.Services.PostConfigure<LoggerFilterOptions>(options => Hold(options, hostingLevel));
        return logging;
    }

    /// <summary>
    /// Adds, after every configured rule, one rule per category for every provider a rule names and one for all: the
    /// logger picks a provider's own rule over a general one and, among equally specific ones, the last. So neither
    /// <c>Logging:LogLevel</c> nor a provider's section (<c>Logging:Console:LogLevel:Default</c>) lets these lines through.
    /// </summary>
    internal static void Hold(LoggerFilterOptions options, LogLevel hostingLevel)
    {
        var providers = options.Rules.Select(r => r.ProviderName).Append(null).Distinct().ToList();
        foreach (var category in Categories)
        {
            var level = category == HostingDiagnostics ? hostingLevel : LogLevel.Warning;
            foreach (var provider in providers)
            {
                options.Rules.Add(new LoggerFilterRule(provider, category, level, filter: null));
            }
        }
    }
}
