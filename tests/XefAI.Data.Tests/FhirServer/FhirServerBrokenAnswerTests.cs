using System.Net;
using System.Net.Sockets;
using System.Text;

namespace XefAI.Data.Tests.FhirServer;

/// <summary>A FHIR server whose connection breaks mid-answer (hostile testing, round 17); a raw socket, no FHIR server needed.</summary>
public sealed class FhirServerBrokenAnswerTests
{
    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Type: application/fhir+json\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n{\"resourceType\":\"Patient\",\"id\":\"")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Type: application/fhir+json\r\nContent-Length: 500\r\n\r\n{\"resourceType\":\"Patient\",\"id\":\"")]
    public async Task FetchAsync_ConnectionClosedMidBody_FailsUnreachableNamingTheServer(string partialAnswer)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var serve = Task.Run(async () =>
        {
            // Both attempts (the first and its one retry) get the same broken answer.
            for (var i = 0; i < 2; i++)
            {
                using var socket = await listener.AcceptSocketAsync();
                var buffer = new byte[8192];
                await socket.ReceiveAsync(buffer);
                await socket.SendAsync(Encoding.ASCII.GetBytes(partialAnswer));
                socket.Close();
            }
        });
        using var client = FhirServerClients.Create();

        var ex = await Assert.ThrowsAsync<FhirServerException>(
            () => client.FetchAsync(FhirServerClients.Request($"http://127.0.0.1:{port}/fhir", "token-1", "Patient/123"), CancellationToken.None));

        Assert.Equal(FhirServerErrorKind.Unreachable, ex.Kind);
        Assert.Contains($"127.0.0.1:{port}", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("token-1", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Patient/123", ex.Message, StringComparison.Ordinal);
        await serve.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
