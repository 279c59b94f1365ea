using XefAI.Gateway.Admin;
using XefAI.Governance;

namespace XefAI.Gateway.Tests.Admin;

public sealed class InterruptedStreamCloserTests
{
    [Fact]
    public void ClosingOf_DeIdentifiedStream_TheClosingRecordSaysWhatLeftForTheVendor()
    {
        var opening = new AuditRecord(
            "aud_1",
            7,
            new AuditEntry
            {
                Timestamp = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero),
                TraceId = "trace-1",
                Decision = "streaming",
                StatusCode = 200,
                LatencyMs = 12,
                Streamed = true,
                DeIdentification = DeIdentificationOutcomes.Applied,
                Redactions = "date=1,name=2",
            },
            "prev",
            "hash");

        var closing = InterruptedStreamCloser.ClosingOf(opening);

        Assert.Equal(DeIdentificationOutcomes.Applied, closing.DeIdentification);
        Assert.Equal("date=1,name=2", closing.Redactions);
        Assert.Equal("trace-1", closing.TraceId);
    }
}
