using Hl7.Fhir.Model;
using XefAI.Data.Fhir;

namespace XefAI.Data.Tests.Fhir;

public sealed class FhirTextTests
{
    [Theory]
    [InlineData(
        "<div xmlns=\"http://www.w3.org/1999/xhtml\"><table><tr><td>Sodium</td><td>138 mmol/L</td></tr><tr><td>Potassium</td><td>3.1 mmol/L</td></tr></table></div>",
        "Sodium 138 mmol/L; Potassium 3.1 mmol/L")]
    [InlineData(
        "<div xmlns=\"http://www.w3.org/1999/xhtml\">Replete K<sup>+</sup> if &lt; 3.5<br/>Recheck <b>tomorrow</b>.</div>",
        "Replete K+ if < 3.5; Recheck tomorrow.")]
    [InlineData("<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Stable.</p>\n\n<p>Home today.</p></div>", "Stable. Home today.")]
    [InlineData("<div xmlns=\"http://www.w3.org/1999/xhtml\"><p> </p></div>", null)]
    [InlineData("", null)]
    public void StripXhtml_Narrative_ReturnsPlainText(string xhtml, string? expected)
    {
        Assert.Equal(expected, FhirText.StripXhtml(xhtml));
    }

    [Fact]
    public void Display_ConceptWithText_PrefersText()
    {
        var concept = new CodeableConcept("http://snomed.info/sct", "38341003", "Hypertensive disorder", "High blood pressure");

        Assert.Equal("High blood pressure", FhirText.Display(concept));
    }

    [Fact]
    public void Display_ConceptWithoutText_UsesFirstCodingDisplayThenCode()
    {
        var concept = new CodeableConcept
        {
            Coding =
            [
                new Coding("http://hl7.org/fhir/sid/icd-10-cm", "I10"),
                new Coding("http://snomed.info/sct", "38341003", "Hypertensive disorder"),
            ],
        };

        Assert.Equal("Hypertensive disorder", FhirText.Display(concept));
        Assert.Equal("I10", FhirText.Display(new CodeableConcept("http://hl7.org/fhir/sid/icd-10-cm", "I10")));
    }

    [Fact]
    public void ValueOf_QuantityWithComparator_ReadsLikeALabResult()
    {
        var quantity = new Quantity(0.01m, "ng/mL") { Comparator = Quantity.QuantityComparator.LessThan };

        Assert.Equal("<0.01 ng/mL", FhirText.ValueOf(quantity));
    }
}
