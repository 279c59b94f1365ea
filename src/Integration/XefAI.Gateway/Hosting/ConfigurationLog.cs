namespace XefAI.Gateway.Hosting;

internal static partial class ConfigurationLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "{File} beside the gateway's binaries is not one of its own assemblies and was not scanned; put plugins in the plugins folder.")]
    public static partial void AssemblySkipped(ILogger logger, string file);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No client apps are configured (Gateway:Clients): every call to the gateway will be refused with 401.")]
    public static partial void NoClients(ILogger logger);
}
