using System.Runtime.CompilerServices;

namespace XefAI.Data.Deidentification;

/// <summary>
/// Finds Safe Harbor identifiers in free text in one linear pass over its tokens: formats first (e-mail, URL, IP,
/// SSN, phone, dates, ZIP, street addresses), then identifier numbers after their cue words, then names from
/// titles, labels and greetings, from the name lists, and from the people the clinical context names. No regular
/// expression: every rule looks at a bounded window of tokens, so the time is linear in the text whatever it holds.
/// </summary>
internal sealed class PhiScanner(Lexicon lexicon)
{
    // One scan's state per thread, reused: a scan runs start to end on its thread and is cleared after (no text kept).
    [ThreadStatic]
    private static Scan? t_scan;

    public static PhiScanner Default { get; } = new(Lexicon.Default);

    /// <summary>Adds the identifiers found in <paramref name="text"/> to <paramref name="found"/>, in text order, not overlapping.</summary>
    /// <param name="text">The text.</param>
    /// <param name="known">The people of the clinical context.</param>
    /// <param name="found">Where the identifiers go.</param>
    /// <param name="learned">
    /// Name words found in the call's earlier texts, found again here in any form; the names this text reveals are added.
    /// </param>
    public void Scan(string text, KnownPeople? known, List<PhiSpan> found, HashSet<string>? learned = null) => Scan(text, known, found, ref learned);

    /// <summary>
    /// As <see cref="Scan(string, KnownPeople?, List{PhiSpan}, HashSet{string}?)"/>, with the set of learned names made
    /// on the first name found when <paramref name="learned"/> is null, and handed back.
    /// </summary>
    /// <param name="cleanScope">
    /// Whose remembered clean texts the scan may skip and add to (the calling app; see <see cref="CleanTexts"/>): a text
    /// found clean for one app is scanned again for another.
    /// </param>
    public void Scan(string text, KnownPeople? known, List<PhiSpan> found, ref HashSet<string>? learned, string? cleanScope = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(found);
        if (text.Length == 0)
        {
            return;
        }

        // A scan that knows nothing of the call depends on the text alone: a text it found clean before is clean again.
        // So is one scan that knows only learned names none of which the text can hold: they are all the scan would use.
        known ??= KnownPeople.None;
        UInt128 digest = default;
        var nothingLearned = learned is null || learned.Count == 0;
        var rememberable = known.IsEmpty && text.Length >= CleanTexts.MinLength;

        // The digest is worked out only for a text the set may hold, or one found clean: most texts scanned are neither.
        var digested = rememberable && Clean.MayContain(text, cleanScope) && CleanTexts.TryDigest(text, cleanScope, out digest);
        if (digested && Clean.Contains(digest) && (nothingLearned || !MayHoldLearned(text, learned!)))
        {
            return;
        }

        var before = found.Count;

        // Taken out of the slot while in use, so that a scan within a scan (there is none) would make its own.
        var scan = t_scan ?? new Scan();
        t_scan = null;
        try
        {
            scan.Start(text, lexicon, known, learned);
            scan.Run();
            var scanned = text;
            if (scan.LooksScanned)
            {
                // A fax read by OCR ("Med1caid", "R1VER T0LL", "l2/l5"): scanned again with its letters and digits read
                // back, one character for one, so that the spans fit the text as written.
                scanned = scan.ReadBackOcr();
                learned = scan.Learned;
                scan.Dispose();
                scan.Start(scanned, lexicon, known ?? KnownPeople.None, learned);
                scan.Run();
            }

            // A link's query written encoded ("?name=John%20Smith"): scanned again with its spaces read back likewise.
            if (EncodedQueries.Has(scanned))
            {
                scanned = EncodedQueries.ReadBack(scanned);
                learned = scan.Learned;
                scan.Dispose();
                scan.Start(scanned, lexicon, known ?? KnownPeople.None, learned);
                scan.Run();
            }

            scan.CollectSpans(found);
            learned = scan.Learned;
        }
        finally
        {
            scan.Dispose();
            t_scan = scan;
        }

        if (rememberable && nothingLearned && found.Count == before && (learned is null || learned.Count == 0)
            && (digested || CleanTexts.TryDigest(text, cleanScope, out digest)))
        {
            Clean.Add(digest, text, cleanScope);
        }
    }

