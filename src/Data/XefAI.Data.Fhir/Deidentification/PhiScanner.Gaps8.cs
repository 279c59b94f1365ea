using System.Collections.Frozen;

namespace XefAI.Data.Deidentification;

/// <summary>
/// Gaps of the earlier rules: names typed in lower case after a cue that a person follows ("spoke with her daughter
/// ana", "cc: dr smith"), lower-case streets with a house number and a suffix ("42 elm st"), provider names in HL7 order
/// and result segments, and holidays named as dates ("on Valentine's Day", "the Fourth of July").
/// </summary>
internal sealed partial class Scan
{
    // ---- Lower-case names after a cue ----

    /// <summary>
    /// Names in lower case after a title, a relation, a name label and ':' or "pt is": "dr smith", "daughter ana",
    /// "mother: rosa", "pt is maria lopez". Only a listed name that is no cue word is taken; after a relation or label a
    /// name that is also an ordinary word ("mark", "grant") is taken only before a surname that is none.
    /// </summary>
    private void MarkLowerNamesAfterCues()
    {
        for (var w = 0; w < _wordCount && _words[w] + 1 < Count; w++)
        {
            // A flag test first: most words are no cue.
            var i = _words[w];
            var lex = _lex[i];
            if ((lex & (Lex.Title | Lex.Relation | Lex.NameLabel)) == 0 || _run[i] != 0 || _t[i].Type != TokenType.Word)
            {
                continue;
            }

            if ((lex & Lex.Title) != 0 && IsPersonalTitleCue(i, out var next))
            {
                LowerNameRun(next, titled: true);
            }
            else if ((lex & Lex.Relation) != 0)
            {
                LowerNameRun(IsPunct(i + 1, ':') || IsPunct(i + 1, ',') ? i + 2 : i + 1, titled: false);
            }
            else if ((lex & Lex.NameLabel) != 0 && IsPunct(i + 1, ':') && !_t[i + 1].Is(TokenShape.LineBefore))
            {
                // A speaker's label in a chat ("pt: ya thats it") is followed by a sentence, a name by its end or more name.
                LowerNameRun(i + 2, titled: false, alone: true);
            }
            else if ((WordIs(i, "pt") || WordIs(i, "patient") || WordIs(i, "name")) && (WordIs(i + 1, "is") || WordIs(i + 1, "named")))
            {
                LowerNameRun(i + 2, titled: false);
            }
        }
    }

    /// <summary>"dr", "dr.", "mr", "mrs", "nurse", "ms." before a word on the same line; not "Dr" after a house number.</summary>
    private bool IsPersonalTitleCue(int i, out int next)
    {
        var dotted = IsPunct(i + 1, '.') && Joined(i + 1);
        next = dotted ? i + 2 : i + 1;
        if (!InRange(next) || _t[next].Is(TokenShape.LineBefore) || IsNumber(i - 1) || IsNumber(i - 2))
        {
            return false;
        }

        // "ms" alone is multiple sclerosis as often as a title.
        return WordIs(i, "dr") || WordIs(i, "mr") || WordIs(i, "mrs") || WordIs(i, "nurse") || WordIs(i, "dra")
            || ((WordIs(i, "ms") || WordIs(i, "miss")) && (dotted || _t[i].Is(TokenShape.Capitalized)));
    }

    /// <summary>Marks up to three lower-case name words from <paramref name="j"/>.</summary>
    /// <param name="j">The first word.</param>
    /// <param name="titled">After a title, where a name that is also an ordinary word is taken.</param>
    /// <param name="alone">The name must end at punctuation or the line's end, or go on with a surname.</param>
    private void LowerNameRun(int j, bool titled, bool alone = false)
    {
        if (!IsLowerWord(j) || !IsFree(j))
        {
            return;
        }

        // A cue word of any kind ("will", "on", "visit", "may") is no name here; its cue flags are known without the large
        // lists' lookup, which is made only for the words that pass.
        if ((_lex[j] & ~(Lex.Lists | Lex.Partial | Lex.WordRuleStart)) != 0 || _t[j].Length < 2)
        {
            return;
        }

        var lex = L(j);
        if ((lex & ~Lex.Lists) != 0 || (!titled && (lex & Lex.Name) == 0))
        {
            return;
        }

        var plain = (lex & Lex.Name) != 0 && (lex & Lex.Common) == 0 && ((lex & Lex.Clinical) == 0 || (lex & Lex.FirstName) != 0);
        var accepted = titled
            ? (lex & Lex.Name) != 0 || (lex == Lex.None && _t[j].Length >= 3 && !WordIs(j - 1, "nurse") && !WordIs(j - 1, "miss"))
            : plain || IsPlainLowerSurname(j + 1);
        if (!accepted || (alone && InRange(j + 1) && !IsPunct(j + 1) && !_t[j + 1].Is(TokenShape.LineBefore) && !IsPlainLowerSurname(j + 1)))
        {
            return;
        }

        Mark(j, j, PhiKind.Name);
        for (var k = j + 1; k <= j + 2 && IsPlainLowerSurname(k); k++)
        {
            Mark(k, k, PhiKind.Name);
        }
    }

