namespace XefAI.Gateway.Hosting;

/// <summary>
/// How many arrays of each size the runtime's shared pool keeps per core. A governed call holds pooled arrays (its body,
/// the parsed request, the vendor's parsed answer) across the vendor's answer and the durable audit commit, so with a
/// few hundred calls in flight the runtime's default (32 per size and core) runs out: every further rent is a new array,
/// and every return beyond the limit is garbage. Measured with the end-to-end harness at 256 connections, that was
/// about 1.7 KB more allocated per call than at 32 connections.
/// </summary>
/// <remarks>
/// The runtime reads the setting once, when the pool is first used, and only from the environment, so it is set at the
/// top of <c>Program</c>, before anything rents. An operator's own value wins. The pool still gives back what it has not
/// used for a while when the GC asks it to trim.
/// </remarks>
internal static class SharedArrayPoolLimit
{
    public const string Variable = "DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION";

    /// <summary>Per core, per array size: with two cores, 512 of each size, the default concurrency limit's 512 calls.</summary>
    public const int ArraysPerCore = 256;

    /// <returns>The value the pool will use.</returns>
    public static string Raise()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured)
        {
            return configured;
        }

        var value = ArraysPerCore.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Environment.SetEnvironmentVariable(Variable, value);
        return value;
    }
}
