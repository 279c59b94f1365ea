using System.Net;
using System.Net.Sockets;
using XefAI.Data.FhirServer;

namespace XefAI.Data.Tests.FhirServer;

/// <summary>Base URLs a fetch refuses, and a server that is not there; no FHIR server needed.</summary>
public sealed class FhirServerAddressTests
{
    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://169.254.0.1:8080/fhir")]
    [InlineData("http://[fe80::1]/fhir")]
    [InlineData("http://[::ffff:169.254.169.254]/fhir")]
    [InlineData("http://100.100.100.200/latest")]
    [InlineData("http://metadata.google.internal/computeMetadata/v1")]
    [InlineData("http://METADATA.google.internal./computeMetadata/v1")]
    [InlineData("ftp://ehr.example.org/fhir")]
    [InlineData("file:///etc/passwd")]
    [InlineData("http://user:secret@ehr.example.org/fhir")]
    public async Task FetchAsync_RefusedBaseUrl_FailsRefusedAddressWithoutConnecting(string baseUrl)
    {
        var resolved = false;
        using var client = FhirServerClients.Create(resolve: (_, _) =>
        {
            resolved = true;
            return Task.FromResult(new[] { IPAddress.Loopback });
        });

        var ex = await Assert.ThrowsAsync<FhirServerException>(
            () => client.FetchAsync(FhirServerClients.Request(baseUrl, "token-1", "Patient/123"), CancellationToken.None));

        Assert.Equal(FhirServerErrorKind.RefusedAddress, ex.Kind);
        Assert.False(resolved);
        Assert.DoesNotContain("secret", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("169.254.169.254")]
    [InlineData("fe80::1")]
    [InlineData("100.100.100.200")]
    public async Task FetchAsync_NameResolvingToLinkLocalOrMetadata_FailsRefusedAddress(string address)
    {
        using var client = FhirServerClients.Create(resolve: (_, _) => Task.FromResult(new[] { IPAddress.Loopback, IPAddress.Parse(address) }));

        var ex = await Assert.ThrowsAsync<FhirServerException>(
            () => client.FetchAsync(FhirServerClients.Request("http://ehr.example.org/fhir", "token-1", "Patient/123"), CancellationToken.None));

        Assert.Equal(FhirServerErrorKind.RefusedAddress, ex.Kind);
        Assert.Equal("http://ehr.example.org", ex.Server);
    }

    [Theory]
    [InlineData("http://other.example.org/Patient/123")]
    [InlineData("/Patient/123")]
    [InlineData("//other.example.org/Patient/123")]
    [InlineData("")]
    [InlineData("?_count=1")]
    public async Task FetchAsync_QueryNotUnderTheBase_FailsRefusedAddress(string query)
    {
        using var client = FhirServerClients.Create(resolve: (_, _) => Task.FromResult(new[] { IPAddress.Loopback }));

        var ex = await Assert.ThrowsAsync<FhirServerException>(
            () => client.FetchAsync(FhirServerClients.Request("http://ehr.example.org/fhir/R4", null, query), CancellationToken.None));

        Assert.Equal(FhirServerErrorKind.RefusedAddress, ex.Kind);
    }

    [Fact]
    public async Task FetchAsync_NothingListening_FailsUnreachableNamingTheServer()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = FhirServerClients.Create();

        var ex = await Assert.ThrowsAsync<FhirServerException>(
            () => client.FetchAsync(FhirServerClients.Request($"http://127.0.0.1:{port}/fhir/R4", "token-1", "Patient/123"), CancellationToken.None));

        Assert.Equal(FhirServerErrorKind.Unreachable, ex.Kind);
        Assert.StartsWith($"The FHIR server http://127.0.0.1:{port} is unreachable", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IsRefused_LoopbackAndPrivateNetworks_AreAllowed()
    {
        Assert.False(FhirServerAddresses.IsRefused(IPAddress.Loopback));
        Assert.False(FhirServerAddresses.IsRefused(IPAddress.IPv6Loopback));
        Assert.False(FhirServerAddresses.IsRefused(IPAddress.Parse("10.1.2.3")));
        Assert.False(FhirServerAddresses.IsRefused(IPAddress.Parse("169.255.0.1")));
        Assert.True(FhirServerAddresses.IsRefused(IPAddress.Parse("169.254.255.255")));
    }
}
