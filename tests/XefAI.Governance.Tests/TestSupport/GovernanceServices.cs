using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace XefAI.Governance.Tests;

/// <summary>
/// The governance layer as the host composes it, from in-memory configuration, with a manual clock and a
/// governance state database of its own (or a shared one, to play a second replica).
/// </summary>
internal sealed class GovernanceServices : IDisposable, IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2025, 7, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _provider;
    private readonly string? _ownedFolder;

    private GovernanceServices(ReloadableConfigurationSource source, Action<IGovernanceBuilder>? configure, string? databasePath)
    {
        if (databasePath is null)
        {
            _ownedFolder = NewFolder();
            databasePath = Path.Combine(_ownedFolder, "governance.db");
        }

        DatabasePath = databasePath;
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Clock);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Governance:Sqlite:Path"] = databasePath })
            .Add(source)
            .Build();
        var builder = services.AddXefAIGovernance(configuration);
        configure?.Invoke(builder);
        _provider = services.BuildServiceProvider();
    }

    public ManualClock Clock { get; } = new(Start);

    public IServiceProvider Provider => _provider;

    public string DatabasePath { get; }

    public IUseCaseRegistry Registry => Get<IUseCaseRegistry>();

    public IUseCaseAdministration Administration => Get<IUseCaseAdministration>();

    public static GovernanceServices Create(
        Dictionary<string, string?>? configuration = null, Action<IGovernanceBuilder>? configure = null, string? databasePath = null) =>
        new(new ReloadableConfigurationSource(configuration ?? []), configure, databasePath);

    public static GovernanceServices Watching(
        ReloadableConfigurationSource source, Action<IGovernanceBuilder>? configure = null, string? databasePath = null) =>
        new(source, configure, databasePath);

    /// <summary>A fresh folder under the temp directory, for a database several instances share.</summary>
    public static string NewFolder() => Path.Combine(Path.GetTempPath(), "xefai-governance-tests", Guid.NewGuid().ToString("N"));

    public T Get<T>()
        where T : notnull => _provider.GetRequiredService<T>();

    public TPolicy Policy<TPolicy>()
        where TPolicy : IPolicy => Assert.IsType<TPolicy>(Assert.Single(_provider.GetServices<IPolicy>(), p => p is TPolicy));

    public UseCase UseCase(string id)
    {
        Assert.True(Registry.TryGet(id, out var useCase), $"Use case '{id}' is not in the registry.");
        return useCase;
    }

    public ValueTask<UseCaseStatusChange> ApplyAsync(string id, UseCaseAction action, string? sponsor = null, string reason = "Committee decision") =>
        Administration.ApplyAsync(id, action, "governance-committee", reason, sponsor, CancellationToken.None);

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        if (_ownedFolder is not null)
        {
            DeleteFolder(_ownedFolder);
        }
    }

    public static void DeleteFolder(string folder)
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
