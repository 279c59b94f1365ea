namespace XefAI.Testing;

/// <summary>A minimal OpenAI chat stream, for tests whose vendor stalls or is cut off after its first chunk.</summary>
public static class VendorStreams
{
    /// <summary>A streamed chat request for the <c>vendor-chat</c> use case of the test configuration.</summary>
    public const string StreamBody = """{"model":"vendor-chat","stream":true,"messages":[{"role":"user","content":"Hello"}]}""";

    public const string FirstChunk =
        "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hello\"},\"finish_reason\":null}]}\n\n";

    /// <summary>What follows <see cref="FirstChunk"/>: the closing chunk and <c>[DONE]</c>.</summary>
    public const string Rest =
        "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
        + "data: [DONE]\n\n";
}
