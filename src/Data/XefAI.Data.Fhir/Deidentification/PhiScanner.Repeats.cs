using System.Collections.Frozen;

namespace XefAI.Data.Deidentification;

/// <content>
/// A name learned in a call, said again at the start of a sentence: chat writes "Patient is Joy Whitaker. Joy asked
/// whether…", "Tell Rich his labs were fine. Rich lives alone", and a later turn may use the given name alone. A
/// capitalized word at a sentence's start proves nothing, so an ordinary word that is also a learned name ("Joy",
/// "Hope", "Bill", "Summer") is taken there only when what follows makes it the sentence's subject or the one
/// addressed: a verb ("asked", "reports", "is"), a possessive, or a comma.
/// </content>
internal sealed partial class Scan
{
    // Auxiliaries and irregular pasts that follow a subject and that neither the lexicon's verbs of a person
    // (Lex.NameVerb: "reports", "is", "said"…) nor the "-s"/"-ed" endings cover.
    private static readonly FrozenSet<string> SubjectVerbs = new[]
    {
        "can", "could", "should", "won't", "may", "might", "must", "isn't", "wasn't", "hasn't", "doesn't", "didn't", "can't",
        "couldn't", "wouldn't", "shouldn't", "told", "went", "got", "took", "made", "saw", "knew", "ran", "gave", "brought",
        "thought", "wrote", "fell", "drove", "ate", "slept", "began", "became", "kept", "heard", "met", "paid", "sent", "spent",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> SubjectVerbLookup = SubjectVerbs.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>
    /// What follows token <paramref name="i"/> makes it a sentence's subject or the one addressed: a comma ("Bill,
    /// please…"), a possessive ("Hunter's daughter"), or a lower-case verb: one of a person's ("reports", "said"), an
    /// auxiliary, a past form ("asked"), a third-person form ("works"; not "-ss", "-us", "-is"), or an irregular past.
    /// </summary>
    private bool SubjectOrAddressed(int i)
    {
        var n = i + 1;
        if (!InRange(n))
        {
            return false;
        }

        if (_t[n].Type == TokenType.Punct)
        {
            if (IsPunct(n, ','))
            {
                return true;
            }

            // "Hunter's", "Hunter’s": the apostrophe and an "s" with nothing between.
            return (IsPunct(n, '\'') || IsPunct(n, '’')) && InRange(n + 1) && !_t[n].Is(TokenShape.SpaceBefore)
                && !_t[n + 1].Is(TokenShape.SpaceBefore) && _t[n + 1].Length == 1 && (_text[_t[n + 1].Start] | 0x20) == 's';
        }

        if (!IsWord(n) || !_t[n].Is(TokenShape.Lower) || _t[n].Length < 2)
        {
            return false;
        }

        var word = Span(n);
        if ((L(n) & Lex.NameVerb) != 0 || SubjectVerbLookup.Contains(word))
        {
            return true;
        }

        return word.Length >= 4
            && (word.EndsWith("ed", StringComparison.Ordinal)
                || (word[^1] == 's' && word[^2] is not ('s' or 'u' or 'i')));
    }
}