    /// <summary>A lower-case word the lists know only as a name: no ordinary, clinical or cue word ("lopez", "okafor").</summary>
    private bool IsPlainLowerSurname(int k) =>
        IsLowerWord(k) && IsFree(k) && !_t[k].Is(TokenShape.LineBefore) && _t[k].Length >= 2 && L(k) is var lex
        && (lex & Lex.Name) != 0 && (lex & ~Lex.Name & ~Lex.Place) == 0;

    private bool IsLowerWord(int k) => IsWord(k) && char.IsLower(_text[_t[k].Start]);

    // ---- Names split by OCR ----

    /// <summary>
    /// "Patient: Wash ington, Ge orge": a scanned form's name split by one space. After a name label and ':' on its line,
    /// a word and the lower-case piece after it are joined into one name when the joined word is a listed name and the
    /// pieces are not both ordinary words.
    /// </summary>
    private void MarkSplitNamesAfterLabels()
    {
        Span<char> joined = stackalloc char[32];
        for (var w = 0; w < _wordCount && _words[w] + 3 < Count; w++)
        {
            var i = _words[w];
            if ((_lex[i] & Lex.NameLabel) == 0 || !IsPunct(i + 1, ':') || _t[i].Type != TokenType.Word)
            {
                continue;
            }

            for (var j = i + 2; j < i + 2 + Window && j + 1 < Count && !_t[j + 1].Is(TokenShape.LineBefore); j++)
            {
                if (!IsWord(j) || !IsWord(j + 1) || Joined(j + 1) || !char.IsLower(_text[_t[j + 1].Start]) || !char.IsUpper(_text[_t[j].Start])
                    || _t[j].Length + _t[j + 1].Length > joined.Length || (_run[j + 1] != 0 && _kind[j + 1] != PhiKind.Name)
                    || (_run[j] != 0 && _kind[j] != PhiKind.Name))
                {
                    continue;
                }

                Span(j).CopyTo(joined);
                Span(j + 1).CopyTo(joined[_t[j].Length..]);
                var whole = _lexicon.Of(joined[..(_t[j].Length + _t[j + 1].Length)]);
                if ((whole & Lex.Name) != 0 && (whole & ~(Lex.Lists | Lex.State)) == 0 && !((L(j) & Lex.Common) != 0 && (L(j + 1) & Lex.Common) != 0))
                {
                    Mark(j, j + 1, PhiKind.Name);
                    j++;
                }
            }
        }
    }

    // ---- Lower-case streets ----

    // Suffixes that, after a house number and a word, name a street in any case; "walk", "run", "point", "park" do not,
    // nor the verbs "drive" and "court" ("call 911 rather than drive").
    private static readonly string[] LowerStreetSuffixes =
    [
        "st", "street", "ave", "avenue", "av", "rd", "road", "dr", "ln", "lane", "blvd", "boulevard", "ct", "pl", "ter", "terrace",
        "pkwy", "parkway", "hwy", "cir", "trl",
    ];

