namespace XefAI.Gateway.Pipeline;

/// <summary>How a call ended, as the audit record's decision and the metrics' outcome label.</summary>
internal static class CallOutcomes
{
    public const string Answered = "answered";
    public const string Held = "held";
    public const string Denied = "denied";
    public const string Failed = "failed";

    /// <summary>The opening record of a stream; its closing record says how it ended.</summary>
    public const string Streaming = "streaming";

    public static string Of(int status) => status switch
    {
        StatusCodes.Status200OK => Answered,
        < 500 and not 499 => Denied,
        _ => Failed,
    };
}
