using System.Text;
using XefAI.Gateway.OpenAI;

namespace XefAI.Gateway.Tests.OpenAI;

/// <summary>The pre-pass over a request body: a leading UTF-8 byte-order mark is ignored, and offsets still count it.</summary>
public sealed class JsonBodyGuardTests
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    [Fact]
    public void Check_LeadingByteOrderMark_IsIgnored()
    {
        Assert.Null(JsonBodyGuard.Check([.. Bom, .. """{"model":"m"}"""u8], 64));
    }

    [Fact]
    public void Check_TwoByteOrderMarks_OnlyOneIsIgnored()
    {
        var error = JsonBodyGuard.Check([.. Bom, .. Bom, .. "{}"u8], 64);

        Assert.Equal("invalid_json", error?.Code);
        Assert.Contains("(line 1, byte 3)", error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ByteOrderMarkThenDuplicateName_TheOffsetIsOfTheBodyAsSent()
    {
        byte[] body = [.. Bom, .. """{"a":1,"a":2}"""u8];

        var error = JsonBodyGuard.Check(body, 64);

        Assert.Equal("duplicate_key", error?.Code);
        var at = Encoding.UTF8.GetString(body).LastIndexOf("\"a\"", StringComparison.Ordinal) + 2; // the mark is one char, three bytes
        Assert.Equal(10, at);
        Assert.Contains("(byte offset 10)", error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ByteOrderMarkThenInvalidUtf8_TheOffsetIsOfTheBodyAsSent()
    {
        byte[] body = [.. Bom, .. "{\"a\":\""u8, 0xFF, .. "\"}"u8];

        var error = JsonBodyGuard.Check(body, 64);

        Assert.Equal("invalid_encoding", error?.Code);
        Assert.Contains("(byte offset 9)", error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParseObject_LeadingByteOrderMark_ParsesTheObject()
    {
        byte[] body = [.. Bom, .. """{"model":"m"}"""u8];

        Assert.True(OpenAIJsonBody.TryParseObject(body, 64, null, out var json, out var error), error?.Message);
        Assert.Equal("m", (string?)json["model"]);
    }

    [Fact]
    public void WithoutByteOrderMark_RemovesOneLeadingMarkOnly()
    {
        byte[] marked = [.. Bom, .. "{}"u8];

        Assert.Equal("{}"u8.ToArray(), JsonBodyGuard.WithoutByteOrderMark(marked).ToArray());
        Assert.Equal("{}"u8.ToArray(), JsonBodyGuard.WithoutByteOrderMark("{}"u8.ToArray()).ToArray());
    }
}
