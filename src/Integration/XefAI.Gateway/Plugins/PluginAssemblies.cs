using System.Reflection;
using System.Runtime.Loader;

namespace XefAI.Gateway.Plugins;

/// <summary>
/// The assemblies scanned for plugins: the gateway's own <c>XefAI.*</c> assemblies and every assembly in
/// the configured plugins folder. A provider shipped as a DLL and named in configuration works without
/// rebuilding the gateway.
/// </summary>
internal static class PluginAssemblies
{
    /// <param name="pluginsPath">The plugins folder; a relative one is resolved against <paramref name="contentRoot"/>.</param>
    /// <param name="contentRoot">The gateway's content root.</param>
    /// <param name="skipped">Receives the XefAI files beside the binaries that are not the gateway's own.</param>
    public static IReadOnlyList<Assembly> Discover(string? pluginsPath, string contentRoot, ICollection<string>? skipped = null)
    {
        var assemblies = new List<Assembly>();
        foreach (var path in Directory.EnumerateFiles(AppContext.BaseDirectory, "XefAI.*.dll"))
        {
            try
            {
                assemblies.Add(AssemblyLoadContext.Default.LoadFromAssemblyName(AssemblyName.GetAssemblyName(path)));
            }
            catch (FileNotFoundException)
            {
                // Not in the gateway's dependency manifest (a leftover, or a test utility beside a test run):
                // not one of its own assemblies. Plugins belong in the plugins folder.
                skipped?.Add(Path.GetFileName(path));
            }
        }

        if (string.IsNullOrWhiteSpace(pluginsPath))
        {
            return assemblies;
        }

        var folder = Path.GetFullPath(pluginsPath, contentRoot);
        if (!Directory.Exists(folder))
        {
            return assemblies;
        }

        foreach (var path in Directory.EnumerateFiles(folder, "*.dll").Order(StringComparer.Ordinal))
        {
            var name = AssemblyName.GetAssemblyName(path);
            if (assemblies.Any(a => AssemblyName.ReferenceMatchesDefinition(a.GetName(), name)))
            {
                continue;
            }

            assemblies.Add(new PluginLoadContext(path).LoadFromAssemblyName(name));
        }

        return assemblies;
    }

    /// <summary>
    /// Loads a plugin with its private dependencies, but shares every assembly the gateway already has
    /// (the layer abstractions above all), so the plugin's types implement the gateway's interfaces.
    /// </summary>
    private sealed class PluginLoadContext(string pluginPath) : AssemblyLoadContext(Path.GetFileNameWithoutExtension(pluginPath))
    {
        private readonly AssemblyDependencyResolver _resolver = new(pluginPath);

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            try
            {
                return Default.LoadFromAssemblyName(assemblyName);
            }
            catch (FileNotFoundException)
            {
                var path = _resolver.ResolveAssemblyToPath(assemblyName);
                return path is null ? null : LoadFromAssemblyPath(path);
            }
        }

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
        {
            var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
            return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
        }
    }
}