    /// <summary>Digests of the texts this scanner found clean knowing nothing of their call (see <see cref="CleanTexts"/>).</summary>
    internal CleanTexts Clean { get; } = new();

    /// <summary>
    /// Whether a learned name could be found in <paramref name="text"/>. The rules that use learned names look at a word
    /// that is a learned name ("Tolliver" again) or begins one ("Ben" of "Benjamin"): so a text none of whose words a
    /// learned name begins with scans as if nothing were learned. A word is read as the tokens are
    /// (<see cref="TextTokenizer.IsWordChar"/>), and a "\n", "\r" or "\t" escape before it ends the word before.
    /// </summary>
    internal static bool MayHoldLearned(string text, HashSet<string> learned)
    {
        foreach (var name in learned)
        {
            if (name.Length == 0)
            {
                continue;
            }

            // Every such word starts with the name's first letters (its first three, or all of a shorter one): found
            // with a vectorized search, then each is read to its end.
            var start = name.AsSpan(0, Math.Min(name.Length, 3));
            var from = 0;
            while (from < text.Length)
            {
                var at = text.AsSpan(from).IndexOf(start, StringComparison.OrdinalIgnoreCase);
                if (at < 0)
                {
                    break;
                }

                at += from;
                from = at + 1;
                if (at > 0 && TextTokenizer.IsWordChar(text[at - 1]) && !(at >= 2 && text[at - 2] == '\\' && text[at - 1] is 'n' or 'r' or 't'))
                {
                    continue;
                }

                var end = at;
                while (end < text.Length && TextTokenizer.IsWordChar(text[end]))
                {
                    end++;
                }

                if (name.AsSpan().StartsWith(text.AsSpan(at, end - at), StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }
}

/// <summary>The state of one scan: the tokens, what the lists say of each, and what has been marked.</summary>
internal sealed partial class Scan : IDisposable
{
    /// <summary>Most tokens a rule looks ahead or back; bounds every rule's work per token.</summary>
    private const int Window = 8;

    private string _text = string.Empty;
    private Lexicon _lexicon = null!;
    private KnownPeople _known = KnownPeople.None;
    private HashSet<string>? _learned;
    // Pooled: a 100 KB note has some 25,000 tokens, and arrays that size would otherwise land on the large object heap.
    private TextToken[] _t = [];
    private int _count;
    private Lex[] _lex = [];
    private PhiKind[] _kind = [];

    // 0: not marked; otherwise the run the token belongs to (one replacement per run).
    private int[] _run = [];
    private int _runs;

    // The indices of the words, and of the capitalized words (or words in capitals) among them, in text order: the passes
    // that act only at such a word walk these instead of every token. The capitalized are listed with the shapes final
    // (after TreatLowerCaseTextAsWritten); types and shapes do not change after.
    private int[] _words = [];
    private int _wordCount;
    private int[] _caps = [];
    private int _capCount;

    // Likewise the words and mixed letters and digits together, and the numbers.
    private int[] _lettered = [];
    private int _letteredCount;
    private int[] _numbers = [];
    private int _numberCount;

    // The few tokens the passes of rounds 10 and 11 over words and letters with digits can act at, in text order, each
    // once: a word before a key's ':', quote or '=', a word after "from" or "in", a short word starting with 'o', 't', 'c'
    // or 'u' ("on", "tail", "Carr", "Urb"), and every token of letters and digits. Listed with the other lists; each pass
    // takes the type it walked before and tests each token as before.
    private int[] _keyed = [];
    private int _keyedCount;

    // Whether the text has the word "is" or "am" (any case): no introduction ("this is maria", "I am Bill") without one.
    private bool _mayIntroduce;

    // A text this long or shorter (every chat message, most notes) is scanned in arrays this scan keeps from one text to
    // the next, not rented and returned: a short text's scan is mostly fixed costs. They stay small enough to keep per
    // thread; a longer text rents from the shared pool as before.
    private const int OwnedTextLength = 4096;
    private bool _owned;
    private TextToken[] _ownT = [];
    private Lex[] _ownLex = [];
    private PhiKind[] _ownKind = [];
    private int[] _ownRun = [];
    private int[] _ownWords = [];
    private int[] _ownCaps = [];
    private int[] _ownLettered = [];
    private int[] _ownNumbers = [];
    private int[] _ownKeyed = [];

    /// <summary>Readies this (cleared) scan for a text.</summary>
    public void Start(string text, Lexicon lexicon, KnownPeople known, HashSet<string>? learned)
    {
        _text = text;
        _lexicon = lexicon;
        _known = known;
        _learned = learned;
        _count = 0;
        _runs = 0;
    }

    /// <summary>The names learned so far: those given, with this text's added, or a new set when none was given.</summary>
    public HashSet<string>? Learned => _learned;

    private int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _count;
    }

    public void Run()
    {
        _owned = _text.Length <= OwnedTextLength;
        if (_owned)
        {
            // No text has more tokens than characters, so the tokenizer never grows this array. The kept arrays are all
            // zero here: a scan clears what it wrote when it ends.
            if (_ownT.Length < _text.Length)
            {
                _ownT = new TextToken[Math.Max(256, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)_text.Length))];
            }

            _t = _ownT;
            _count = TextTokenizer.Tokenize(_text, ref _t);
            _lex = Own(ref _ownLex, Count);
            _kind = Own(ref _ownKind, Count);
            _run = Own(ref _ownRun, Count);
        }
        else
        {
            _count = TextTokenizer.Tokenize(_text, ref _t);

            // Past the last token a rented array holds another scan's tokens; no rule may read them.
            Array.Clear(_t, _count, _t.Length - _count);
            _lex = Rent<Lex>(Count);
            _kind = Rent<PhiKind>(Count);
            _run = Rent<int>(Count);
        }

        ListAndLookUpWords();
        MarkEmailsAndUrls();
        MarkHomeFolders24();
        for (var i = 0; i < Count; i++)
        {
            if (_run[i] != 0)
            {
                continue;
            }

            // Formats first, each rule starting at the kind of token it can start with.
            _ = _t[i].Type switch
            {
                TokenType.Number => TryNumberRules(i),
                TokenType.Alnum => TryInternalExtension(i) || TryIpv6(i) || TrySpacedDate(i) || TryMonthDate(i) || TryAge(i) || TryStreetAddress(i) || TryGridAddress(i) || TryPostcode(i) || TryBareExtension(i),
                TokenType.Word => TryWordRules(i),
                _ => TryPunctRules(i),
            };
        }

        // Then numbers after their cue words ("MRN", "policy #"), which may name the kind of a number a format rule left.
        for (var w = 0; w < _letteredCount; w++)
        {
            var i = _lettered[w];
            if (_run[i] == 0 && (_lex[i] & Lex.IdentifierCue) != 0)
            {
                _ = TryIdentifierAfterCue(i) || TryCodeAfterCue(i) || TryGroupedAfterCue10(i);
            }
        }

        MarkStructuredRows();
        MarkZipsAfterPlaces();
        MarkChatPlaces13();
        MarkGaps10Places();
        MarkGaps11Places();
        MarkGaps12Places();

        MarkUncuedIdentifiers();
        MarkKnownValues();
        MarkNames();
        MarkLowerNamesAfterCues();
        MarkSplitNamesAfterLabels();
        MarkNameContinuations();
        MarkAgesAfterNames();
        MarkGaps10Names();
        MarkGaps11Names();
        MarkGaps10Ages();
        MarkGaps10Dates();
        MarkSpelledNames();
        MarkPlaces();
        MarkGaps14();
        MarkGaps15();
        MarkGaps16();
        UnmarkNotPhi();
        UnmarkGaps11Names();
        UnmarkGaps10Identifiers();
        MarkGaps12StatesBeforeIdentifiers();
        UnmarkImperativeVerbs13();
        MarkGaps18();
        MarkGaps19();
        MarkGaps20();
        MarkGaps22();
        MarkGaps23();
        MarkGaps24();
        MarkGaps25();
        MarkGaps26();
        MarkGaps27();
        MarkGaps28();
    }

    /// <summary>
    /// The format rules that start at a number, in the order the rules take precedence. A rule whose first test asks for
    /// a length or the punctuation after the number is called only where that test can pass (the rule makes it again),
    /// which spares most numbers most calls.
    /// </summary>
    private bool TryNumberRules(int i)
    {
        var length = _t[i].Length;
        var after = IsPunct(i + 1) ? _text[_t[i + 1].Start] : '\0';
        return (length == 1 && after == '.' && TryDicomUid(i))
            || (after == '.' && TryCoordinates(i))
            || (after != '\0' && TryIp(i))
            || (length is 3 or 4 && TrySsn(i))
            || TryPhone(i)
            || (length is >= 3 and <= 5 && _text[_t[i].Start] == '0' && TryTrunkPhone(i))
            || (length == 1 && after == '-' && TryInternalExtension(i))
            || (length <= 4 && TryNumericDate(i))
            || TrySpacedDate(i)
            || (length == 4 && after == '-' && TryYearMonth(i))
            || TryMonthDate(i)
            || TryAge(i)
            || (length <= 6 && IsWord(i + 1) && TryPrefixStreet(i))
            || TryStreetAddress(i)
            || (length <= 6 && TryLowerStreet(i))
            || (length == 3 && after == '-' && TryWrappedPhone(i))
            || (length == 5 && TryKeyedPostalCode(i));
    }

    /// <summary>
    /// The format rules that start at a punctuation mark, by the mark each needs there: a GS1 group or an area code opens
    /// with '(', an international number with '+', an IPv6 address with ':', a file name's part with '_', cross streets
    /// with '/' or '&amp;'. Every other mark starts none of them, and is passed without a call.
    /// </summary>
    private bool TryPunctRules(int i) => _text[_t[i].Start] switch
    {
        '(' => TryGs1Udi(i) || TryPhone(i),
        '+' => TryPhone(i),
        ':' => TryIpv6(i),
        '_' => TryUnderscoredName(i),
        '/' or '&' => TryCrossStreets(i),
        _ => false,
    };

    /// <summary>
    /// The format rules that start at a word. Most words start none of them: only a listed word, a month, a word before a
    /// joined ':' (an IPv6 group) or one ending in "card" is tried, in the order the rules take precedence.
    /// </summary>
    private bool TryWordRules(int i)
    {
        var lex = _lex[i];
        var starts = (lex & (Lex.WordRuleStart | Lex.Month)) != 0;
        var listed = (lex & ~(Lex.Partial | Lex.WordRuleStart)) != Lex.None;

        // One chain in order of precedence; the rules behind 'starts' cannot fire at a word that is not a start.
        // Each rule's first test is repeated before the rules that start with a word's neighbour or its last letter, which
        // spares most words the calls: an IPv6 group before a joined ':', a word ending in "card".
        return (starts && (TryHolidayPhrase(i) || TrySpokenDate(i)))
            || (listed && TryListedWordRules(i))
            || (starts && (TryAgeInWords(i) || TryHighwayPlace(i) || TryRuralBox(i) || TryMilitaryAddress(i) || TryPrefixStreetNumberAfter(i)
                || TryReservationRoute(i) || TryRoute(i) || TryStreetAfterPreposition(i) || TryStreetCorner(i)))
            || (IsPunct(i + 1, ':') && TryIpv6(i))
            || (starts && (TrySpokenDayAfterThe(i) || TrySpokenDigits(i)))
            || (_t[i].Length >= 4 && (_text[_t[i].End - 1] | 0x20) == 'd' && TryCardNumber(i))
            || (starts && (TryLastFour(i) || TryServiceLogin(i) || TryAustralianPostcode(i)));
    }

    /// <summary>
    /// The format rules a listed word may start, each called only when the word passes its first test: at a word, a date
    /// needs a holiday or a month (or "Labor Day"), a street address only starts at "PO" or "P. O.", and a city, state and
    /// ZIP code at a state or "zip". The flags asked for are cue flags, which every word has before the lists' lookup.
    /// </summary>
    private bool TryListedWordRules(int i) =>
        (((_lex[i] & (Lex.Holiday | Lex.Month | Lex.MonthAbbreviation)) != 0 || (IsCapitalized(i) && WordIs(i + 1, "day"))) && TryMonthDate(i))
        || (_t[i].Length <= 2 && TryStreetAddress(i))
        || (((_lex[i] & Lex.State) != 0 || _t[i].Length is 3 or 7) && TryCityStateZip(i));

    /// <summary>
    /// One pass over the tokens: what the lists say of each word, and the lists of words, capitalized words, lettered
    /// tokens and numbers. Lower-case words are looked up among the cue words only (a small table that stays in cache);
    /// what the large name and word lists say of them is looked up when a rule asks (L), which few do.
    /// </summary>
    private void ListAndLookUpWords()
    {
        // Not cleared: only the first entries, written here, are read.
        if (_owned)
        {
            _words = Own(ref _ownWords, Count);
            _caps = Own(ref _ownCaps, Count);
            _lettered = Own(ref _ownLettered, Count);
            _numbers = Own(ref _ownNumbers, Count);
            _keyed = Own(ref _ownKeyed, Count);
        }
        else
        {
            _words = RentUncleared<int>(Count);
            _caps = RentUncleared<int>(Count);
            _lettered = RentUncleared<int>(Count);
            _numbers = RentUncleared<int>(Count);
            _keyed = RentUncleared<int>(Count);
        }

        int words = 0, caps = 0, lettered = 0, numbers = 0, keyed = 0, longWords = 0, longCapitals = 0;
        var introductions = false;
        var ninety = false;
        var ocrWords = 0;
        for (var i = 0; i < Count; i++)
        {
            switch (_t[i].Type)
            {
                case TokenType.Word:
                    _lex[i] = _t[i].Is(TokenShape.Lower) ? _lexicon.CuesOf(Span(i)) | Lex.Partial : _lexicon.OfWord(Span(i));
                    _words[words++] = i;
                    _lettered[lettered++] = i;
                    if ((_t[i].Length <= 5 && (_text[_t[i].Start] | 0x20) is 'o' or 't' or 'c' or 'u')
                        || (i > 0 && _t[i - 1].Type == TokenType.Word && (WordIs(i - 1, "from") || WordIs(i - 1, "in"))))
                    {
                        _keyed[keyed++] = i;
                    }

                    var capitalized = _t[i].Is(TokenShape.Capitalized | TokenShape.Upper);
                    if (capitalized)
                    {
                        _caps[caps++] = i;
                    }

                    if (_t[i].Length >= 2)
                    {
                        // "is" or "am", as the introductions pass asks for them.
                        introductions |= _t[i].Length == 2 && (Span(i).Equals("is", StringComparison.OrdinalIgnoreCase) || Span(i).Equals("am", StringComparison.OrdinalIgnoreCase));
                        ninety |= _t[i].Length == 6 && (_text[_t[i].Start] | 0x20) == 'n' && Span(i).Equals("ninety", StringComparison.OrdinalIgnoreCase);
                        longWords++;
                        longCapitals += capitalized ? 1 : 0;
                    }

                    break;
                case TokenType.Alnum:
                    _lex[i] = _t[i].Is(TokenShape.Lower) ? _lexicon.CuesOf(Span(i)) | Lex.Partial : _lexicon.OfWord(Span(i));
                    _lettered[lettered++] = i;
                    _keyed[keyed++] = i;
                    if (_t[i].Length >= 4)
                    {
                        ocrWords += IsOcrWord22(i) ? 1 : 0;
                    }

                    break;
                case TokenType.Number:
                    _numbers[numbers++] = i;
                    break;
                default:
                    if (i > 0 && _t[i - 1].Type == TokenType.Word && _text[_t[i].Start] is ':' or '"' or '\'' or '=' && (keyed == 0 || _keyed[keyed - 1] != i - 1))
                    {
                        _keyed[keyed++] = i - 1;
                    }

                    break;
            }
        }

        _wordCount = words;
        _letteredCount = lettered;
        _numberCount = numbers;
        _keyedCount = keyed;
        _mayIntroduce = introductions;
        _ageWords12 = ninety;
        _ocrWords22 = ocrWords;
        _lowerText15 = TreatLowerCaseTextAsWritten(longWords, longCapitals);
        _capCount = _lowerText15 ? ListCapitalized() : caps;
    }

    /// <summary>
    /// A text typed all in lower case ("pt ignacio de la cruz, 19 bradford st") gives no capitals to tell names by; its
    /// words are then judged as if capitalized, so the lists and cues still find names and places. The lists were looked
    /// up before, as the words are written.
    /// </summary>
    /// <returns>Whether the words were changed.</returns>
    private bool TreatLowerCaseTextAsWritten(int words, int capitals)
    {
        if (words < 30 || capitals * 50 >= words)
        {
            return false;
        }

        for (var w = 0; w < _wordCount; w++)
        {
            var i = _words[w];
            if (_t[i].Is(TokenShape.Lower))
            {
                _t[i] = _t[i] with { Shape = _t[i].Shape | TokenShape.Capitalized };
            }
        }

        return true;
    }

    private int ListCapitalized()
    {
        var caps = 0;
        for (var w = 0; w < _wordCount; w++)
        {
            var i = _words[w];
            if (_t[i].Is(TokenShape.Capitalized | TokenShape.Upper))
            {
                _caps[caps++] = i;
            }
        }

        return caps;
    }

    /// <summary>The rented arrays returned and every reference to the call's text and people dropped.</summary>
    public void Dispose()
    {
        if (_owned)
        {
            // Kept for the next text, cleared as far as a rented array of the size would reach; the lists of indices are
            // read only as far as written.
            Array.Clear(_ownT, 0, _count);
            var reach = Math.Min(Bucket(_count), _ownLex.Length);
            Array.Clear(_ownLex, 0, reach);
            Array.Clear(_ownKind, 0, reach);
            Array.Clear(_ownRun, 0, reach);
            _owned = false;
        }
        else
        {
            Return(_t);
            Return(_lex);
            Return(_kind);
            Return(_run);
            Return(_words);
            Return(_caps);
            Return(_lettered);
            Return(_numbers);
            Return(_keyed);
        }

        _t = [];
        _lex = [];
        _kind = [];
        _run = [];
        _words = [];
        _wordCount = 0;
        _caps = [];
        _capCount = 0;
        _lettered = [];
        _letteredCount = 0;
        _numbers = [];
        _numberCount = 0;
        _keyed = [];
        _keyedCount = 0;
        _mayIntroduce = false;
        _ageWords12 = false;
        _ocrWords22 = 0;
        _lowerText15 = false;
        _text = string.Empty;
        _lexicon = null!;
        _known = KnownPeople.None;
        _learned = null;
        _count = 0;
        _runs = 0;
    }

    /// <summary>The kept array, grown to the size the shared pool would rent for <paramref name="count"/> when smaller.</summary>
    private static T[] Own<T>(ref T[] own, int count)
    {
        if (own.Length < count)
        {
            own = new T[Bucket(count)];
        }

        return own;
    }

    /// <summary>The length of the array the shared pool rents for <paramref name="count"/> items.</summary>
    private static int Bucket(int count) => (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(count, 16));

    private static T[] Rent<T>(int count)
    {
        if (count == 0)
        {
            return [];
        }

        var array = System.Buffers.ArrayPool<T>.Shared.Rent(count);
        Array.Clear(array);
        return array;
    }

    private static T[] RentUncleared<T>(int count) => count == 0 ? [] : System.Buffers.ArrayPool<T>.Shared.Rent(count);

    private static void Return<T>(T[] array)
    {
        if (array.Length > 0)
        {
            System.Buffers.ArrayPool<T>.Shared.Return(array);
        }
    }

    public void CollectSpans(List<PhiSpan> found)
    {
        var i = NextMarked(0);
        while (i < Count)
        {
            var run = _run[i];
            var start = _t[i].Start;
            var j = i;
            while (j + 1 < Count && _run[j + 1] == run)
            {
                j++;
            }

            found.Add(new PhiSpan(start, _t[j].End - start, _kind[i]));
            i = NextMarked(j + 1);
        }
    }

    /// <summary>The first marked token at or after <paramref name="i"/>, found a vector at a time; <see cref="Count"/> when none is.</summary>
    private int NextMarked(int i)
    {
        if (i >= Count)
        {
            return Count;
        }

        var k = _run.AsSpan(i, Count - i).IndexOfAnyExcept(0);
        return k < 0 ? Count : i + k;
    }

    // ---- Tokens ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<char> Span(int i) => _text.AsSpan(_t[i].Start, _t[i].Length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TextToken T(int i) => _t[i];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool InRange(int i) => (uint)i < (uint)_count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsPunct(int i, char c) => (uint)i < (uint)_count && _t[i].Type == TokenType.Punct && _text[_t[i].Start] == c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsPunct(int i) => (uint)i < (uint)_count && _t[i].Type == TokenType.Punct;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsNumber(int i) => (uint)i < (uint)_count && _t[i].Type == TokenType.Number;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsNumber(int i, int minDigits, int maxDigits) =>
        IsNumber(i) && _t[i].Length >= minDigits && _t[i].Length <= maxDigits;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsWord(int i) => (uint)i < (uint)_count && _t[i].Type == TokenType.Word;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsFree(int i) => (uint)i < (uint)_count && _run[i] == 0;

    private bool Has(int i, Lex lex)
    {
        if (!InRange(i))
        {
            return false;
        }

        var known = _lex[i];
        return (known & Lex.Partial) != 0 && (lex & Lex.Lists) != 0 ? (L(i) & lex) != 0 : (known & lex) != 0;
    }

    /// <summary>Everything the lists say of token <paramref name="i"/>, looking a lower-case word up in full on first need.</summary>
    private Lex L(int i)
    {
        var known = _lex[i];
        if ((known & Lex.Partial) == 0)
        {
            return known & ~Lex.WordRuleStart;
        }

        // The rule-start flag is kept for the word rules, which may not have reached this word yet.
        var lex = _lexicon.Of(Span(i));
        _lex[i] = lex | (known & Lex.WordRuleStart);
        return lex;
    }

    // The length first, before the type: most words are not the one asked for, and most differ in length. Then the first
    // letters, where both are ASCII: two that differ in more than the case bit cannot be equal in any case, so most words
    // of the right length are refused without a comparison of the whole word.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool WordIs(int i, string word)
    {
        if ((uint)i >= (uint)_count || _t[i].Length != word.Length || _t[i].Type != TokenType.Word)
        {
            return false;
        }

        var first = _text[_t[i].Start];
        if ((first | word[0]) < 0x80 && ((first ^ word[0]) & ~0x20) != 0)
        {
            return false;
        }

        return _text.AsSpan(_t[i].Start, word.Length).Equals(word, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Token <paramref name="i"/> touches the one before it (no white space between).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Joined(int i) => InRange(i) && _t[i].Adjacent;

    private int Value(int i)
    {
        var span = Span(i);
        if (span.Length > 9)
        {
            return int.MaxValue;
        }

        var value = 0;
        foreach (var c in span)
        {
            value = (value * 10) + (c - '0');
        }

        return value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsCapitalized(int i) => InRange(i) && _t[i].Is(TokenShape.Capitalized | TokenShape.Upper);

    private bool StartsLine(int i) => i == 0 || _t[i].Is(TokenShape.LineBefore);

    /// <summary>The token begins a sentence: first of a line, or after a full stop, question or exclamation mark.</summary>
    private bool StartsSentence(int i)
    {
        if (StartsLine(i))
        {
            return true;
        }

        var p = i - 1;
        while (p >= 0 && IsPunct(p) && (IsPunct(p, '"') || IsPunct(p, '(') || IsPunct(p, '\'') || IsPunct(p, '*') || IsPunct(p, '-')))
        {
            p--;
        }

        return p < 0 || IsPunct(p, '.') || IsPunct(p, '?') || IsPunct(p, '!') || IsPunct(p, ':') || IsPunct(p, ';') || IsPunct(p, '>')
            || IsPunct(p, '•') || StartsLine(p + 1);
    }

    private void Mark(int from, int to, PhiKind kind)
    {
        _runs++;
        for (var i = from; i <= to; i++)
        {
            _kind[i] = kind;
            _run[i] = _runs;
        }
    }

    private bool AnyMarked(int from, int to)
    {
        for (var i = from; i <= to; i++)
        {
            if (_run[i] != 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The nearest word before <paramref name="i"/> within a few tokens, skipping punctuation; -1 when none.</summary>
    private int WordBefore(int i, int within = 3)
    {
        for (var p = i - 1; p >= 0 && p >= i - within; p--)
        {
            if (_t[p].Type != TokenType.Punct)
            {
                return _t[p].Type == TokenType.Word ? p : -1;
            }
        }

        return -1;
    }

    /// <summary>The nearest word after <paramref name="i"/> within a few tokens, skipping punctuation; -1 when none.</summary>
    private int WordAfter(int i, int within = 3)
    {
        for (var n = i + 1; n < Count && n <= i + within; n++)
        {
            if (_t[n].Type != TokenType.Punct)
            {
                return _t[n].Type == TokenType.Word ? n : -1;
            }
        }

        return -1;
    }

    /// <summary>An identifier cue word of the given kind within the few words before <paramref name="i"/>.</summary>
    private bool CueBefore(int i, PhiKind kind, int within = 4)
    {
        for (var p = i - 1; p >= 0 && p >= i - within; p--)
        {
            if (Has(p, Lex.IdentifierCue) && _lexicon.TryGetIdentifierCue(Span(p), out var cue) && cue == kind)
            {
                return true;
            }

            if (_t[p].Is(TokenShape.LineBefore))
            {
                break;
            }
        }

        return false;
    }
}
