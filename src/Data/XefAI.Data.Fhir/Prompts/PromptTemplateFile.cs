using System.Text.Json.Serialization;

namespace XefAI.Data.Prompts;

/// <summary>
/// One template version as written in <c>{PromptsPath}/{name}/{version}.json</c>. Field names follow Semantic Kernel's
/// prompt configuration (<c>input_variables</c>, <c>is_required</c>); messages are arrays of lines so a prompt reads as text.
/// </summary>
internal sealed class PromptTemplateFile
{
    [JsonPropertyName("description")]
    public string? Description { get; set; }

    [JsonPropertyName("input_variables")]
    public List<PromptTemplateVariable>? InputVariables { get; set; }

    [JsonPropertyName("system")]
    public List<string>? System { get; set; }

    [JsonPropertyName("user")]
    public List<string>? User { get; set; }

    /// <summary>Links offered with every answer (e.g. on a CDS Hooks card).</summary>
    [JsonPropertyName("links")]
    public List<PromptTemplateLink>? Links { get; set; }

    /// <summary>Suggestions offered with every answer: labels only, no actions.</summary>
    [JsonPropertyName("suggestions")]
    public List<PromptTemplateSuggestion>? Suggestions { get; set; }
}

/// <summary>One link of a template file.</summary>
internal sealed class PromptTemplateLink
{
    [JsonPropertyName("label")]
    public string? Label { get; set; }

    [JsonPropertyName("url")]
    public string? Url { get; set; }
}

/// <summary>One suggestion of a template file.</summary>
internal sealed class PromptTemplateSuggestion
{
    [JsonPropertyName("label")]
    public string? Label { get; set; }

    [JsonPropertyName("is_recommended")]
    public bool IsRecommended { get; set; }
}

/// <summary>One declared task parameter of a template file.</summary>
internal sealed class PromptTemplateVariable
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("description")]
    public string? Description { get; set; }

    [JsonPropertyName("is_required")]
    public bool IsRequired { get; set; }

    [JsonPropertyName("default")]
    public string? Default { get; set; }
}
