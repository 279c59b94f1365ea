using Microsoft.Extensions.Logging;

namespace XefAI.Models.Providers.Anthropic;

internal static partial class AnthropicLog
{
    /// <summary>By the block's type only: its content may be the patient's, and is in the audit record if anywhere.</summary>
    [LoggerMessage(20, LogLevel.Information, "Anthropic answer: skipped a content block of type {BlockType} (streamed: {Streamed}); the gateway translates text and tool_use blocks")]
    public static partial void BlockSkipped(ILogger logger, string blockType, bool streamed);
}
