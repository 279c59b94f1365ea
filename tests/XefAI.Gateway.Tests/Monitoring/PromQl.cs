using System.Text.RegularExpressions;

namespace XefAI.Gateway.Tests.Monitoring;

/// <summary>
/// Just enough of PromQL and of the rule files' layout to list the series an expression reads, so a test can hold
/// the dashboard and the rules to the series the gateway exports.
/// </summary>
internal static partial class PromQl
{
    /// <summary>
    /// The series the dashboard and the rules may read: the gateway's (those of issue 13, some still being added), a
    /// histogram with its <c>_bucket</c>, <c>_sum</c> and <c>_count</c>.
    /// </summary>
    public static readonly IReadOnlySet<string> GatewaySeries = new HashSet<string>(
        new[]
        {
            "xefai_requests_total", "xefai_policy_denials_total", "xefai_audit_writes_total", "xefai_audit_backlog",
            "xefai_fallbacks_total", "xefai_cost_USD_total", "xefai_phi_redactions_total", "xefai_shed_total",
            "xefai_auth_failures_total", "xefai_reviews_held_total", "xefai_retries_total", "xefai_circuit_state",
            "xefai_reviews_pending", "xefai_reviews_oldest_pending_age_seconds", "xefai_drift_psi",
        }.Concat(new[]
        {
            "xefai_request_duration_seconds", "gen_ai_client_operation_duration_seconds", "xefai_gateway_overhead_seconds",
            "gen_ai_client_token_usage", "xefai_audit_write_duration_seconds",
        }.SelectMany(histogram => new[] { histogram + "_bucket", histogram + "_sum", histogram + "_count" })),
        StringComparer.Ordinal);

    // Words that stand where a series name could and are not one (operators, modifiers, literals).
    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "and", "or", "unless", "bool", "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "inf", "nan",
    };

    /// <summary>The series names an expression reads (not its functions, labels, keywords or numbers).</summary>
    public static IReadOnlySet<string> SeriesNames(string expression)
    {
        var text = StringLiteral().Replace(expression, " ");
        text = Braces().Replace(text, " ");
        text = Brackets().Replace(text, " ");
        text = LabelList().Replace(text, " ");
        text = Number().Replace(text, " ");
        return Identifier().Matches(text)
            .Where(match => !match.Groups["call"].Success && !Keywords.Contains(match.Groups["name"].Value))
            .Select(match => match.Groups["name"].Value)
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The names a rule file records (<c>- record: name</c>).</summary>
    public static IReadOnlyList<string> RecordedNames(string ruleFile) =>
        [.. RecordLine().Matches(ruleFile).Select(match => match.Groups[1].Value)];

    /// <summary>The alert names a rule file defines (<c>- alert: Name</c>).</summary>
    public static IReadOnlyList<string> AlertNames(string ruleFile) =>
        [.. AlertLine().Matches(ruleFile).Select(match => match.Groups[1].Value)];

    /// <summary>Every <c>expr:</c> of a rule file, a block scalar (<c>expr: |</c>) joined into one line.</summary>
    public static IReadOnlyList<string> Expressions(string ruleFile)
    {
        var lines = ruleFile.Split('\n');
        var expressions = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            var trimmed = lines[i].TrimStart();
            if (!trimmed.StartsWith("expr:", StringComparison.Ordinal))
            {
                continue;
            }

            var value = trimmed["expr:".Length..].Trim();
            if (value is "|" or ">")
            {
                var indent = lines[i].Length - trimmed.Length;
                var block = new List<string>();
                while (i + 1 < lines.Length && (lines[i + 1].Trim().Length == 0 || lines[i + 1].Length - lines[i + 1].TrimStart().Length > indent))
                {
                    block.Add(lines[++i].Trim());
                }

                value = string.Join(' ', block).Trim();
            }

            expressions.Add(value);
        }

        return expressions;
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Braces();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Brackets();

    // by (a, b), without (...), on (...), ignoring (...), group_left (...), group_right (...): label names, not series.
    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", RegexOptions.IgnoreCase)]
    private static partial Regex LabelList();

    [GeneratedRegex(@"(?<![A-Za-z_:0-9])(?:0x[0-9a-fA-F]+|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?(?:ms|[smhdwy])?)")]
    private static partial Regex Number();

    // A name followed by "(" is a function or an aggregation.
    [GeneratedRegex(@"(?<name>[A-Za-z_:][A-Za-z0-9_:]*)(?<call>\s*\()?")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^\s*-\s*record:\s*(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex RecordLine();

    [GeneratedRegex(@"^\s*-\s*alert:\s*(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex AlertLine();
}
