namespace XefAI.Gateway.Hosting;

/// <summary>
/// Holds back YARP's own line for a vendor attempt that failed before its answer: a warning with the exception's whole
/// stack, once per attempt, which under a vendor outage floods the log. The gateway writes its own line instead, one
/// line per attempt without a stack and rate-limited (<see cref="Pipeline.Invocation.VendorForwarder"/>).
/// </summary>
internal static class VendorFailureLogs
{
    /// <summary>YARP's forwarder, whose warnings are its error lines for failed attempts.</summary>
    public const string ForwarderCategory = "Yarp.ReverseProxy.Forwarder.HttpForwarder";

    /// <summary>
    /// A default only: the rule goes before every configured one, and among equally specific rules the logger picks the
    /// last, so <c>Logging:LogLevel:Yarp.ReverseProxy.Forwarder.HttpForwarder</c> set to <c>Warning</c> brings the lines back.
    /// </summary>
    public static ILoggingBuilder HoldForwarderErrorLines(this ILoggingBuilder logging)
    {
        logging.Services.PostConfigure<LoggerFilterOptions>(
            options => options.Rules.Insert(0, new LoggerFilterRule(providerName: null, ForwarderCategory, LogLevel.Error, filter: null)));
        return logging;
    }
}
