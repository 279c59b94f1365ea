using XefAI.Data.Context;
using XefAI.Data.Tests.Fhir;

namespace XefAI.Data.Tests.Context;

public sealed class ClinicalContextBuilderTests
{
    [Fact]
    public void Build_BundleAndPlainText_MergesFactsAndRoutesTextToFreeText()
    {
        var builder = new ClinicalContextBuilder([FhirSources.Create()]);

        var context = builder.Build(["Draft the discharge letter.", TestBundles.Discharge, "  ", "Keep it under 200 words."]);

        Assert.Equal(["Draft the discharge letter.", "Keep it under 200 words."], context.FreeText);
        Assert.Equal(8, context.Facts.Count);
        Assert.Equal("female, born 1954-03-02", context.Facts[0].Text);
        Assert.Equal("Patient/pat-4471", context.PatientReference);
        Assert.Equal(9, context.ResourceCount);
    }

    [Fact]
    public void Build_TwoBundles_KeepsInputOrderAndFirstPatient()
    {
        var builder = new ClinicalContextBuilder([FhirSources.Create()]);

        var context = builder.Build([TestBundles.Encounter, TestBundles.Discharge]);

        Assert.Equal("Patient/ed-77", context.PatientReference);
        Assert.Equal(16, context.ResourceCount);
        Assert.Equal("Encounter", context.Facts[0].Category);
        Assert.Equal("Note", context.Facts[^1].Category);
        Assert.Empty(context.FreeText);
    }

    [Fact]
    public void Build_SeveralSourcesReadTheInput_FirstSourceWins()
    {
        var builder = new ClinicalContextBuilder([
            new StubSource(input => null),
            new StubSource(input => new ClinicalContext([new ClinicalFact("Condition", "first")], [], "Patient/1", 1)),
            new StubSource(input => new ClinicalContext([new ClinicalFact("Condition", "second")], [], "Patient/2", 1)),
        ]);

        var context = builder.Build(["anything"]);

        Assert.Equal("first", Assert.Single(context.Facts).Text);
        Assert.Equal("Patient/1", context.PatientReference);
        Assert.Empty(context.FreeText);
    }

    [Fact]
    public void Build_SourcesReportWarnings_KeepsThemInInputOrder()
    {
        var builder = new ClinicalContextBuilder([
            new StubSource(input => new ClinicalContext([new ClinicalFact("Condition", input)], [], null, 1)
            {
                Warnings = [new ClinicalDataWarning($"{input}.meta.author", "unknown-element", "Unknown element; ignored")],
            }),
        ]);

        var context = builder.Build(["Patient", "Observation"]);

        Assert.Equal(["Patient.meta.author", "Observation.meta.author"], context.Warnings.Select(w => w.Path));
    }

    [Fact]
    public void Build_NothingRead_HasNoWarnings()
    {
        Assert.Empty(new ClinicalContextBuilder([]).Build(["Any interactions?"]).Warnings);
    }

    [Fact]
    public void Build_SourceReturnsFreeText_KeepsIt()
    {
        var builder = new ClinicalContextBuilder([
            new StubSource(input => input.StartsWith("hook:", StringComparison.Ordinal)
                ? new ClinicalContext([], ["user is reviewing orders"], null, 0)
                : null),
        ]);

        var context = builder.Build(["hook:order-select", "Any interactions?"]);

        Assert.Equal(["user is reviewing orders", "Any interactions?"], context.FreeText);
        Assert.Null(context.PatientReference);
    }

    [Fact]
    public void Build_NoSources_AllTextIsFreeText()
    {
        var builder = new ClinicalContextBuilder([]);

        var context = builder.Build([TestBundles.Encounter]);

        Assert.Equal([TestBundles.Encounter], context.FreeText);
        Assert.Empty(context.Facts);
        Assert.Equal(0, context.ResourceCount);
    }

    [Fact]
    public void Build_OnlyBlankInputs_ReturnsEmpty()
    {
        var builder = new ClinicalContextBuilder([FhirSources.Create()]);

        Assert.Same(ClinicalContext.Empty, builder.Build(["", " \n\t "]));
    }

    [Fact]
    public void Build_MalformedBundle_ThrowsClinicalDataException()
    {
        var builder = new ClinicalContextBuilder([FhirSources.Create()]);

        var ex = Assert.Throws<ClinicalDataException>(() => builder.Build([
            "Summarize.",
            """{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Patient", "name": {"family": "Hale"}}}]}""",
        ]));

        Assert.Equal("The FHIR Bundle is malformed: Type mismatch at Bundle.entry[0].resource.name[0]", ex.Message);
    }

    [Fact]
    public void Build_BundleWithAnAmbiguousDate_IsReadWithAWarningAndWithoutTheDate()
    {
        // Issue 8: this was a 400 while parsing was strict. "02/03/1954" may be February or March, so it is not guessed.
        var builder = new ClinicalContextBuilder([FhirSources.Create()]);

        var context = builder.Build([
            "Summarize.",
            """{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Patient", "gender": "male", "birthDate": "02/03/1954"}}]}""",
        ]);

        Assert.Equal(new ClinicalFact("Patient", "male"), Assert.Single(context.Facts));
        Assert.Equal(
            new ClinicalDataWarning("Bundle.entry[0].resource.birthDate", "invalid-value", "Invalid literal; the value was left out"),
            Assert.Single(context.Warnings));
        Assert.Equal(["Summarize."], context.FreeText);
    }

    private sealed class StubSource(Func<string, ClinicalContext?> read) : IClinicalContextSource
    {
        public string Name => "stub";

        public ClinicalContext? TryRead(string input) => read(input);
    }
}
