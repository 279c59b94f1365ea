namespace XefAI.Data;

/// <summary>
/// The versioned prompt templates of the clinical task API: each use case names a template and version, which the
/// catalog fills with the call's clinical context and task parameters.
/// </summary>
public interface IPromptTemplateCatalog
{
    /// <summary>Every template version loaded, ordered by name then version; for start-up checks of the use cases' references.</summary>
    IReadOnlyList<PromptTemplateInfo> Templates { get; }

    /// <summary>One template version, or null when none has that name and version (exact, case-sensitive match).</summary>
    PromptTemplateInfo? Find(string templateName, string version);

    /// <summary>
    /// Renders a template's system and user messages. The clinical context fills the variables named in
    /// <see cref="PromptContextVariables"/>; <paramref name="parameters"/> fill the template's declared task parameters.
    /// Values are inserted as plain text, exactly as given: a value is never read as template syntax.
    /// </summary>
    /// <param name="parameters">The caller's task parameters; names match declared names exactly. A blank value counts as not given.</param>
    /// <exception cref="PromptTemplateException">
    /// <see cref="PromptTemplateErrors.TemplateNotFound"/>, <see cref="PromptTemplateErrors.ParameterUndeclared"/> or
    /// <see cref="PromptTemplateErrors.ParameterMissing"/>.
    /// </exception>
    Task<RenderedPrompt> RenderAsync(
        string templateName,
        string version,
        ClinicalContext context,
        IReadOnlyDictionary<string, string> parameters,
        CancellationToken cancellationToken = default);
}

/// <summary>A rendered prompt and the exact template version it came from, for the model call and the audit record.</summary>
/// <param name="TemplateSha256">SHA-256 (lowercase hex) of the template file's text, see <see cref="PromptTemplateInfo.Sha256"/>.</param>
public sealed record RenderedPrompt(
    string TemplateName,
    string TemplateVersion,
    string TemplateSha256,
    string SystemMessage,
    string UserMessage)
{
    /// <summary>Links the template offers with every answer (a guideline, an order set), e.g. for CDS Hooks cards.</summary>
    public IReadOnlyList<PromptLink> Links { get; init; } = [];

    /// <summary>Suggestions the template offers with every answer, each with a stable id a client's feedback can name.</summary>
    public IReadOnlyList<PromptSuggestion> Suggestions { get; init; } = [];
}

/// <summary>A link a template offers with its answers.</summary>
/// <param name="Label">What the clinician sees, at most 140 characters.</param>
/// <param name="Url">An absolute http(s) URL.</param>
public sealed record PromptLink(string Label, string Url);

/// <summary>A suggestion a template offers with its answers: a label only, never an action on the record.</summary>
/// <param name="Id">Stable across calls for the same template version and label, so feedback can name it.</param>
public sealed record PromptSuggestion(string Id, string Label, bool IsRecommended);

/// <summary>What a template version declares.</summary>
/// <param name="Sha256">
/// SHA-256 (lowercase hex) of the template file's UTF-8 text with any byte-order mark removed and line endings made
/// LF: equal to <c>sha256sum</c> of the file as the repository holds it, whatever the checkout's line endings.
/// </param>
/// <param name="Parameters">The task parameters a caller may send, in declaration order.</param>
public sealed record PromptTemplateInfo(
    string Name,
    string Version,
    string Sha256,
    string? Description,
    IReadOnlyList<PromptParameterInfo> Parameters);

/// <summary>One task parameter a template declares.</summary>
/// <param name="Default">Used when an optional parameter is not given; null renders as empty text.</param>
public sealed record PromptParameterInfo(string Name, string? Description, bool IsRequired, string? Default);

/// <summary>
/// Variables every template may use without declaring them, filled from the clinical context. A template cannot
/// declare a task parameter with one of these names, so a caller can never replace the clinical context.
/// </summary>
public static class PromptContextVariables
{
    /// <summary>Structured facts other than the patient's demographics, grouped by category: a heading per category, one <c>- </c> bullet per fact; <c>(none)</c> when there are none.</summary>
    public const string Facts = "context_facts";

    /// <summary>The caller's free text (inputs that were not clinical data), separated by blank lines; <c>(none)</c> when there is none.</summary>
    public const string Text = "context_text";

    /// <summary>The patient's demographics as the context source gave them (e.g. <c>female, born 1950-03-04</c>); <c>(not given)</c> when absent.</summary>
    public const string Patient = "patient";

    public static IReadOnlyList<string> All { get; } = [Facts, Text, Patient];
}

/// <summary>The <see cref="PromptTemplateException.Code"/> values.</summary>
public static class PromptTemplateErrors
{
    /// <summary>No template has the name and version asked for: a configuration mistake, not the caller's.</summary>
    public const string TemplateNotFound = "prompt_template_not_found";

    /// <summary>A template file is malformed; raised while loading, with every problem found.</summary>
    public const string TemplateInvalid = "prompt_template_invalid";

    /// <summary>The caller sent a task parameter the template does not declare: the caller's mistake.</summary>
    public const string ParameterUndeclared = "prompt_parameter_undeclared";

    /// <summary>The caller left out a task parameter the template requires: the caller's mistake.</summary>
    public const string ParameterMissing = "prompt_parameter_missing";
}

/// <summary>
/// A prompt cannot be rendered or a template cannot be loaded. The message is fit for the caller: it names
/// parameters and templates, never a parameter's value or any clinical data.
/// </summary>
public sealed class PromptTemplateException : Exception
{
    public PromptTemplateException()
        : this(PromptTemplateErrors.TemplateInvalid, "The prompt template cannot be used.")
    {
    }

    public PromptTemplateException(string message)
        : this(PromptTemplateErrors.TemplateInvalid, message)
    {
    }

    public PromptTemplateException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = PromptTemplateErrors.TemplateInvalid;
        Problems = [message];
    }

    public PromptTemplateException(string code, string message, string? parameterName = null, IReadOnlyList<string>? problems = null)
        : base(message)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        Code = code;
        ParameterName = parameterName;
        Problems = problems ?? [message];
    }

    /// <summary>One of <see cref="PromptTemplateErrors"/>.</summary>
    public string Code { get; }

    /// <summary>The parameter at fault (the first, when several are); null when the fault is not a parameter's.</summary>
    public string? ParameterName { get; }

    /// <summary>Every problem found, one sentence each; a start-up error lists them all.</summary>
    public IReadOnlyList<string> Problems { get; }
}