    /// <summary>"lives at 42 elm st", "1208 n oak ave apt 3": a house number, one or two lower-case words, a street suffix.</summary>
    private bool TryLowerStreet(int i)
    {
        // The suffix's flag first: most numbers have none two or three tokens on.
        if (!(HasStreetSuffixFlag(i + 2) || HasStreetSuffixFlag(i + 3)) || !IsNumber(i, 1, 6) || !IsLowerWord(i + 1) || _t[i + 1].Is(TokenShape.LineBefore) || (IsPunct(i - 1) && Joined(i)))
        {
            return false;
        }

        for (var j = i + 1; j <= i + 3 && InRange(j) && !_t[j].Is(TokenShape.LineBefore); j++)
        {
            if (j > i + 1 && IsLowerWord(j) && (_lex[j] & Lex.StreetSuffix) != 0 && IsLowerStreetSuffix(j))
            {
                var end = IsPunct(j + 1, '.') && Joined(j + 1) ? j + 1 : j;
                Mark(i, UnitEnd(end), PhiKind.Address);
                return true;
            }

            // The street's words: no unit, month or other cue ("2 tabs daily", "3 times a day"); an ordinal is one ("5th ave").
            // A lower-case word's cue flags are known without the large lists' lookup.
            var street = (IsLowerWord(j) && (_lex[j] & ~(Lex.Lists | Lex.Direction | Lex.Partial | Lex.WordRuleStart)) == 0)
                || (_t[j].Type == TokenType.Alnum && char.IsAsciiDigit(Span(j)[0]) && j > i + 1);
            if (!street || j == i + 3)
            {
                return false;
            }
        }

        return false;
    }

    private bool HasStreetSuffixFlag(int j) => InRange(j) && (_lex[j] & Lex.StreetSuffix) != 0;

    private bool IsLowerStreetSuffix(int j)
    {
        foreach (var suffix in LowerStreetSuffixes)
        {
            if (WordIs(j, suffix))
            {
                return true;
            }
        }

        return false;
    }

    // ---- HL7 order and result segments ----

    /// <summary>
    /// ORC, OBR, OBX, PV1, PD1 and ROL segments: the provider names in their extended-person fields
    /// (ID^FAMILY^GIVEN^MIDDLE^SUFFIX^PREFIX^DEGREE), marked by position as PID's names are. Returns whether the line was one.
    /// </summary>
    private bool TryMarkHl7ProviderSegment(int i, int end)
    {
        if (_t[i].Length != 3 || !IsPunct(i + 1, '|') || !Joined(i + 1) || Hl7ProviderSegment(i) is not (> 0 and var segment))
        {
            return false;
        }

        var field = 0;
        var component = 0;
        var sub = 0;
        for (var j = i + 1; j <= end; j++)
        {
            if (IsPunct(j, '|'))
            {
                field++;
                component = 0;
                sub = 0;
                continue;
            }

            // A repetition ("~") starts the next person; a subcomponent ("&") is a name part in the interpreter fields.
            if (IsPunct(j, '~'))
            {
                component = 0;
                sub = 0;
                continue;
            }

            if (IsPunct(j, '^'))
            {
                component++;
                sub = 0;
                continue;
            }

            if (IsPunct(j, '&'))
            {
                sub++;
                continue;
            }

            if (!IsWord(j) || !IsFree(j) || !IsHl7ProviderField(segment, field))
            {
                continue;
            }

            // OBR-32..35 hold the person in the first component's subcomponents (ID&FAMILY&GIVEN).
            var name = segment == 2 && field >= 32 ? component == 0 && sub is >= 1 and <= 3 : component is >= 1 and <= 3 && sub == 0;
            if (name)
            {
                Mark(j, j, PhiKind.Name);
            }
        }

        return true;
    }

    /// <summary>1 ORC, 2 OBR, 3 OBX, 4 PV1, 5 PD1, 6 ROL; 0 another segment.</summary>
    private int Hl7ProviderSegment(int i) => Span(i) switch
    {
        "ORC" => 1,
        "OBR" => 2,
        "OBX" => 3,
        "PV1" => 4,
        "PD1" => 5,
        "ROL" => 6,
        _ => 0,
    };

    // ORC-10 entered by, -11 verified by, -12 ordering provider; OBR-16 ordering provider, -28 copies to, -32..35 the
    // interpreter, assistant, technician, transcriptionist; OBX-16 responsible observer; PV1-7 attending, -8 referring,
    // -9 consulting, -17 admitting doctor, -52 other provider; PD1-4 primary care provider; ROL-4 the person in the role.
    private static bool IsHl7ProviderField(int segment, int field) => segment switch
    {
        1 => field is 10 or 11 or 12,
        2 => field is 16 or 28 or (>= 32 and <= 35),
        3 => field == 16,
        4 => field is 7 or 8 or 9 or 17 or 52,
        _ => field == 4,
    };

