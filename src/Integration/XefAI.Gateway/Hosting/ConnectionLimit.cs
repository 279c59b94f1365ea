using System.Globalization;
using Microsoft.AspNetCore.Connections;

namespace XefAI.Gateway.Hosting;

/// <summary>
/// Keeps client connections within the process's open-file limit. Every connection holds a descriptor, and so does
/// every vendor connection it leads to. Without a bound, 1,500 connections to a gateway under <c>ulimit -n 1024</c> took
/// every descriptor; the runtime then could not start a thread (each thread's start opens a pipe), printed
/// <c>Out of memory.</c> and aborted, taking every call in flight with it. The bound is a <see cref="ConnectionGate"/>:
/// beyond it, connections wait in the kernel's listen backlog, and the descriptors the process needs stay free.
/// </summary>
/// <remarks>
/// Applied at start-up on Linux when the soft limit is finite: half of what the limit leaves after the descriptors open
/// at start and a <see cref="Reserve"/> (one half for client connections, the other for the vendor connections they
/// lead to).
/// </remarks>
internal static partial class ConnectionLimit
{
    /// <summary>
    /// Descriptors kept free beyond those open at start: assemblies loaded on first use, threads the runtime starts,
    /// database, log and anchor files.
    /// </summary>
    public const int Reserve = 256;

    /// <summary>The fewest connections the cap allows, however low the limit.</summary>
    public const int Minimum = 16;

    /// <summary>The cap for a soft open-file limit, with <paramref name="openNow"/> descriptors already open.</summary>
    public static int For(long softLimit, int openNow) => (int)Math.Clamp((softLimit - openNow - Reserve) / 2, Minimum, int.MaxValue);

    /// <summary>The soft "Max open files" of a <c>/proc/self/limits</c> text; null when unlimited or not found.</summary>
    public static long? SoftOpenFileLimit(string procLimits)
    {
        foreach (var line in procLimits.Split('\n'))
        {
            if (!line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                continue;
            }

            var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length > 0 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var soft) ? soft : null;
        }

        return null;
    }

    /// <summary>Gates the builder's client connections by the open-file limit; returns the soft limit and the cap.</summary>
    public static (long SoftLimit, int Connections)? Apply(WebApplicationBuilder builder)
    {
        if (!OperatingSystem.IsLinux()
            || builder.Services.LastOrDefault(d => d.ServiceType == typeof(IConnectionListenerFactory) && !d.IsKeyedService) is not { } transport)
        {
            return null;
        }

        long? softLimit;
        int openNow;
        try
        {
            softLimit = SoftOpenFileLimit(File.ReadAllText("/proc/self/limits"));
            openNow = Directory.GetFileSystemEntries("/proc/self/fd").Length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        if (softLimit is not { } soft)
        {
            return null;
        }

        var connections = For(soft, openNow);
        builder.Services.Remove(transport);
        builder.Services.AddSingleton<IConnectionListenerFactory>(services => new ConnectionGate(
            (IConnectionListenerFactory)(transport.ImplementationInstance
                ?? transport.ImplementationFactory?.Invoke(services)
                ?? ActivatorUtilities.CreateInstance(services, transport.ImplementationType!)),
            connections));
        return (soft, connections);
    }

    /// <summary>Below this many connections, the open-file limit is worth a warning at start-up.</summary>
    public static long WarnBelow => 256L * Environment.ProcessorCount;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The open-file limit is {SoftLimit}: the gateway accepts at most {Connections} client connections at once, fewer than the calls it could otherwise process at once; further connections wait in the listen backlog. Raise the limit (ulimit -n, systemd LimitNOFILE, the container's nofile).")]
    public static partial void LowLimit(ILogger logger, long softLimit, int connections);
}
