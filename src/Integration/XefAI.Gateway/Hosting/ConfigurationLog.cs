namespace XefAI.Gateway.Hosting;

internal static partial class ConfigurationLog
{
    [LoggerMessage(Level = LogLevel.Error, Message = "Configuration edit rejected, {Path} does not parse; the last good values stay in force: {Reason}")]
    public static partial void EditRejected(ILogger logger, string path, string reason);
}
