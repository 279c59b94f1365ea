using System.Text;

namespace XefAI.Gateway.Benchmarks.Micro;

/// <summary>
/// The inputs the micro-benchmarks share: a ~600-byte chat request as an OpenAI client sends it, and a typical answer
/// as OpenAI and Anthropic return it, whole and as an event stream. Made-up text; no patient is named.
/// </summary>
internal static class HotPathSamples
{
    public const string Answer =
        "Yes, the appointment on Friday can be moved to the afternoon. The clinic has openings at 1:30 pm and 3:00 pm. " +
        "Please reply with the time that suits you, and remember to bring your current medication list and your insurance card. " +
        "If your daughter is driving you, she is welcome to join you in the consultation room.";

    /// <summary>A chat request of about 600 bytes: a system prompt, two user turns and an assistant turn, the usual options.</summary>
    public static byte[] ChatRequest(string model) => Encoding.UTF8.GetBytes($$$"""
        {"model":"{{{model}}}","messages":[{"role":"system","content":"You draft short, friendly replies for the clinic's front desk. Never give medical advice; suggest a call to the nurse line instead."},{"role":"user","content":"Hello, I have an appointment on Friday morning with the cardiology clinic."},{"role":"assistant","content":"Thank you for your message. How can we help with your appointment?"},{"role":"user","content":"Can I move my appointment on Friday to the afternoon? My daughter can drive me then, but only after lunch."}],"temperature":0.2,"top_p":0.9,"max_tokens":200,"user":"frontdesk-07"}
        """.Trim());

    public static byte[] OpenAICompletion(string model) => Encoding.UTF8.GetBytes($$$"""
        {"id":"chatcmpl-9x8c7v6b5n4m3","object":"chat.completion","created":1733400000,"model":"{{{model}}}","system_fingerprint":"fp_0a1b2c3d4e","choices":[{"index":0,"message":{"role":"assistant","content":"{{{Answer}}}","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":142,"completion_tokens":71,"total_tokens":213}}
        """.Trim());

    public static byte[] AnthropicMessage(string model) => Encoding.UTF8.GetBytes($$$"""
        {"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"{{{model}}}","content":[{"type":"text","text":"{{{Answer}}}"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":142,"output_tokens":71}}
        """.Trim());

    /// <summary>The answer as OpenAI streams it: a role chunk, one chunk per word, a finish chunk, a usage chunk and [DONE].</summary>
    public static byte[] OpenAIStream(string model)
    {
        var builder = new StringBuilder();
        const string Head = "{\"id\":\"chatcmpl-9x8c7v6b5n4m3\",\"object\":\"chat.completion.chunk\",\"created\":1733400000,\"model\":\"";
        void Chunk(string choices, string tail = "") =>
            builder.Append("data: ").Append(Head).Append(model).Append("\",\"choices\":").Append(choices).Append(tail).Append("}\n\n");

        Chunk("[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]");
        foreach (var word in Words())
        {
            Chunk("[{\"index\":0,\"delta\":{\"content\":\"" + word + "\"},\"finish_reason\":null}]");
        }

        Chunk("[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]");
        Chunk("[]", ",\"usage\":{\"prompt_tokens\":142,\"completion_tokens\":71,\"total_tokens\":213}");
        builder.Append("data: [DONE]\n\n");
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>The answer's words, each with the space before it, as a tokenizer's deltas look.</summary>
    public static IEnumerable<string> Words()
    {
        var words = Answer.Split(' ');
        yield return words[0];
        for (var i = 1; i < words.Length; i++)
        {
            yield return " " + words[i];
        }
    }
}
