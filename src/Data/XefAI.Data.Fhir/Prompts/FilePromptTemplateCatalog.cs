using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.SemanticKernel;

namespace XefAI.Data.Prompts;

/// <summary>
/// Loads every template version under one folder (<c>{name}/{version}.json</c>) once, checks each, and renders them
/// with Semantic Kernel's prompt template engine (<c>{{$variable}}</c> syntax).
/// </summary>
/// <remarks>
/// A bad template refuses the whole catalog, with every problem in one exception: the operator fixes the folder once,
/// and a call never meets a half-loaded template set.
/// </remarks>
internal sealed partial class FilePromptTemplateCatalog : IPromptTemplateCatalog
{
    private const int MaxEchoedNameLength = 64;

    private static readonly JsonSerializerOptions FileJson = new()
    {
        // A misspelt field ("is_requried") must fail at start-up, not silently make a parameter optional.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private readonly KernelPromptTemplateFactory _factory = new();

    // The gateway's kernel has no plugins: templates may only insert variables, never call functions.
    private readonly Kernel _kernel = new();

    private readonly FrozenDictionary<string, LoadedTemplate> _templates;

    /// <param name="directory">Full path of the folder holding one sub-folder per template name.</param>
    /// <exception cref="PromptTemplateException">Code <see cref="PromptTemplateErrors.TemplateInvalid"/>: a template is malformed.</exception>
    public FilePromptTemplateCatalog(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!Path.IsPathFullyQualified(directory))
        {
            throw new ArgumentException("The prompts folder must be a full path; the host resolves it against its content root.", nameof(directory));
        }

        // No folder, no templates: a gateway with no clinical-task use case needs none, and a use case that names a
        // template the catalog lacks is refused by the host's cross-layer check, naming Data:PromptsPath.
        var problems = new List<string>();
        var loaded = Directory.Exists(directory) ? Load(directory, problems) : [];

        if (problems.Count > 0)
        {
            throw new PromptTemplateException(
                PromptTemplateErrors.TemplateInvalid,
                $"The prompt templates in {directory} have {problems.Count} problem(s): {string.Join(" ", problems)}",
                problems: problems);
        }

        _templates = loaded.ToFrozenDictionary(t => Key(t.Info.Name, t.Info.Version), StringComparer.Ordinal);
        Templates = [.. loaded.Select(t => t.Info).OrderBy(t => t.Name, StringComparer.Ordinal).ThenBy(t => t.Version, StringComparer.Ordinal)];
    }

    public IReadOnlyList<PromptTemplateInfo> Templates { get; }

    public PromptTemplateInfo? Find(string templateName, string version) =>
        _templates.GetValueOrDefault(Key(templateName, version))?.Info;

    public async Task<RenderedPrompt> RenderAsync(
        string templateName,
        string version,
        ClinicalContext context,
        IReadOnlyDictionary<string, string> parameters,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(templateName);
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(parameters);

        if (!_templates.TryGetValue(Key(templateName, version), out var template))
        {
            throw new PromptTemplateException(
                PromptTemplateErrors.TemplateNotFound,
                $"No prompt template '{Echo(templateName)}' version '{Echo(version)}' is loaded.");
        }

        var arguments = Arguments(template, context, parameters);
        var system = await template.System.RenderAsync(_kernel, arguments, cancellationToken).ConfigureAwait(false);
        var user = await template.User.RenderAsync(_kernel, arguments, cancellationToken).ConfigureAwait(false);
        return new RenderedPrompt(template.Info.Name, template.Info.Version, template.Info.Sha256, system, user)
        {
            Links = template.Links,
            Suggestions = template.Suggestions,
        };
    }

