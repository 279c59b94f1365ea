namespace XefAI.Testing;

/// <summary>
/// A test against the real FHIR server (<see cref="MedplumFhirServer"/>): skipped, with the reason (install Node, run
/// <c>npm ci --prefix tests/fhir-server</c>), where it cannot start, unless <see cref="MedplumFhirServer.RequireVariable"/>
/// demands it run (and fail with that reason).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class FhirServerFactAttribute : FactAttribute
{
    public FhirServerFactAttribute()
    {
        if (!MedplumFhirServer.IsRequired && MedplumFhirServer.UnavailableReason is { } reason)
        {
            Skip = reason;
        }
    }
}
