using XefAI.Gateway.CdsHooks;

namespace XefAI.Gateway.Tests.CdsHooks;

public sealed class CdsServiceReasonTests
{
    [Fact]
    public void Of_SignedCall_NamesServiceAndClient()
    {
        Assert.Equal("cds_service:summary;cds_client:epic-prod", CdsServiceReason.Of("summary", "epic-prod"));
        Assert.Equal("cds_service:summary", CdsServiceReason.Of("summary", null));
    }

    [Fact]
    public void Of_ClientNameWithSeparators_CannotForgeAnotherReason()
    {
        // A configuration key may hold ';' and spaces: written as '_', it cannot add a reason such as another service.
        var reasons = CdsServiceReason.Of("summary", "ehr;cds_service:other x");

        Assert.Equal("cds_service:summary;cds_client:ehr_cds_service_other_x", reasons);
        Assert.Equal("summary", CdsServiceReason.Find(reasons));
        Assert.False(CdsServiceReason.IsFrom(reasons, "other"));
    }
}
