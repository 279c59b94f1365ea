using System.Text.RegularExpressions;

namespace XefAI.Gateway.CdsHooks;

/// <summary>
/// Keeps a model's answer from making the EHR fetch anything when it renders a card's Markdown. An image in the answer
/// (<c>![x](https://host/p?d=[DATE_1])</c>, or an HTML <c>img</c>) would be loaded by the EHR as soon as the card is
/// shown, with the values the gateway put back into its URL: text in the chart can ask the model to write one. Each
/// image becomes its alternative text; links stay, since following one takes the clinician's click.
/// </summary>
internal static partial class CdsCardMarkdown
{
    public static string WithoutImages(string markdown)
    {
        if (!markdown.Contains("![", StringComparison.Ordinal) && !markdown.Contains("<img", StringComparison.OrdinalIgnoreCase))
        {
            return markdown;
        }

        var text = InlineOrReferenceImage().Replace(markdown, match => match.Groups["alt"].Value);
        return HtmlImage().Replace(text, "");
    }

    // ![alt](target "title"), ![alt][ref], ![alt][] and ![alt] (a shortcut reference): the alternative text stays.
    [GeneratedRegex(@"!\[(?<alt>[^\]\r\n]*)\](\([^)\r\n]*\)|\[[^\]\r\n]*\])?", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex InlineOrReferenceImage();

    [GeneratedRegex(@"<img\b[^>]*>?", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex HtmlImage();
}
