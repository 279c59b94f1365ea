using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace XefAI.Models.Providers.Local;

/// <summary>
/// Picks the sentences that carry most of a text: frequency-weighted, length-normalized, with a boost for
/// the words clinicians scan a note for.
/// </summary>
internal static partial class ExtractiveSummarizer
{
    public const int MaxSentences = 5;

    private const double ShareOfSentences = 0.3;

    private const double CueWeight = 0.25;

    private const int MaxCues = 4;

    private static readonly FrozenSet<string> StopWords = FrozenSet.ToFrozenSet(
    [
        "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as", "at",
        "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did",
        "do", "does", "doing", "don", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have",
        "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "if", "in", "into", "is",
        "it", "its", "itself", "just", "may", "me", "might", "more", "most", "must", "my", "myself", "no", "nor",
        "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "out", "over", "own", "per",
        "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "then",
        "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "upon", "us",
        "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with",
        "within", "without", "would", "you", "your", "yours",
    ]);

    /// <summary>Returns the key sentences of <paramref name="texts"/> in their original order.</summary>
    public static IReadOnlyList<string> KeySentences(IEnumerable<string> texts)
    {
        // A repeated sentence (copy-forward text) counts once, where it first appears.
        var sentences = texts.SelectMany(SentenceSplitter.Split).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        if (sentences.Length == 0)
        {
            return [];
        }

        var tokens = Array.ConvertAll(sentences, Tokenize);
        var frequency = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var token in tokens.SelectMany(list => list))
        {
            frequency[token] = frequency.GetValueOrDefault(token) + 1;
        }

        var maxFrequency = frequency.Count == 0 ? 1 : frequency.Values.Max();
        var scores = new double[sentences.Length];
        for (var i = 0; i < sentences.Length; i++)
        {
            scores[i] = Score(sentences[i], tokens[i], frequency, maxFrequency);
        }

        var count = Math.Clamp((int)Math.Ceiling(sentences.Length * ShareOfSentences), 1, MaxSentences);
        return Enumerable.Range(0, sentences.Length)
            .OrderByDescending(i => scores[i])
            .ThenBy(i => i)
            .Take(count)
            .Order()
            .Select(i => sentences[i])
            .ToArray();
    }

    private static double Score(string sentence, IReadOnlyList<string> tokens, IReadOnlyDictionary<string, int> frequency, int maxFrequency)
    {
        if (tokens.Count == 0)
        {
            return 0;
        }

        var sum = 0.0;
        foreach (var token in tokens)
        {
            sum += frequency[token];
        }

        var cues = ClinicalCue().Matches(sentence)
            .Select(match => match.Value.ToLowerInvariant())
            .Distinct(StringComparer.Ordinal)
            .Count();
        return sum / maxFrequency / Math.Sqrt(tokens.Count) * (1 + (CueWeight * Math.Min(cues, MaxCues)));
    }

    /// <summary>Lower-cased content words; decimals such as <c>8.1</c> stay one token.</summary>
    private static List<string> Tokenize(string sentence)
    {
        var tokens = new List<string>();
        foreach (var match in Word().EnumerateMatches(sentence))
        {
            var token = sentence.Substring(match.Index, match.Length).ToLowerInvariant();
            if ((token.Length > 1 || char.IsDigit(token[0])) && !StopWords.Contains(token))
            {
                tokens.Add(token);
            }
        }

        return tokens;
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+(?:[.,]\p{N}+)*", RegexOptions.CultureInvariant)]
    private static partial Regex Word();

    /// <summary>Words that mark assessment, treatment and follow-up, and lab or vital values with units.</summary>
    [GeneratedRegex(
        @"\b(?:diagnos(?:is|es|ed)|assessment|impression|plan|history|medications?|allerg(?:y|ies|ic)|mg|mcg"
        + @"|blood pressure|pain|follow[- ]?up|discharg(?:e|ed)|admitted|admission|prescribed|started|stopped"
        + @"|discontinued|increased|decreased|complications?|symptoms?|labs?|creatinine|hemoglobin|h(?:b)?a1c"
        + @"|glucose|troponin|potassium|sodium|inr|ejection fraction)\b"
        + @"|\b\d+(?:\.\d+)?\s?(?:mg/dl|mmol/l|mmhg|meq/l|g/dl|mg|mcg|units?|bpm|kg|ml|%)(?![\p{L}])"
        + @"|\b\d{2,3}/\d{2,3}\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ClinicalCue();
}
