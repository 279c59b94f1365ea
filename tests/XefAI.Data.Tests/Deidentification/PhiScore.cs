using System.Text;
using Xunit.Abstractions;

namespace XefAI.Data.Tests.Deidentification;

/// <summary>A word of a note: a maximal run of letters and digits.</summary>
internal readonly record struct PhiToken(int Start, int Length)
{
    /// <summary>The offset just past the token.</summary>
    public int End => Start + Length;
}

/// <summary>How many labelled tokens of one kind there are and how many a detector overlapped.</summary>
internal sealed record PhiCategoryScore(string Kind, int Tokens, int Found)
{
    /// <summary>Found / tokens; 1 when the kind has no tokens.</summary>
    public double Recall => Tokens == 0 ? 1 : (double)Found / Tokens;
}

/// <summary>A labelled PHI token no detection overlapped, with the whole label it belongs to.</summary>
internal sealed record PhiMiss(string Note, int Offset, string Kind, string Token, string Label);

/// <summary>A detected token that is neither PHI nor a facility name, with the text around it.</summary>
internal sealed record PhiFalsePositive(string Note, int Offset, string DetectedKind, string Token, string Context);

/// <summary>
/// Token-level recall, precision and clinical-text retention of a PHI detector over labelled notes.
/// </summary>
/// <remarks>
/// Tokens are the maximal runs of letters and digits (<see cref="char.IsLetterOrDigit(char)"/>, so "Nguyễn" is one
/// token); everything else separates them. An identifier with punctuation is therefore several tokens, each scored:
/// "617-555-0134" is 617 / 555 / 0134, "maria.lopez@example.org" is four, "O'Brien" is O / Brien, and an extension
/// "x4521" is one. Scoring by token rather than by span means a detector that finds "Lopez" but not "Maria" gets half
/// the name; one that also removes the "Dr" before it (titles are not labelled) has one false positive token.
/// <list type="bullet">
/// <item>A token belongs to a label if the label overlaps it. A labelled token is found if any detection overlaps it;
/// the detected kind does not have to match.</item>
/// <item>Recall per kind = found labelled tokens / labelled tokens. FACILITY tokens are neutral: not counted in recall,
/// and a detection on them is not a false positive.</item>
/// <item>Precision = detected tokens that are labelled (PHI or facility) / all tokens any detection overlaps; 1 when
/// nothing is detected, since nothing was wrongly removed.</item>
/// <item>Kept = unlabelled tokens no detection overlaps / all unlabelled tokens: the clinical text that survives.</item>
/// </list>
/// </remarks>
internal sealed class PhiScore
{
    /// <summary>Set to 1 to print every miss and false positive after the table.</summary>
    public const string DiagnosisVariable = "XEFAI_PHI_DIAG";

    private PhiScore(
        IReadOnlyList<PhiCategoryScore> categories,
        PhiCategoryScore facility,
        int detectedTokens,
        int detectedLabelledTokens,
        int clinicalTokens,
        int keptClinicalTokens,
        IReadOnlyList<PhiMiss> misses,
        IReadOnlyList<PhiFalsePositive> falsePositives)
    {
        Categories = categories;
        FacilityTokens = facility;
        DetectedTokens = detectedTokens;
        DetectedLabelledTokens = detectedLabelledTokens;
        ClinicalTokens = clinicalTokens;
        KeptClinicalTokens = keptClinicalTokens;
        Misses = misses;
        FalsePositives = falsePositives;
    }

    /// <summary>One row per PHI kind that occurs in the notes, in the order of <see cref="PhiCorpus.PhiKinds"/>.</summary>
    public IReadOnlyList<PhiCategoryScore> Categories { get; }

    /// <summary>Facility-name tokens and how many were detected; informative only.</summary>
    public PhiCategoryScore FacilityTokens { get; }

    /// <summary>PHI tokens of every kind together.</summary>
    public PhiCategoryScore All => new("all PHI", Categories.Sum(c => c.Tokens), Categories.Sum(c => c.Found));

    /// <summary>Tokens overlapped by at least one detection.</summary>
    public int DetectedTokens { get; }

    /// <summary>Detected tokens that are labelled PHI or facility.</summary>
    public int DetectedLabelledTokens { get; }

