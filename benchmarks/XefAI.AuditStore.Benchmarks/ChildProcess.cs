using System.Diagnostics;

namespace XefAI.AuditStore.Benchmarks;

/// <summary>This program re-launched as a child process, its output collected.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _output;
    private readonly Task<string> _error;

    /// <param name="arguments">The child's command line.</param>
    /// <param name="shareError">Whether the child writes its standard error to this process's (its progress), rather than to be collected.</param>
    public ChildProcess(string[] arguments, bool shareError = false)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = !shareError, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start)!;
        _output = _process.StandardOutput.ReadToEndAsync();
        _error = shareError ? Task.FromResult("") : _process.StandardError.ReadToEndAsync();
    }

    public int Id => _process.Id;

    /// <summary>Waits for the child and returns its standard output; a failed child throws with its error output.</summary>
    public async Task<string> WaitAsync()
    {
        await _process.WaitForExitAsync();
        if (_process.ExitCode != 0)
        {
            throw new InvalidOperationException($"child {_process.Id} exited with {_process.ExitCode}: {await _error} {await _output}");
        }

        return await _output;
    }

    /// <summary>Stops this child (by its own id) and its output.</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
    }

    public void Dispose() => _process.Dispose();
}
