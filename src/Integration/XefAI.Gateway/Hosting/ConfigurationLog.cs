namespace XefAI.Gateway.Hosting;

internal static partial class ConfigurationLog
{
    [LoggerMessage(Level = LogLevel.Error, Message = "Configuration edit rejected, {Path} does not parse; the last good values stay in force: {Reason}")]
    public static partial void EditRejected(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{File} beside the gateway's binaries is not one of its own assemblies and was not scanned; put plugins in the plugins folder.")]
    public static partial void AssemblySkipped(ILogger logger, string file);
}
