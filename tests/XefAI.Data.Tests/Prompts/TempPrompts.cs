namespace XefAI.Data.Tests.Prompts;

/// <summary>A prompts folder of its own for one test, removed afterwards.</summary>
internal sealed class TempPrompts : IDisposable
{
    public TempPrompts()
    {
        Directory.CreateDirectory(Path);
    }

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"xefai-prompts-{Guid.NewGuid():N}");

    /// <summary>The templates shipped in config/prompts, as the test project copies them beside its binaries.</summary>
    public static string Shipped { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "prompts");

    public string Write(string name, string version, string json)
    {
        var folder = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(folder);
        var file = System.IO.Path.Combine(folder, $"{version}.json");
        File.WriteAllText(file, json);
        return file;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
