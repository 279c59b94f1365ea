using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using XefAI.Testing;
using static XefAI.Testing.GatewayCalls;

namespace XefAI.Gateway.Tests.Functional;

/// <summary>
/// Two gateway processes, one of them a separate operating-system process started from the built binaries,
/// writing concurrently to one PostgreSQL audit store: one valid chain.
/// </summary>
public sealed class PostgresTwoProcessTests
{
    [PostgresFact]
    public async Task TwoProcesses_ConcurrentCallsOnOneDatabase_SingleValidChain()
    {
        var connectionString = await (await PostgresServer.GetSharedAsync()).CreateDatabaseAsync();
        await using var inProcess = await GatewayHost.StartAsync(c => c["Audit"] = new JsonObject
        {
            ["Store"] = "postgres",
            ["Postgres"] = new JsonObject { ["ConnectionString"] = connectionString },
        });

        // The second gateway runs from the same configuration folder, in its own process, on a port of its own.
        var port = FreeLoopbackPort();
        using var process = Process.Start(new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                Path.Combine(AppContext.BaseDirectory, "XefAI.Gateway.dll"),
                $"--urls=http://127.0.0.1:{port}",
                "--environment=Testing",
                $"--XefAI:ConfigDirectory={Path.Combine(inProcess.Directory, "config")}",
            },
            Environment = { [GatewayHost.VendorKeyVariable] = GatewayHost.VendorKey },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var other = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            other.DefaultRequestHeaders.Authorization = new("Bearer", GatewayHost.ClientKey);
            await AdminCalls.WaitUntilAsync(
                async () =>
                {
                    try
                    {
                        return (await other.GetAsync(new Uri("/readyz", UriKind.Relative))).IsSuccessStatusCode;
                    }
                    catch (HttpRequestException)
                    {
                        Assert.False(process.HasExited, $"the second gateway process exited with code {(process.HasExited ? process.ExitCode : 0)}");
                        return false;
                    }
                },
                "the second gateway process to be ready",
                TimeSpan.FromSeconds(60));
            using var client = inProcess.CreateClient();

            var results = await Task.WhenAll(Enumerable.Range(0, 60).Select(i =>
                (i % 2 == 0 ? client : other).PostChatAsync(ChatBody("summary", $"Note {i}. Stable. Discharge home."))));

            Assert.All(results, r => Assert.Equal(200, r.Status));
            using var admin = inProcess.CreateClient(GatewayHost.AdminKey);
            var verification = await admin.GetFromJsonAsync<JsonObject>("/admin/audit/verify");
            Assert.True((bool)verification!["valid"]!, verification.ToJsonString());
            // The calls, and each process's record of the configuration it started with, in its own chain.
            Assert.Equal(62, (long)verification["records"]!);
            Assert.Equal(2, (int)verification["chains"]!);
            var trail = (await admin.GetFromJsonAsync<JsonObject>("/admin/audit?limit=1000"))!["data"]!.AsArray().Select(r => r!.AsObject()).ToList();
            var configurations = trail.Where(r => (string?)r["decision"] == "config_applied").ToList();
            Assert.Equal(2, configurations.Count);

            // Loaded from the same files: the same hash, which every call names, whichever process answered it.
            var hash = (string?)configurations[0]["inputSha256"];
            Assert.Equal(hash, (string?)configurations[1]["inputSha256"]);
            Assert.All(trail.Where(r => (string?)r["decision"] == "answered"), r => Assert.Equal(hash, r.ConfigurationOf()));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
