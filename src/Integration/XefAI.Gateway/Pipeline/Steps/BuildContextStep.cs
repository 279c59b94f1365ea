using XefAI.Data;

namespace XefAI.Gateway.Pipeline.Steps;

/// <summary>
/// Build clinical context: the Data layer reads the clinical data the call brought (FHIR resources and Bundles,
/// leniently: what is recoverable is used and reported as warnings, never refused) and names the patient, whose
/// pseudonym, never the identifier, goes in the audit record.
/// </summary>
internal sealed class BuildContextStep(IClinicalContextBuilder clinicalContext, IPatientPseudonymizer pseudonymizer) : ICallStep
{
    public ValueTask ExecuteAsync(CallContext call)
    {
        var request = call.Request!;
        var inputs = request.ClinicalInputs ?? ContentsOf(request.Messages);
        if (inputs.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        try
        {
            call.Clinical = clinicalContext.Build(inputs);
        }
        catch (ClinicalDataException ex)
        {
            call.Error = Integration.CallError.InvalidRequest("invalid_fhir", ex.Message, request.ClinicalInputsParam);
            return ValueTask.CompletedTask;
        }

        if (request.TruncatedClinicalInputs.Count > 0)
        {
            // The server had more than the fetch limits let through: said in the result, its header and the record, so
            // nobody reads the answer as written from the whole chart.
            call.Clinical = call.Clinical with
            {
                Warnings =
                [
                    .. call.Clinical.Warnings,
                    .. request.TruncatedClinicalInputs.Select(path => new ClinicalDataWarning(
                        path, "truncated", "The FHIR server had more than the fetch limits allow (Data:FhirServer:MaxPages, MaxEntries); the rest was not read")),
                ],
            };
        }

        if (call.Clinical.PatientReference is { } patient)
        {
            call.PatientPseudonym = pseudonymizer.Pseudonymize(patient);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The messages' texts: one array, not an iterator and a list.</summary>
    private static string[] ContentsOf(IReadOnlyList<Models.ChatMessage> messages)
    {
        if (messages.Count == 0)
        {
            return [];
        }

        var contents = new string[messages.Count];
        for (var i = 0; i < contents.Length; i++)
        {
            contents[i] = messages[i].Content;
        }

        return contents;
    }
}
