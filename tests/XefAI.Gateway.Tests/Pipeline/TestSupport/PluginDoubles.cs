using System.Reflection;
using XefAI.Governance;
using XefAI.Models;

namespace XefAI.Gateway.Tests.Pipeline.TestSupport;

/// <summary>
/// Doubles of plugin seams (<see cref="IOutputCheck"/>, <see cref="IModelProvider"/>), made at run time. The gateway's
/// plugin scan reads every <c>XefAI.*</c> assembly beside its binaries, this test assembly among them, so a class here
/// that implemented a plugin interface would be registered in every functional test's gateway.
/// </summary>
internal static class PluginDoubles
{
    /// <param name="appliesTo">The use cases the check reads; null for every one, as the interface's default says.</param>
    public static IOutputCheck OutputCheck(string name, Func<OutputCheckContext, PolicyDenial?> check, Func<UseCase, bool>? appliesTo = null) =>
        Create<IOutputCheck>((method, args) => method.Name switch
        {
            "get_Name" => name,
            nameof(IOutputCheck.AppliesTo) => appliesTo?.Invoke((UseCase)args[0]!) ?? true,
            nameof(IOutputCheck.Check) => check((OutputCheckContext)args[0]!),
            _ => throw new NotSupportedException(method.Name),
        });

    /// <summary>A model that answers in process with what <paramref name="answer"/> writes for the request it gets.</summary>
    public static IInProcessModelProvider InProcessModel(string kind, Func<ModelRequest, ModelResponse> answer) =>
        Create<IInProcessModelProvider>((method, args) => method.Name switch
        {
            "get_Kind" => kind,
            nameof(IInProcessModelProvider.CompleteAsync) => ValueTask.FromResult(answer((ModelRequest)args[0]!)),
            _ => throw new NotSupportedException(method.Name),
        });

    private static T Create<T>(Func<MethodInfo, object?[], object?> handler)
        where T : class
    {
        var proxy = DispatchProxy.Create<T, Dispatcher>();
        ((Dispatcher)(object)proxy).Handler = handler;
        return proxy;
    }

    /// <summary>Forwards every interface call to a handler; public and unsealed, as <see cref="DispatchProxy"/> requires.</summary>
#pragma warning disable CA1852 // DispatchProxy derives from it at run time.
    public class Dispatcher : DispatchProxy
#pragma warning restore CA1852
    {
        internal Func<MethodInfo, object?[], object?> Handler { get; set; } = (m, _) => throw new NotSupportedException(m.Name);

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => Handler(targetMethod!, args ?? []);
    }
}
