using System.Text;
using XefAI.Models.Providers.Wire;

namespace XefAI.Models.Tests.Wire;

/// <summary>The per-thread JSON writer the providers write vendor bodies with: reused, but never carrying one body into the next.</summary>
public sealed class PooledJsonWriterTests
{
    [Fact]
    public void AWriteThatFailedHalfway_LeavesNothingForTheNextBody()
    {
        using (var failed = PooledJsonWriter.Rent())
        {
            failed.Writer.WriteStartObject();
            failed.Writer.WriteString("prompt", "Maria Gonzalez, MRN 00482913");
            failed.Writer.WriteStartArray("messages");

            // A write the writer refuses (a property name inside an array), as a translation bug would leave it.
            Assert.Throws<InvalidOperationException>(() => failed.Writer.WritePropertyName("oops"));
        }

        using var next = PooledJsonWriter.Rent();
        next.Writer.WriteStartObject();
        next.Writer.WriteNumber("a", 1);
        next.Writer.WriteEndObject();

        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(next.ToArray()));
    }

    [Fact]
    public void ABodyLargerThanTheScratch_ComesOutWhole()
    {
        var text = new string('x', 20_000);
        using var json = PooledJsonWriter.Rent();
        json.Writer.WriteStartObject();
        json.Writer.WriteString("content", text);
        json.Writer.WriteEndObject();

        Assert.Equal($"{{\"content\":\"{text}\"}}", Encoding.UTF8.GetString(json.ToArray()));
    }

    [Fact]
    public void AWriteNestedInAnother_GetsItsOwnWriter()
    {
        using var outer = PooledJsonWriter.Rent();
        outer.Writer.WriteStartObject();
        outer.Writer.WriteString("outer", "1");

        byte[] inner;
        using (var nested = PooledJsonWriter.Rent())
        {
            Assert.NotSame(outer.Writer, nested.Writer);
            nested.Writer.WriteStringValue("inner");
            inner = nested.ToArray();
        }

        outer.Writer.WriteEndObject();

        Assert.Equal("\"inner\"", Encoding.UTF8.GetString(inner));
        Assert.Equal("{\"outer\":\"1\"}", Encoding.UTF8.GetString(outer.ToArray()));
    }

    [Fact]
    public void TheSameThread_ReusesItsWriter()
    {
        System.Text.Json.Utf8JsonWriter first;
        using (var json = PooledJsonWriter.Rent())
        {
            first = json.Writer;
        }

        using var again = PooledJsonWriter.Rent();

        Assert.Same(first, again.Writer);
    }
}