    // ---- Places abroad and countries ----

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> CountryNames =
        CueWords.Countries.ToFrozenSet(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>
    /// Countries, at each token of the last pass (no pass of its own): "born in Port-au-Prince, Haiti", "from mogadishu,
    /// somalia": the place before a country after "in" or "from" is a place smaller than a state, whatever its case or
    /// hyphens; a country marked alone ("born in Mexico") is unmarked, as Safe Harbor removes only places smaller than a state.
    /// </summary>
    private void MarkPlaceBeforeCountry(int i)
    {
        if (_run[i] != 0)
        {
            UnmarkCountry(i);
            return;
        }

        // A flag test first: "in" is a state's code, "from" a name label.
        if ((_lex[i] & (Lex.State | Lex.NameLabel)) == 0 || _t[i].Length is not (2 or 4) || !(WordIs(i, "in") || WordIs(i, "from")))
        {
            return;
        }

        // One to three words, hyphens joining them, then a comma and a country, on the line.
        var last = i;
        var words = 0;
        for (var j = i + 1; j <= i + Window && InRange(j) && !_t[j].Is(TokenShape.LineBefore); j++)
        {
            // Only the cue flags, which every word has without the large lists' lookup ("in" is frequent).
            if (IsWord(j) && IsFree(j) && ++words <= 3 && (_lex[j] & ~(Lex.Lists | Lex.State | Lex.Direction | Lex.Partial | Lex.WordRuleStart)) == 0)
            {
                last = j;
                continue;
            }

            if (IsPunct(j, '-') && Joined(j) && Joined(j + 1) && last == j - 1)
            {
                continue;
            }

            if (last > i && j == last + 1 && IsPunct(j, ',') && IsWord(j + 1) && !_t[j + 1].Is(TokenShape.LineBefore) && IsCountry(j + 1)
                && !IsCountry(last))
            {
                Mark(i + 1, last, PhiKind.Location);
            }

            break;
        }
    }

    /// <summary>
    /// A country marked alone as a place ("born in Mexico", "moved from Guatemala", "Norway 2021") is unmarked, also one
    /// that names a small US town too (Norway, Belgium, Denmark). Not one before a state ("Lebanon, NH", "Norway, ME").
    /// </summary>
    private void UnmarkCountry(int i)
    {
        if (_kind[i] == PhiKind.Location && IsWord(i) && (i == 0 || _run[i - 1] != _run[i])
            && (i + 1 == Count || _run[i + 1] != _run[i]) && (IsCountry(i) || MoreCountryNames.Contains(Span(i)))
            && !(IsPunct(i + 1, ',') && IsCapitalized(i + 2) && Has(i + 2, Lex.State)) && !(InRange(i + 1) && _t[i + 1].Is(TokenShape.Upper) && Has(i + 1, Lex.State)))
        {
            _run[i] = 0;
        }
    }

    private bool IsCountry(int i) => _t[i].Length >= 4 && CountryNames.Contains(Span(i));

    // ---- Holidays ----

    /// <summary>
    /// Holidays of more than one word used as dates: "Valentine's Day", "New Year's Eve", "the Fourth of July"; in lower
    /// case only after a preposition of time. Not "new year's resolution".
    /// </summary>
    private bool TryHolidayPhrase(int i)
    {
        var c = _text[_t[i].Start] | 0x20;
        if (c is not ('t' or 'v' or 'n' or 'f'))
        {
            return false;
        }

        var start = WordIs(i, "the") ? i + 1 : i;
        var end = -1;
        if (WordIs(start, "fourth") && WordIs(start + 1, "of") && WordIs(start + 2, "july"))
        {
            end = start + 2;
        }
        else if ((WordIs(start, "valentine") || WordIs(start, "valentines")) && DayAfterPossessive(start + 1) is var day and > 0)
        {
            end = day;
        }
        else if (WordIs(start, "new") && (WordIs(start + 1, "year") || WordIs(start + 1, "years")) && DayAfterPossessive(start + 2) is var eve and > 0)
        {
            end = eve;
        }

        if (end < 0 || !AllFree(start, end) || !(IsCapitalized(start) || IsDatePreposition(WordBefore(i, 1))))
        {
            return false;
        }

        Mark(start, YearAfter(end), PhiKind.Date);
        return true;
    }

    /// <summary>The "day" or "eve" after an optional "'s" from <paramref name="k"/>; -1 when none.</summary>
    private int DayAfterPossessive(int k)
    {
        if ((IsPunct(k, '\'') || IsPunct(k, '’')) && WordIs(k + 1, "s"))
        {
            k += 2;
        }

        return WordIs(k, "day") || WordIs(k, "eve") ? k : -1;
    }

    private bool AllFree(int from, int to) => InRange(to) && !AnyMarked(from, to);
}
