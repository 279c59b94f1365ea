namespace XefAI.Data.Tests.Export;

public sealed class FhirAuditIdsTests
{
    [Fact]
    public void ToResourceId_GatewayAuditId_ReplacesUnderscore()
    {
        Assert.Equal("aud-01JPB4Q2M7X0S5V8N3C6D9F2GH", FhirAuditIds.ToResourceId("aud_01JPB4Q2M7X0S5V8N3C6D9F2GH"));
    }

    [Fact]
    public void ToAuditId_ResourceIdOfGatewayAuditId_RoundTrips()
    {
        const string auditId = "aud_01JPB4Q2M7X0S5V8N3C6D9F2GH";

        Assert.Equal(auditId, FhirAuditIds.ToAuditId(FhirAuditIds.ToResourceId(auditId)));
    }

    [Fact]
    public void ToAuditId_AuditIdAlready_ComesBackUnchanged()
    {
        Assert.Equal("aud_01JPB4Q2M7X0S5V8N3C6D9F2GH", FhirAuditIds.ToAuditId("aud_01JPB4Q2M7X0S5V8N3C6D9F2GH"));
    }

    [Theory]
    [InlineData("aud/01")]
    [InlineData("aud 01")]
    [InlineData("aud:01")]
    [InlineData("")]
    public void ToResourceId_CharactersFhirIdsDisallow_Throws(string auditId)
    {
        Assert.ThrowsAny<ArgumentException>(() => FhirAuditIds.ToResourceId(auditId));
    }

    [Fact]
    public void ToResourceId_LongerThan64_Throws()
    {
        Assert.Throws<ArgumentException>(() => FhirAuditIds.ToResourceId("aud_" + new string('A', 61)));
    }
}
