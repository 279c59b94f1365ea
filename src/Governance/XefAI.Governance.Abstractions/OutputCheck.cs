namespace XefAI.Governance;

/// <summary>
/// A check of a model's answer before it is released (the pipeline's "check output" step): for example that it holds
/// no identifier the tier forbids, or that it cites the context it was given. Checks are plugins; each stands alone.
/// </summary>
public interface IOutputCheck
{
    string Name { get; }

    /// <summary>
    /// Whether this check reads the answers of <paramref name="useCase"/>; by default every use case's. A stream asked
    /// of a use case that any check applies to is answered whole first, so a check that needs only some use cases should
    /// say which, and leave the others streaming as the model answers.
    /// </summary>
    bool AppliesTo(UseCase useCase) => true;

    /// <returns>Why the answer may not be released, or null when this check has nothing against it.</returns>
    PolicyDenial? Check(OutputCheckContext context);
}

/// <summary>What an output check sees: the use case and the answer's text.</summary>
/// <param name="Text">The whole answer's text, also when the client asked for a stream: it is released only once checked.</param>
public sealed record OutputCheckContext(UseCase UseCase, string AppId, string Text);
