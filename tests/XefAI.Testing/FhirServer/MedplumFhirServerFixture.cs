namespace XefAI.Testing;

/// <summary>
/// One <see cref="MedplumFhirServer"/> per test class (<c>IClassFixture&lt;MedplumFhirServerFixture&gt;</c>). Where the
/// server cannot run and the environment does not require it, nothing starts and the tests, marked
/// <see cref="FhirServerFactAttribute"/>, are skipped; reading <see cref="Server"/> then fails with the reason.
/// </summary>
public sealed class MedplumFhirServerFixture : IAsyncLifetime
{
    private MedplumFhirServer? _server;

    /// <summary>The running server.</summary>
    /// <exception cref="InvalidOperationException">It could not start here.</exception>
    public MedplumFhirServer Server => _server ?? throw new InvalidOperationException(
        MedplumFhirServer.UnavailableReason ?? "The FHIR test server is not running.");

    public async Task InitializeAsync()
    {
        if (MedplumFhirServer.IsRequired || MedplumFhirServer.UnavailableReason is null)
        {
            _server = await MedplumFhirServer.StartAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
