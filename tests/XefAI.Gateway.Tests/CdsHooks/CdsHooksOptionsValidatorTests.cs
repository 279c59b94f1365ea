using XefAI.Gateway.CdsHooks;
using XefAI.Gateway.Configuration;

namespace XefAI.Gateway.Tests.CdsHooks;

public sealed class CdsHooksOptionsValidatorTests
{
    [Fact]
    public void Validate_GoodService_Passes()
    {
        var result = new CdsHooksOptionsValidator().Validate(null, Options(Service()));

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("Hook", "chart-opened", "Hook must be one of")]
    [InlineData("Indicator", "hard-stop", "Indicator must be info, warning or critical")]
    [InlineData("UseCase", "", "UseCase is required")]
    [InlineData("Description", null, "Description is required")]
    public void Validate_BadField_NamesIt(string field, string? value, string expected)
    {
        var service = Service();
        typeof(CdsServiceOptions).GetProperty(field)!.SetValue(service, value);

        var result = new CdsHooksOptionsValidator().Validate(null, Options(service));

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Patient/{{context.patientId}}", null)]
    [InlineData("Observation?patient={{context.patientId}}&category=vital-signs", null)]
    [InlineData("Practitioner/{{userPractitionerId}}", null)]
    [InlineData("Patient/{{context.patient-id}}", "uses token")]
    [InlineData("Patient/{{patientId}}", "uses token")]
    [InlineData("Patient/{{context.patientId}", "unbalanced")]
    [InlineData("Patient/context.patientId}}", "unbalanced")]
    [InlineData("https://evil.example/Patient/1", "relative")]
    [InlineData("/Patient/1", "relative")]
    [InlineData("", "is empty")]
    public void CheckTemplate_AllowsOnlyTheSpecificationsTokens(string template, string? problem)
    {
        var found = CdsHookRules.CheckTemplate(template);

        if (problem is null)
        {
            Assert.Null(found);
        }
        else
        {
            Assert.Contains(problem, found, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Render_FillsContextAndUserTokensEscaped_AndNamesAMissingOne()
    {
        var values = new Dictionary<string, string> { ["context.patientId"] = "12 3", ["userPractitionerId"] = "abc" };

        Assert.Equal("Observation?patient=12%203&performer=abc", CdsHookRules.Render("Observation?patient={{context.patientId}}&performer={{ userPractitionerId }}", t => values.GetValueOrDefault(t), out _));
        Assert.Null(CdsHookRules.Render("Encounter/{{context.encounterId}}", t => values.GetValueOrDefault(t), out var missing));
        Assert.Equal("context.encounterId", missing);
    }

    [Theory]
    [InlineData("Summary one. Then more.", "Summary one.")]
    [InlineData("## Heading line\nBody.", "Heading line")]
    [InlineData("   ", "The model gave no answer text.")]
    public void Summary_IsTheFirstSentence(string content, string expected) => Assert.Equal(expected, CdsServiceAdapter.Summary(content));

    [Fact]
    public void Summary_LongSentence_IsCutTo140WithAnEllipsis()
    {
        var summary = CdsServiceAdapter.Summary(new string('a', 300) + ". Next.");

        Assert.Equal(140, summary.Length);
        Assert.EndsWith("…", summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://ehr.example.org/fhir", true)]
    [InlineData("http://127.0.0.1:8080/fhir", true)]
    [InlineData("ftp://ehr.example.org/fhir", false)]
    [InlineData("http://169.254.169.254/", false)]
    [InlineData("http://[fe80::1%25eth0]/", false)]
    [InlineData("http://[::ffff:169.254.1.1]/", false)]
    [InlineData("http://metadata.google.internal/", false)]
    [InlineData("https://user:pass@ehr.example.org/", false)]
    [InlineData("fhir", false)]
    public void FhirServerAddress_AllowsOnlyHttpToNonLinkLocalHosts(string value, bool allowed) =>
        Assert.Equal(allowed, FhirServerAddress.Check(value, out _) is not null);

    private static CdsHooksOptions Options(CdsServiceOptions service) => new() { Services = { ["chart-review"] = service } };

    private static CdsServiceOptions Service() => new()
    {
        UseCase = "summary",
        Hook = "patient-view",
        Description = "Summarizes the chart.",
        Prefetch = { ["patient"] = "Patient/{{context.patientId}}" },
    };
}
