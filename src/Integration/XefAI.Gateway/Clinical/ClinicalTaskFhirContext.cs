using Microsoft.Extensions.Options;
using XefAI.Integration;

namespace XefAI.Gateway.Clinical;

/// <summary>
/// The <c>ClinicalTasks</c> section: use cases whose clinical data the gateway fetches from a FHIR server, so that
/// <c>invoke</c> can take just a patient id (<c>{"patient": "123"}</c>).
/// </summary>
internal sealed class ClinicalTaskOptions
{
    public const string SectionName = "ClinicalTasks";

    /// <summary>By use case id.</summary>
    public Dictionary<string, ClinicalTaskFhirContextOptions> FhirContext { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>Where one use case's patient data lives and which queries read it.</summary>
internal sealed class ClinicalTaskFhirContextOptions
{
    /// <summary>The FHIR base URL, e.g. <c>https://ehr.example.org/fhir/R4</c>.</summary>
    public string? FhirServer { get; init; }

    /// <summary>Prefetch-style queries relative to <see cref="FhirServer"/>, with <c>{{patientId}}</c> where the patient goes.</summary>
    public List<string> Queries { get; init; } = [];

    /// <summary>The environment variable that holds the server's bearer token; none sends no token.</summary>
    public string? TokenVariable { get; init; }
}

internal sealed class ClinicalTaskOptionsValidator : IValidateOptions<ClinicalTaskOptions>
{
    public const string PatientToken = "{{patientId}}";

    public ValidateOptionsResult Validate(string? name, ClinicalTaskOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach (var (useCase, context) in options.FhirContext)
        {
            var key = $"{ClinicalTaskOptions.SectionName}:FhirContext:{useCase}";
            if (!Uri.TryCreate(context.FhirServer, UriKind.Absolute, out var server) || server.Scheme is not ("http" or "https"))
            {
                failures.Add($"{key}:FhirServer must be an absolute http or https URL.");
            }

            if (context.Queries.Count == 0)
            {
                failures.Add($"{key}:Queries must list at least one query, e.g. \"Patient/{PatientToken}\".");
            }

            foreach (var query in context.Queries)
            {
                var withoutToken = query.Replace(PatientToken, "x", StringComparison.Ordinal);
                if (string.IsNullOrWhiteSpace(query) || query.Contains("://", StringComparison.Ordinal) || query.StartsWith('/')
                    || withoutToken.Contains("{{", StringComparison.Ordinal))
                {
                    failures.Add($"{key}:Queries: '{query}' must be relative to FhirServer and use no token but {PatientToken}.");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Errors of a patient-id invoke, in the clinical task API's terms.</summary>
internal static class ClinicalTaskFhirErrors
{
    public static CallError NoFhirContext(string? useCaseId) => new(
        StatusCodes.Status400BadRequest,
        "use_case_reads_no_fhir_server",
        $"Use case '{useCaseId}' reads no FHIR server ({ClinicalTaskOptions.SectionName}:FhirContext), so it cannot take a patient id; send the patient's data as 'bundle'.",
        "patient");

    public static CallError PatientNotFound(string server) => new(
        StatusCodes.Status404NotFound, "patient_not_found", $"The FHIR server at {server} has no such Patient.", "patient");

    /// <summary>The server answered with a Patient of another id, or a resource whose subject is another patient.</summary>
    public static CallError AnotherPatient(string server) => new(
        StatusCodes.Status502BadGateway,
        "fhir_server_error",
        $"The FHIR server at {server} sent data about another patient than the one asked for; nothing was sent to a model.",
        "patient");

    /// <summary>The server failed or refused: 502, naming the server and never the token, the queries or what it sent.</summary>
    public static CallError Server(Data.FhirServerException ex) => new(
        StatusCodes.Status502BadGateway,
        ex is { Kind: Data.FhirServerErrorKind.ErrorStatus, StatusCode: 401 or 403 } or { Kind: Data.FhirServerErrorKind.InvalidToken }
            ? "fhir_server_unauthorized" : "fhir_server_error",
        // The token comes from the operator's environment variable (TokenVariable), e.g. with a trailing line break.
        ex.Kind == Data.FhirServerErrorKind.InvalidToken ? $"{ex.Message} Check the variable named by the use case's TokenVariable." : ex.Message,
        "patient");
}
