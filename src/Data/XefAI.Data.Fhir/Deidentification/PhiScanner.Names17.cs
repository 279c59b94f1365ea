namespace XefAI.Data.Deidentification;

/// <summary>
/// Names (round 17): a given name and a surname that the lists also know as ordinary or eponym words ("John Smith",
/// "Tom Bell", "Will Cook"), written in title case mid-sentence, are a person; so is a given name alone addressed after a
/// comma at the end of a clause ("Be brief, John.", "Be kind, John, he is scared.").
/// </summary>
internal sealed partial class Scan
{
    // What a word of a person's name is not: a calendar, place, cue or clinical-noun word.
    private const Lex NotPersonWord17 = Lex.Month | Lex.Weekday | Lex.State | Lex.Title | Lex.Credential | Lex.Facility | Lex.Holiday
        | Lex.MeasureUnit | Lex.EponymNoun | Lex.IdentifierCue | Lex.StreetSuffix | Lex.Direction | Lex.NameLabel | Lex.Relation
        | Lex.Salutation | Lex.SignOff | Lex.DateCue | Lex.CodeCue | Lex.PlaceCue | Lex.UnitDesignator;

    /// <summary>
    /// Asked of every free capitalized word of the name pass: marks a given name with the surname after it, or a given
    /// name addressed alone after a comma.
    /// </summary>
    private void MarkCommonWordName17(int i)
    {
        // The shape first (title case as written, a listed given name, after a comma or before a capitalized word): most
        // capitalized words fail here, before the word lookups.
        if (!IsWrittenCapital13(i) || _t[i].Length < 2 || (L(i) & (Lex.FirstName | Lex.Clinical)) != Lex.FirstName
            || (L(i) & NotPersonWord17) != 0 || !(IsPunct(i - 1, ',') || (IsWord(i + 1) && IsWrittenCapital13(i + 1) && !StartsSentence(i)))
            || IsFunctionWord(i) || IsEponym(i) || IsSaint(i))
        {
            return;
        }

        if (!GivenAndSurname17(i))
        {
            AddressedAlone17(i);
        }
    }

    /// <summary>
    /// "Be brief, John Smith", "Write to Tom Bell", "ask Will Cook": a listed given name, then a listed surname, both in
    /// title case, neither starting a sentence or following another capitalized word (a heading, "the Rose Garden"), and
    /// no eponym ("Bell palsy", "Smith fracture"), institution ("John Muir Health") or longer title-case run after them.
    /// </summary>
    private bool GivenAndSurname17(int i)
    {
        var s = i + 1;
        if (!IsWord(s) || !IsFree(s) || !IsWrittenCapital13(s) || _t[s].Is(TokenShape.LineBefore) || !_t[s].Is(TokenShape.SpaceBefore)
            || _t[s].Length < 3 || IsFunctionWord(s) || IsEponym(s) || IsFacilityName(s) || IsTownEnd(s))
        {
            return false;
        }

        // The surname: a listed one ("Smith", "Bell"), a street word only closing the clause where no place is meant ("to Mark
        // Hill.", not "at Rose Hill", "for Blue Ridge clinic staff"), or an eponym that is no ordinary word ("John Colles")
        // closing the clause.
        var surname = L(s);
        var street = (surname & Lex.StreetSuffix) != 0;
        if ((surname & Lex.Surname) != 0
            ? (surname & (NotPersonWord17 & ~Lex.StreetSuffix)) != 0 || (street && (IsPlacePreposition17(i - 1) || !IsClosed13(JoinedNameEnd(s))))
            : (surname & (Lex.Clinical | Lex.Common)) != Lex.Clinical || (surname & NotPersonWord17) != 0 || !IsClosed13(JoinedNameEnd(s)))
        {
            return false;
        }

        // A sentence's first words may be a heading or an imperative ("Mark Hill on the map"); a capitalized word or an
        // article before them makes a title ("Dear Rose Garden", "the King Wood").
        // A verb opening the sentence ("Call Jack Green", "Thanks John Smith") is no heading.
        if (StartsSentence(i) || (IsWord(i - 1) && ((IsCapitalized(i - 1) && !(StartsSentence(i - 1) && (IsImperative13(i - 1) || Has(i - 1, Lex.SignOff))))
            || WordIs(i - 1, "the") || WordIs(i - 1, "a") || WordIs(i - 1, "an"))))
        {
            return false;
        }

        // "Will Rogers Memorial", "John Muir Medical Center": a third title-case word makes a name of a place or a thing.
        var end = JoinedNameEnd(s);
        var n = end + 1;
        if (IsWord(n) && IsCapitalized(n) && !_t[n].Is(TokenShape.LineBefore) && (L(n) & Lex.Credential) == 0)
        {
            return false;
        }

        Mark(i, JoinedNameEnd(i), PhiKind.Name);
        Mark(s, end, PhiKind.Name);
        return true;
    }

    /// <summary>
    /// "Be brief, John.", "Thanks, Will!", "Be kind, John, he is scared.": a given name alone after a comma that follows a
    /// word, ending the clause (or before a comma and a pronoun), is the person addressed.
    /// </summary>
    private bool AddressedAlone17(int i)
    {
        if (!IsPunct(i - 1, ',') || !IsWord(i - 2) || (IsCapitalized(i - 2) && !Has(i - 2, Lex.SignOff | Lex.Salutation)))
        {
            return false;
        }

        var n = i + 1;
        var closed = !InRange(n) || _t[n].Is(TokenShape.LineBefore)
            || ((IsPunct(n, '.') || IsPunct(n, '!') || IsPunct(n, '?') || IsPunct(n, ';')) && !(InRange(n + 1) && Joined(n + 1) && !IsPunct(n + 1)))
            || (IsPunct(n, ',') && IsAddressPronoun17(n + 1));
        if (!closed)
        {
            return false;
        }

        Mark(i, i, PhiKind.Name);
        return true;
    }

    // "at", "in", "on", "near", "from", "by", "past": a place may follow ("at Rose Hill").
    private bool IsPlacePreposition17(int j) =>
        WordIs(j, "at") || WordIs(j, "in") || WordIs(j, "on") || WordIs(j, "near") || WordIs(j, "from") || WordIs(j, "by") || WordIs(j, "past");

    // "he", "she", "they", "we", "you", "I", "it", "please" after "John,": the sentence goes on about or to the person.
    private bool IsAddressPronoun17(int j) =>
        IsWord(j) && _t[j].Length <= 6 && !_t[j].Is(TokenShape.LineBefore)
        && (WordIs(j, "he") || WordIs(j, "she") || WordIs(j, "they") || WordIs(j, "we") || WordIs(j, "you") || WordIs(j, "i") || WordIs(j, "it")
            || WordIs(j, "please"));
}