    /// <summary>Detected tokens that are labelled / detected tokens; 1 when nothing was detected.</summary>
    public double Precision => DetectedTokens == 0 ? 1 : (double)DetectedLabelledTokens / DetectedTokens;

    /// <summary>Unlabelled tokens: the clinical text.</summary>
    public int ClinicalTokens { get; }

    /// <summary>Unlabelled tokens no detection overlapped.</summary>
    public int KeptClinicalTokens { get; }

    /// <summary>Kept clinical tokens / clinical tokens; 1 when there are none.</summary>
    public double Kept => ClinicalTokens == 0 ? 1 : (double)KeptClinicalTokens / ClinicalTokens;

    /// <summary>Every labelled PHI token left undetected, in note and text order.</summary>
    public IReadOnlyList<PhiMiss> Misses { get; }

    /// <summary>Every detected token that is not labelled, in note and text order.</summary>
    public IReadOnlyList<PhiFalsePositive> FalsePositives { get; }

    /// <summary>Splits a text into its word tokens (see the remarks of <see cref="PhiScore"/>).</summary>
    public static IReadOnlyList<PhiToken> Tokenize(string text)
    {
        var tokens = new List<PhiToken>();
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var inWord = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                tokens.Add(new PhiToken(start, i - start));
                start = -1;
            }
        }

        return tokens;
    }

    /// <summary>Runs <paramref name="detector"/> on every note and scores what it found against the labels.</summary>
    public static PhiScore Compute(
        IEnumerable<LabelledNote> notes,
        Func<LabelledNote, IReadOnlyList<(int Start, int Length, string Kind)>> detector)
    {
        var tokensByKind = PhiCorpus.Kinds.ToDictionary(k => k, _ => 0, StringComparer.Ordinal);
        var foundByKind = PhiCorpus.Kinds.ToDictionary(k => k, _ => 0, StringComparer.Ordinal);
        int detected = 0, detectedLabelled = 0, clinical = 0, kept = 0;
        var detectedByKind = new SortedDictionary<string, (int Detected, int Labelled)>(StringComparer.Ordinal);
        var misses = new List<PhiMiss>();
        var falsePositives = new List<PhiFalsePositive>();

        foreach (var note in notes)
        {
            var detections = detector(note);
            for (var d = 0; d < detections.Count; d++)
            {
                var (start, length, _) = detections[d];
                if (start < 0 || length < 0 || start + length > note.Text.Length)
                {
                    throw new ArgumentException(
                        $"{note.Name}: detection {d} ({start}, length {length}) lies outside the text of {note.Text.Length} characters",
                        nameof(detector));
                }
            }

            foreach (var token in Tokenize(note.Text))
            {
                var label = note.Spans.FirstOrDefault(s => s.Start < token.End && s.End > token.Start);
                var hit = FirstOverlap(detections, token);
                var isHit = hit >= 0;
                if (isHit)
                {
                    detected++;
                    var kind = detections[hit].Kind ?? "?";
                    var (kindDetected, kindLabelled) = detectedByKind.GetValueOrDefault(kind);
                    detectedByKind[kind] = (kindDetected + 1, kindLabelled + (label is null ? 0 : 1));
                }

                if (label is null)
                {
                    clinical++;
                    if (isHit)
                    {
                        falsePositives.Add(new PhiFalsePositive(note.Name, token.Start, detections[hit].Kind ?? "?", Text(note, token), Around(note.Text, token)));
                    }
                    else
                    {
                        kept++;
                    }

                    continue;
                }

                tokensByKind[label.Kind]++;
                if (isHit)
                {
                    detectedLabelled++;
                    foundByKind[label.Kind]++;
                }
                else if (label.Kind != PhiCorpus.Facility)
                {
                    misses.Add(new PhiMiss(note.Name, token.Start, label.Kind, Text(note, token), note.Text.Substring(label.Start, label.Length)));
                }
            }
        }

        var categories = PhiCorpus.PhiKinds
            .Where(k => tokensByKind[k] > 0)
            .Select(k => new PhiCategoryScore(k, tokensByKind[k], foundByKind[k]))
            .ToList();
        var facility = new PhiCategoryScore(PhiCorpus.Facility, tokensByKind[PhiCorpus.Facility], foundByKind[PhiCorpus.Facility]);
        return new PhiScore(categories, facility, detected, detectedLabelled, clinical, kept, misses, falsePositives)
        {
            PrecisionByDetectedKind = [.. detectedByKind.Select(p => new PhiCategoryScore(p.Key, p.Value.Detected, p.Value.Labelled))],
        };
    }

    /// <summary>
    /// Precision per kind the detector gave: of the tokens it replaced as that kind, how many were labelled PHI (or a
    /// facility). <see cref="PhiCategoryScore.Tokens"/> is what was replaced, <see cref="PhiCategoryScore.Found"/> what was PHI.
    /// </summary>
    public IReadOnlyList<PhiCategoryScore> PrecisionByDetectedKind { get; init; } = [];

    /// <summary>The score as a fixed-width table: recall per kind, then precision and clinical words kept.</summary>
    public string FormatTable()
    {
        var table = new StringBuilder();
        table.AppendLine($"{"category",-20} {"tokens",7} {"found",7} {"recall",7}");
        foreach (var row in Categories.Append(All).Append(FacilityTokens with { Kind = "FACILITY (neutral)" }))
        {
            table.AppendLine($"{row.Kind,-20} {row.Tokens,7} {row.Found,7} {Percent(row.Recall),7}");
        }

        table.AppendLine($"precision: {Percent(Precision)} ({DetectedLabelledTokens} of {DetectedTokens} detected tokens are PHI or facility)");
        if (PrecisionByDetectedKind.Count > 0)
        {
            table.AppendLine($"{"detected as",-20} {"tokens",7} {"PHI",7} {"precision",9}");
            foreach (var row in PrecisionByDetectedKind)
            {
                table.AppendLine($"{row.Kind,-20} {row.Tokens,7} {row.Found,7} {Percent(row.Recall),9}");
            }
        }

        table.Append($"clinical words kept: {Percent(Kept)} ({KeptClinicalTokens} of {ClinicalTokens} unlabelled tokens)");
        return table.ToString();
    }

    /// <summary>Every miss and false positive, one a line. The corpus is fictional, so its values may be printed.</summary>
    public string FormatDiagnosis()
    {
        var lines = new StringBuilder();
        lines.AppendLine($"{Misses.Count} missed PHI tokens:");
        foreach (var miss in Misses)
        {
            lines.AppendLine($"  MISS {miss.Note}@{miss.Offset} {miss.Kind} '{miss.Token}' in '{miss.Label}'");
        }

        lines.AppendLine($"{FalsePositives.Count} false positive tokens:");
        foreach (var fp in FalsePositives)
        {
            lines.AppendLine($"  FP   {fp.Note}@{fp.Offset} as {fp.DetectedKind} '{fp.Token}' in '…{fp.Context}…'");
        }

        return lines.ToString().TrimEnd();
    }

    /// <summary>
    /// Writes the table to the test output and the console, so CI logs show it; the misses and false positives too
    /// when <see cref="DiagnosisVariable"/> is 1.
    /// </summary>
    public void Report(ITestOutputHelper output)
    {
        var text = FormatTable();
        if (Environment.GetEnvironmentVariable(DiagnosisVariable) == "1")
        {
            text += Environment.NewLine + FormatDiagnosis();
        }

        output.WriteLine(text);
        Console.WriteLine(text);
    }

    private static int FirstOverlap(IReadOnlyList<(int Start, int Length, string Kind)> detections, PhiToken token)
    {
        for (var d = 0; d < detections.Count; d++)
        {
            var (start, length, _) = detections[d];
            if (length > 0 && start < token.End && start + length > token.Start)
            {
                return d;
            }
        }

        return -1;
    }

    private static string Percent(double ratio) => $"{ratio * 100:F1}%";

    private static string Text(LabelledNote note, PhiToken token) => note.Text.Substring(token.Start, token.Length);

    private static string Around(string text, PhiToken token)
    {
        const int Width = 30;
        var start = Math.Max(0, token.Start - Width);
        var end = Math.Min(text.Length, token.End + Width);
        return text[start..end].ReplaceLineEndings(" ");
    }
}
