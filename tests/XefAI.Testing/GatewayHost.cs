using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using XefAI.Gateway.Hosting;

namespace XefAI.Testing;

/// <summary>
/// The real gateway on a loopback port, with its own configuration folder and audit database in a
/// temporary directory. Tests edit the configuration as JSON, exactly as an operator edits the file.
/// </summary>
public sealed class GatewayHost : IAsyncDisposable
{
    /// <summary>The repository's root (the folder of <c>XefAI.Gateway.sln</c>), found upwards from the test binaries.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "XefAI.Gateway.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("The repository root (XefAI.Gateway.sln) was not found.");
    }

    public const string ClientKey = "test-client-key-0001";
    public const string OtherClientKey = "test-client-key-0002";
    public const string AdminKey = "test-admin-key-0001";

    private readonly WebApplication _app;

    private GatewayHost(WebApplication app, string directory, Uri address)
    {
        _app = app;
        Directory = directory;
        Address = address;
    }

    /// <summary>Temporary folder holding config/, the audit database and plugins/.</summary>
    public string Directory { get; }

    public Uri Address { get; }

    public string AuditDatabasePath => Path.Combine(Directory, "audit.db");

    public IServiceProvider Services => _app.Services;

    /// <summary>A configuration with two apps, an admin, a local use case and one use case per given vendor.</summary>
    public static JsonObject DefaultConfiguration(string directory) => new()
    {
        ["Logging"] = new JsonObject { ["LogLevel"] = new JsonObject { ["Default"] = "Warning" } },
        ["Gateway"] = new JsonObject
        {
            ["PluginsPath"] = Path.Combine(directory, "plugins"),
            ["Clients"] = new JsonObject
            {
                ["test-app"] = new JsonObject
                {
                    ["ApiKeySha256"] = Sha256(ClientKey),
                    ["UseCases"] = new JsonArray("summary", "vendor-chat", "suspended-case", "retired-case"),
                },
                ["other-app"] = new JsonObject
                {
                    ["ApiKeySha256"] = Sha256(OtherClientKey),
                    ["UseCases"] = new JsonArray("summary"),
                },
            },
            ["Admins"] = new JsonObject { ["test-admin"] = new JsonObject { ["ApiKeySha256"] = Sha256(AdminKey) } },
        },
        ["Data"] = new JsonObject { ["PseudonymSalt"] = "test-salt-0123456789abcdef" },
        ["Audit"] = new JsonObject
        {
            ["Store"] = "sqlite",
            ["Sqlite"] = new JsonObject { ["Path"] = Path.Combine(directory, "audit.db"), ["BusyTimeoutSeconds"] = 1 },
        },
        ["Governance"] = new JsonObject
        {
            ["UseCases"] = new JsonObject
            {
                ["summary"] = UseCase("Chart summary", 2, "active", "local"),
                ["vendor-chat"] = UseCase("Vendor chat", 1, "active", "vendor"),
                ["suspended-case"] = UseCase("Suspended", 3, "suspended", "local", "Paused by the governance committee."),
                ["retired-case"] = UseCase("Retired", 3, "retired", "local", "Replaced by summary."),
            },
        },
        ["Models"] = new JsonObject
        {
            ["Deployments"] = new JsonObject
            {
                ["local"] = new JsonObject { ["Kind"] = "local", ["Model"] = "xefai-local-extractive" },
                ["vendor"] = new JsonObject { ["Kind"] = "openai", ["Cluster"] = "vendor", ["Model"] = "gpt-4o-mini" },
            },
        },
        ["ReverseProxy"] = new JsonObject
        {
            ["Clusters"] = new JsonObject
            {
                ["vendor"] = new JsonObject
                {
                    ["Metadata"] = new JsonObject { ["ApiKeyVariable"] = VendorKeyVariable },
                    ["Destinations"] = new JsonObject
                    {
                        // Port 9 (discard) on loopback: a test that needs the vendor points this at WireMock.
                        ["primary"] = new JsonObject { ["Address"] = "http://127.0.0.1:9/v1" },
                    },
                },
            },
        },
    };

    /// <summary>The environment variable the test vendor's key is read from; set once per test process.</summary>
    public const string VendorKeyVariable = "XEFAI_TEST_VENDOR_KEY";

    public const string VendorKey = "sk-vendor-test-key";

    public static JsonObject UseCase(string name, int tier, string status, string provider, string? reason = null) => new()
    {
        ["Name"] = name,
        ["Owner"] = "Test owner",
        ["Tier"] = tier,
        ["Status"] = status,
        ["StatusReason"] = reason,
        ["Providers"] = new JsonArray(provider),
    };

    /// <summary>Starts a gateway; only a test of configuration reloads passes <paramref name="watchConfiguration"/>.</summary>
    /// <param name="watchConfiguration">
    /// Whether the gateway watches its files: each watch holds an inotify instance, of which the machine allows
    /// 128 across every process, so hosts that do not test reloads hold none.
    /// </param>
    /// <param name="builder">A last change to the host before it builds, e.g. a log sink.</param>
    public static async Task<GatewayHost> StartAsync(
        Action<JsonObject>? configure = null,
        string? directory = null,
        bool watchConfiguration = false,
        Action<WebApplicationBuilder>? builder = null)
    {
        Environment.SetEnvironmentVariable(VendorKeyVariable, VendorKey);
        directory ??= Path.Combine(Path.GetTempPath(), "xefai-tests", Guid.NewGuid().ToString("N"));
        var configDirectory = Path.Combine(directory, "config");
        System.IO.Directory.CreateDirectory(configDirectory);
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "plugins"));
        var configuration = DefaultConfiguration(directory);
        configure?.Invoke(configuration);
        await File.WriteAllTextAsync(Path.Combine(configDirectory, "appsettings.json"), configuration.ToJsonString());

        var app = GatewayApp.Create(
        [
            "--urls=http://127.0.0.1:0",
            "--environment=Testing",
            $"--{ConfigurationDirectory.SettingName}={configDirectory}",
            $"--{ConfigurationDirectory.WatchSettingName}={watchConfiguration}",
        ], builder);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GatewayHost(app, directory, new Uri(address));
    }

    public string ConfigurationPath => Path.Combine(Directory, "config", "appsettings.json");

    /// <summary>Reloads of the configuration files the gateway took, and those it rejected.</summary>
    public (long Applied, long Rejected) Reloads
    {
        get
        {
            var reloads = _app.Services.GetRequiredService<ConfigurationReloads>();
            return (reloads.Applied, reloads.Rejected);
        }
    }

    /// <summary>
    /// Rewrites the configuration file of the running gateway, as an operator would, in one step (written beside
    /// it, then renamed over it) so the gateway never reads half an edit.
    /// </summary>
    public async Task RewriteConfigurationAsync(Action<JsonObject> change)
    {
        var configuration = JsonNode.Parse(await File.ReadAllTextAsync(ConfigurationPath))!.AsObject();
        change(configuration);
        await ReplaceFileAsync(ConfigurationPath, configuration.ToJsonString());
    }

    /// <summary>Rewrites the configuration and waits until the gateway reports the edit applied.</summary>
    public async Task EditConfigurationAsync(Action<JsonObject> change)
    {
        var before = Reloads;
        await RewriteConfigurationAsync(change);
        await WaitForReloadAsync(before, applied: true);
    }

    /// <summary>
    /// Waits for the gateway's own signal that it judged a reload after <paramref name="before"/>: an applied one,
    /// or a rejected one. Fails after 30 s.
    /// </summary>
    public Task WaitForReloadAsync((long Applied, long Rejected) before, bool applied) => AdminCalls.WaitUntilAsync(
        () => Task.FromResult(applied ? Reloads.Applied > before.Applied : Reloads.Rejected > before.Rejected),
        applied ? "the gateway to apply the configuration edit" : "the gateway to reject the configuration edit",
        TimeSpan.FromSeconds(30));

    /// <summary>Replaces a file's content in one rename, as editors and configuration tools do.</summary>
    public static async Task ReplaceFileAsync(string path, string content)
    {
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }

    public HttpClient CreateClient(string? key = ClientKey)
    {
        var client = new HttpClient { BaseAddress = Address };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    public static string Sha256(string key) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow machine is left for the OS to clean; the test result stands.
        }
    }
}
