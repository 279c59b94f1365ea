using System.Runtime.InteropServices;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>POSIX signals sent to a process by id (Linux numbering): freeze, resume, kill without warning.</summary>
internal static class Signals
{
    public const int Kill = 9;
    public const int Continue = 18;
    public const int Stop = 19;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; fails the test if the kernel refuses.</summary>
    public static void Send(int pid, int signal)
    {
        if (NativeKill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    /// <summary>Sends <paramref name="signal"/> if the process is still there; a process gone already is no error.</summary>
    public static bool TrySend(int pid, int signal) => NativeKill(pid, signal) == 0;

    // DllImport rather than LibraryImport, whose generated code would need unsafe blocks in this project.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int NativeKill(int pid, int signal);
}
