namespace XefAI.Governance;

/// <summary>
/// A check of a model's answer before it is released (the pipeline's "check output" step): for example that it holds
/// no identifier the tier forbids, or that it cites the context it was given. Checks are plugins; each stands alone.
/// </summary>
public interface IOutputCheck
{
    string Name { get; }

    /// <returns>Why the answer may not be released, or null when this check has nothing against it.</returns>
    PolicyDenial? Check(OutputCheckContext context);
}

/// <summary>What an output check sees: the use case and the answer's text.</summary>
/// <param name="Text">The answer's text; for a stream, checked once the stream is complete is not possible, so streams are checked as they end.</param>
public sealed record OutputCheckContext(UseCase UseCase, string AppId, string Text);
