using XefAI.Data.Fhir;

namespace XefAI.Data.Tests.Fhir;

/// <summary>
/// Found by hostile testing: a resource with a JSON <c>null</c> where a list item belongs (<c>"contact": [null]</c>,
/// <c>"given": [null]</c>), or a single object where <c>contained</c> must be a list, passed Firely's parser and then
/// failed the fact extractor or Firely's validation with an exception the gateway answered 500 (and counted toward the
/// use case's automatic suspension). Such data is malformed FHIR: it must be a 400 that names the element, never the value.
/// </summary>
public sealed class FhirResourceSourceNullItemTests
{
    private readonly FhirResourceSource _source = FhirSources.Create();

    [Theory]
    [InlineData("\"contact\": [null]", "Patient.contact[0]")]
    [InlineData("\"name\": [null]", "Patient.name[0]")]
    [InlineData("\"name\": [{\"given\": [null]}]", "Patient.name[0].given[0]")]
    [InlineData("\"telecom\": [{\"system\": \"phone\", \"value\": \"555-0142\"}, null]", "Patient.telecom[1]")]
    [InlineData("\"identifier\": [null]", "Patient.identifier[0]")]
    [InlineData("\"address\": [{\"line\": [null]}]", "Patient.address[0].line[0]")]
    [InlineData("\"address\": [null]", "Patient.address[0]")]
    [InlineData("\"name\": [[null]]", "null where a list item belongs at Patient.")]
    public void TryRead_NullListItemInAPatient_ThrowsNamingTheElement(string member, string path)
    {
        var patient = $"{{\"resourceType\": \"Patient\", \"id\": \"p1\", \"birthDate\": \"1956-05-12\", {member}}}";

        var ex = Assert.Throws<ClinicalDataException>(() => _source.TryRead(patient));

        Assert.StartsWith("The FHIR Patient is malformed: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("555-0142", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"resourceType\": \"Observation\", \"status\": \"final\", \"code\": {\"text\": \"BP\"}, \"component\": [null]}", "Observation.component[0]")]
    [InlineData("{\"resourceType\": \"MedicationRequest\", \"status\": \"active\", \"intent\": \"order\", \"medicationCodeableConcept\": {\"text\": \"x\"}, \"dosageInstruction\": [null]}", "MedicationRequest.dosageInstruction[0]")]
    [InlineData("{\"resourceType\": \"AllergyIntolerance\", \"code\": {\"text\": \"x\"}, \"reaction\": [null]}", "AllergyIntolerance.reaction[0]")]
    [InlineData("{\"resourceType\": \"Composition\", \"status\": \"final\", \"title\": \"t\", \"section\": [null]}", "Composition.section[0]")]
    [InlineData("{\"resourceType\": \"DocumentReference\", \"status\": \"current\", \"content\": [null]}", "DocumentReference.content[0]")]
    [InlineData("{\"resourceType\": \"Bundle\", \"type\": \"collection\", \"entry\": [{\"resource\": {\"resourceType\": \"Patient\", \"contact\": [null]}}]}", "Bundle.entry[0].resource.contact[0]")]
    public void TryRead_NullListItemInAClinicalResource_ThrowsNamingTheElement(string resource, string path)
    {
        var ex = Assert.Throws<ClinicalDataException>(() => _source.TryRead(resource));

        Assert.Contains(" is malformed: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_ContainedAsOneObjectInsteadOfAList_Throws()
    {
        var patient = "{\"resourceType\": \"Patient\", \"id\": \"p1\", \"contained\": {\"resourceType\": \"Practitioner\", \"id\": \"x\"}}";

        var ex = Assert.Throws<ClinicalDataException>(() => _source.TryRead(patient));

        Assert.StartsWith("The FHIR Patient is malformed: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_NullPrimitiveWithItsExtensionInTheUnderscoreList_IsValidAndRead()
    {
        // FHIR JSON: a repeating primitive's value may be null when its _element sibling carries its extensions.
        var patient = "{\"resourceType\": \"Patient\", \"id\": \"p1\", \"gender\": \"male\", \"name\": [{\"family\": \"Hale\", \"given\": [null, \"Ada\"], "
            + "\"_given\": [{\"extension\": [{\"url\": \"http://example.org/x\", \"valueString\": \"y\"}]}, null]}]}";

        var context = _source.TryRead(patient);

        Assert.NotNull(context);
        var person = Assert.Single(context.People);
        Assert.Equal(["Ada"], person.GivenNames);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("[null]")]
    [InlineData("[{}]")]
    public void TryRead_AListWhereOneValueBelongsBesideItsUnderscoreElement_Throws(string birthDate)
    {
        var patient = "{\"resourceType\": \"Patient\", \"id\": \"p1\", \"birthDate\": " + birthDate
            + ", \"_birthDate\": {\"extension\": [{\"url\": \"http://example.org/x\", \"valueString\": \"y\"}]}}";

        var ex = Assert.Throws<ClinicalDataException>(() => _source.TryRead(patient));

        Assert.StartsWith("The FHIR Patient is malformed: ", ex.Message, StringComparison.Ordinal);
    }
}
