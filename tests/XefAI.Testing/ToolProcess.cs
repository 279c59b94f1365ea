using System.Diagnostics;

namespace XefAI.Testing;

/// <summary>A command-line tool a test runs (promtool, node): started, fed, waited for within a time limit, its output kept.</summary>
public static class ToolProcess
{
    /// <summary>
    /// Starts <paramref name="start"/> with its output redirected, writes <paramref name="input"/> to its standard input
    /// (when given), and waits for it; a tool still running after <paramref name="timeout"/> is killed with its children.
    /// </summary>
    /// <returns>Its exit code, and what it wrote to stdout and then stderr.</returns>
    public static async Task<(int ExitCode, string Output)> RunAsync(ProcessStartInfo start, TimeSpan timeout, string? input = null)
    {
        ArgumentNullException.ThrowIfNull(start);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = input is not null;
        start.UseShellExecute = false;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
