using System.Net;
using System.Net.Sockets;
using System.Text;

namespace XefAI.Data.Tests.FhirServer;

/// <summary>
/// A FHIR server that answers 200 with the wrong kind of document (hostile testing, round 17): an OperationOutcome for
/// a read, or a single resource for a search, was taken as "no data" and the answer written as if the chart were empty.
/// A raw socket, no FHIR server needed.
/// </summary>
public sealed class FhirServerWrongAnswerTests
{
    [Theory]
    [InlineData("Patient/123", """{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"processing"}]}""", false)]
    [InlineData("Patient/123", """{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"x"}}""", false)]
    [InlineData("Observation?patient=123", """{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"processing"}]}""", false)]
    [InlineData("Observation?patient=123", """{"resourceType":"Bundle","type":"collection","entry":[]}""", false)]
    [InlineData("Patient/123", """{"resourceType":"Patient","id":"123"}""", true)]
    [InlineData("Observation?patient=123", """{"resourceType":"Bundle","type":"searchset","entry":[]}""", true)]
    [InlineData("Patient/123/$everything", """{"resourceType":"Bundle","type":"collection","entry":[]}""", true)]
    public async Task FetchAsync_AnswerOfTheWrongKind_FailsNotFhirWithoutNamingWhatWasSent(string query, string answer, bool accepted)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var body = Encoding.UTF8.GetBytes(answer);
        var serve = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            var buffer = new byte[8192];
            await socket.ReceiveAsync(buffer);
            await socket.SendAsync(Encoding.ASCII.GetBytes(
                $"HTTP/1.1 200 OK\r\nContent-Type: application/fhir+json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"));
            await socket.SendAsync(body);
            socket.Shutdown(SocketShutdown.Both);
        });
        using var client = FhirServerClients.Create();
        var request = FhirServerClients.Request($"http://127.0.0.1:{port}/fhir", "token-1", query);

        if (accepted)
        {
            var result = await client.FetchAsync(request, CancellationToken.None);
            Assert.Single(result.Resources);
        }
        else
        {
            var ex = await Assert.ThrowsAsync<FhirServerException>(() => client.FetchAsync(request, CancellationToken.None));
            Assert.Equal(FhirServerErrorKind.NotFhir, ex.Kind);
            Assert.Contains($"127.0.0.1:{port}", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("OperationOutcome", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("123", ex.Message.Replace($"127.0.0.1:{port}", "", StringComparison.Ordinal), StringComparison.Ordinal);
        }

        await serve.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