    private static KernelArguments Arguments(LoadedTemplate template, ClinicalContext context, IReadOnlyDictionary<string, string> parameters)
    {
        var declared = template.Info.Parameters;
        var undeclared = parameters.Keys
            .Where(name => !declared.Any(p => string.Equals(p.Name, name, StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (undeclared.Count > 0)
        {
            var names = string.Join(", ", undeclared.Select(n => $"'{EchoName(n)}'"));
            var accepted = declared.Count == 0 ? "none" : string.Join(", ", declared.Select(p => p.Name));
            throw new PromptTemplateException(
                PromptTemplateErrors.ParameterUndeclared,
                $"Task parameter(s) {names} not declared by prompt template '{template.Info.Name}' version '{template.Info.Version}'; it accepts: {accepted}.",
                EchoName(undeclared[0]));
        }

        var arguments = new KernelArguments();
        foreach (var (name, value) in ContextVariables.From(context))
        {
            arguments[name] = value;
        }

        var missing = new List<string>();
        foreach (var parameter in declared)
        {
            if (parameters.TryGetValue(parameter.Name, out var value) && !string.IsNullOrWhiteSpace(value))
            {
                arguments[parameter.Name] = value;
            }
            else if (parameter.IsRequired)
            {
                missing.Add(parameter.Name);
            }
            else
            {
                arguments[parameter.Name] = parameter.Default ?? string.Empty;
            }
        }

        if (missing.Count > 0)
        {
            throw new PromptTemplateException(
                PromptTemplateErrors.ParameterMissing,
                $"Prompt template '{template.Info.Name}' version '{template.Info.Version}' requires task parameter(s) {string.Join(", ", missing.Select(n => $"'{n}'"))}.",
                missing[0]);
        }

        return arguments;
    }

    private List<LoadedTemplate> Load(string directory, List<string> problems)
    {
        var loaded = new List<LoadedTemplate>();
        foreach (var folder in Directory.EnumerateDirectories(directory).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(folder);
            if (!NamePattern().IsMatch(name))
            {
                problems.Add($"Folder '{name}' is not a template name (letters, digits, '-', '_' and '.', starting with a letter or digit).");
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
            {
                var version = Path.GetFileNameWithoutExtension(file);
                if (!NamePattern().IsMatch(version))
                {
                    problems.Add($"{name}/{Path.GetFileName(file)}: '{version}' is not a version (letters, digits, '-', '_' and '.', starting with a letter or digit).");
                    continue;
                }

                if (LoadOne(name, version, file, problems) is { } template)
                {
                    loaded.Add(template);
                }
            }
        }

        return loaded;
    }

    private LoadedTemplate? LoadOne(string name, string version, string path, List<string> problems)
    {
        var where = $"{name}/{version}.json";
        var text = Normalize(File.ReadAllText(path, Encoding.UTF8));
        PromptTemplateFile? file;
        try
        {
            file = JsonSerializer.Deserialize<PromptTemplateFile>(text, FileJson);
        }
        catch (JsonException ex)
        {
            problems.Add($"{where}: not a prompt template file ({ex.Message})");
            return null;
        }

        var count = problems.Count;
        if (file is null)
        {
            problems.Add($"{where}: the file holds no template.");
            return null;
        }

        var parameters = Parameters(where, file.InputVariables ?? [], problems);
        var links = Links(where, file.Links ?? [], problems);
        var suggestions = Suggestions(where, name, version, file.Suggestions ?? [], problems);
        var system = Lines(where, "system", file.System, problems);
        var user = Lines(where, "user", file.User, problems);
        if (problems.Count > count || system is null || user is null)
        {
            return null;
        }

        var systemTemplate = Compile(where, "system", system, parameters, problems);
        var userTemplate = Compile(where, "user", user, parameters, problems);
        if (systemTemplate is null || userTemplate is null)
        {
            return null;
        }

        var sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        var info = new PromptTemplateInfo(name, version, sha256, string.IsNullOrWhiteSpace(file.Description) ? null : file.Description, parameters);
        return new LoadedTemplate(info, systemTemplate, userTemplate) { Links = links, Suggestions = suggestions };
    }

    private const int MaxLabelLength = 140;

    private static List<PromptLink> Links(string where, List<PromptTemplateLink> declared, List<string> problems)
    {
        var links = new List<PromptLink>();
        foreach (var link in declared)
        {
            if (string.IsNullOrWhiteSpace(link.Label) || link.Label.Length > MaxLabelLength
                || !Uri.TryCreate(link.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                problems.Add($"{where}: each link needs a label of 1 to {MaxLabelLength} characters and an absolute http or https url.");
                continue;
            }

            links.Add(new PromptLink(link.Label.Trim(), url.AbsoluteUri));
        }

        return links;
    }

    private static List<PromptSuggestion> Suggestions(string where, string name, string version, List<PromptTemplateSuggestion> declared, List<string> problems)
    {
        var suggestions = new List<PromptSuggestion>();
        foreach (var suggestion in declared)
        {
            if (string.IsNullOrWhiteSpace(suggestion.Label) || suggestion.Label.Length > MaxLabelLength)
            {
                problems.Add($"{where}: each suggestion needs a label of 1 to {MaxLabelLength} characters.");
                continue;
            }

            // A UUID derived from the template version and the label: the same suggestion keeps its id across calls.
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{name}/{version}/{suggestion.Label.Trim()}"));
            hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
            hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
            suggestions.Add(new PromptSuggestion(new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString(), suggestion.Label.Trim(), suggestion.IsRecommended));
        }

        return suggestions;
    }

    private static List<PromptParameterInfo> Parameters(string where, List<PromptTemplateVariable> variables, List<string> problems)
    {
        var parameters = new List<PromptParameterInfo>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var variable in variables)
        {
            var name = variable.Name;
            if (name is null || !VariablePattern().IsMatch(name))
            {
                problems.Add($"{where}: input variable '{name}' is not a variable name (letters, digits and '_', starting with a letter).");
            }
            else if (PromptContextVariables.All.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                problems.Add($"{where}: input variable '{name}' is a context variable; task parameters cannot replace the clinical context.");
            }
            else if (!seen.Add(name))
            {
                // Semantic Kernel looks variables up ignoring case, so two such names would be one variable.
                problems.Add($"{where}: input variable '{name}' is declared twice (names are compared ignoring case).");
            }
            else if (variable.IsRequired && variable.Default is not null)
            {
                problems.Add($"{where}: input variable '{name}' is required and has a default; choose one.");
            }
            else
            {
                parameters.Add(new PromptParameterInfo(name, string.IsNullOrWhiteSpace(variable.Description) ? null : variable.Description, variable.IsRequired, variable.Default));
            }
        }

        return parameters;
    }

    private static string? Lines(string where, string field, List<string>? lines, List<string> problems)
    {
        if (lines is null || lines.Count == 0 || lines.All(string.IsNullOrWhiteSpace))
        {
            problems.Add($"{where}: '{field}' must be a non-empty array of lines.");
            return null;
        }

        return string.Join('\n', lines);
    }

    private IPromptTemplate? Compile(string where, string field, string template, List<PromptParameterInfo> parameters, List<string> problems)
    {
        string[] known = [.. PromptContextVariables.All, .. parameters.Select(p => p.Name)];
        var config = new PromptTemplateConfig
        {
            Name = where,
            TemplateFormat = PromptTemplateConfig.SemanticKernelTemplateFormat,
            Template = template,
            // Values go into a message's text as they are: the rendered text is never parsed as Semantic Kernel chat
            // markup (system and user are rendered apart), so its HTML encoding would only garble "BP < 90" or
            // "O'Brien" in what the model and the audit trail see. Template syntax in a value stays text either way.
            InputVariables = [.. known.Select(n => new InputVariable { Name = n, AllowDangerouslySetContent = true })],
        };

        try
        {
            var compiled = _factory.Create(config);

            // The factory adds every variable the template uses to the config: any addition is one nobody declared.
            var unknown = config.InputVariables.Select(v => v.Name).Except(known, StringComparer.OrdinalIgnoreCase).ToList();
            if (unknown.Count > 0)
            {
                problems.Add($"{where}: '{field}' uses {string.Join(", ", unknown.Select(n => $"{{{{${n}}}}}"))}, neither a declared input variable nor a context variable.");
                return null;
            }

            // A dry render finds what only rendering reveals, such as a function call the plugin-less kernel cannot make.
            var empty = new KernelArguments();
            foreach (var name in known)
            {
                empty[name] = string.Empty;
            }

            compiled.RenderAsync(_kernel, empty).GetAwaiter().GetResult();
            return compiled;
        }
        catch (Exception ex) when (ex is KernelException or KeyNotFoundException or ArgumentException)
        {
            problems.Add($"{where}: '{field}' is not a valid Semantic Kernel template ({ex.Message})");
            return null;
        }
    }

    // The hash must not depend on how a checkout stores line endings or whether an editor added a byte-order mark.
    private static string Normalize(string text) => text.TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal);

    private static string Key(string name, string version) => $"{name}\n{version}";

    // A caller's parameter name is echoed back so they can fix it; bounded and without control characters.
    /// <summary>
    /// A parameter name the caller wrote, echoed only when it is plainly a name: a name's characters, starting with a letter
    /// or '_', with fewer than five digits. Anything else (a patient's name, ssn_987-65-4321, mrn-4471923) is a value pasted.
    /// </summary>
    private static string EchoName(string name)
    {
        var plain = name.Length is > 0 and <= MaxEchoedNameLength && (char.IsAsciiLetter(name[0]) || name[0] == '_');
        var digits = 0;
        for (var i = 0; plain && i < name.Length; i++)
        {
            var c = name[i];
            digits += char.IsAsciiDigit(c) ? 1 : 0;
            plain = (char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') && digits < 5;
        }

        return plain ? name : "(unprintable name)";
    }

    private static string Echo(string value)
    {
        var clean = new string([.. value.Take(MaxEchoedNameLength).Select(c => char.IsControl(c) ? '?' : c)]);
        return value.Length > MaxEchoedNameLength ? clean + "…" : clean;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,63}$")]
    private static partial Regex VariablePattern();

    private sealed record LoadedTemplate(PromptTemplateInfo Info, IPromptTemplate System, IPromptTemplate User)
    {
        public IReadOnlyList<PromptLink> Links { get; init; } = [];

        public IReadOnlyList<PromptSuggestion> Suggestions { get; init; } = [];
    }
}
