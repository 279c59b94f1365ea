namespace XefAI.Data.Deidentification;

/// <content>
/// Round 24, classes hostile testing found: the user's folder in a file path ("C:\Users\jsmith\", "/home/jsmith/",
/// "\\server\home$\jsmith"), and a given name left before a surname that the passes join late ("O'Neil-Smith") or
/// before a quoted nickname ("John "JJ" O'Neil").
/// </content>
internal sealed partial class Scan
{
    // A separator before "Users" or "home": found in one vectorized search for the four, in any case.
    private static readonly System.Buffers.SearchValues<string> HomeFolders24 =
        System.Buffers.SearchValues.Create(["/users", "\\users", "/home", "\\home"], StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The folder after "Users" or "home" in a path is the login of the person whose files they are: an identifier.
    /// </summary>
    private void MarkHomeFolders24()
    {
        var text = _text.AsSpan();
        var from = 0;
        while (from < text.Length && text[from..].IndexOfAny(HomeFolders24) is var found and >= 0)
        {
            var at = from + found + 1;
            from = at;

            // "home$" is the hidden share of a Windows server's home folders.
            var after = at + ((text[at] | 0x20) == 'u' ? 5 : 4);
            if (after < text.Length && text[after] == '$')
            {
                after++;
            }

            // A path in a JSON string doubles its backslashes: "C:\\Users\\jsmith".
            if (after >= text.Length || text[after] is not ('/' or '\\'))
            {
                continue;
            }

            while (after < text.Length && text[after] is '/' or '\\')
            {
                after++;
            }

            var end = after;
            while (end < text.Length && end - after < 64 && !char.IsWhiteSpace(text[end]) && text[end] is not ('/' or '\\' or '"' or '\'' or '<' or '>' or '|' or '?' or '*' or ':' or ','))
            {
                end++;
            }

            while (end > after && text[end - 1] is '.' or ')' or ';')
            {
                end--;
            }

            if (end > after && !IsSharedFolder24(text[after..end]))
            {
                MarkChars(after, end, PhiKind.Id);
            }
        }
    }

    // The folders every machine has, which name no one.
    private static readonly WordSet SharedFolders24 =
        new("public", "default", "shared", "all users", "default user", "guest", "%username%", "$user", "<username>", "username", "user", "runner");

    private static bool IsSharedFolder24(ReadOnlySpan<char> name) => SharedFolders24.Contains(name);

    /// <summary>
    /// A given name right before a name the passes found, or before a quoted nickname and then one: "Patient John
    /// O'Brien" (the surname found only once its "O'" was joined), "Nick: John "JJ" O'Neil-Smith" (a learned name
    /// after a colon, which starts a sentence, and before a quote, which proves no subject). The quoted nickname goes too.
    /// </summary>
    private void MarkGaps24()
    {
        for (var c = 0; c < _capCount; c++)
        {
            var i = _caps[c];
            // Capitalized as written: in a text written all in lower case, any word may be read as capitalized.
            if (_run[i] != 0 || !IsWord(i) || _t[i].Length < 2 || !_t[i].Is(TokenShape.Capitalized) || !char.IsUpper(_text[_t[i].Start]) || !InRange(i + 1))
            {
                continue;
            }

            // A quoted nickname between: one or two words in straight or curly quotes, or in brackets.
            var n = i + 1;
            int nickFrom = -1, nickTo = -1;
            if (IsOpeningQuote24(n) && _t[n].Is(TokenShape.SpaceBefore))
            {
                var k = n + 1;
                while (k < Count && k - n <= 3 && IsWord(k) && !_t[k].Is(TokenShape.LineBefore))
                {
                    k++;
                }

                if (k > n + 1 && IsClosingQuote24(n, k) && Joined(k))
                {
                    nickFrom = n + 1;
                    nickTo = k - 1;
                    n = k + 1;
                }
            }

            // The name after: on the same line, one space away, found as a name, and where its run starts.
            if (!InRange(n) || _t[n].Is(TokenShape.LineBefore) || _t[n].Start - _t[n - 1].End != 1 || !IsNameAt(n) || _run[n - 1] == _run[n]
                || !IsCapitalized(n))
            {
                continue;
            }

            var lex = L(i);
            var learned = _learned is { Count: > 0 } names && names.GetAlternateLookup<ReadOnlySpan<char>>().Contains(Span(i));
            if (!learned && (lex & (Lex.FirstName | Lex.Clinical | Lex.Place)) != Lex.FirstName)
            {
                continue;
            }

            // "Doña Milagros", "Aunty Moana", "Miss Pearl": a title or kinship word before a name stays outside it.
            if ((lex & (Lex.Title | Lex.Relation | Lex.Salutation | Lex.NameLabel | Lex.Credential)) != 0 || NameTitles11A.Contains(Span(i))
                || IsHonorific24(i) || IsFunctionWord(i) || IsEponym(i) || IsSaint(i) || IsImperative13(i))
            {
                continue;
            }

            // The rules before take a given name before a plain surname; what they leave is one learned, set off by a
            // nickname, or before a surname joined across an apostrophe or hyphen.
            if (!(learned || nickFrom >= 0 || IsJoinedName24(n)))
            {
                continue;
            }

            Mark(i, i, PhiKind.Name);
            if (nickFrom >= 0 && !AnyMarked(nickFrom, nickTo))
            {
                Mark(nickFrom, nickTo, PhiKind.Name);
            }
        }
    }

    private bool IsHonorific24(int i)
    {
        var word = Span(i);
        foreach (var honorific in Honorifics22)
        {
            if (word.Equals(honorific, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        foreach (var kin in KinWords23)
        {
            if (word.Equals(kin, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private bool IsOpeningQuote24(int n) => IsPunct(n, '"') || IsPunct(n, '“') || IsPunct(n, '(') || IsPunct(n, '\'') || IsPunct(n, '‘');

    private bool IsClosingQuote24(int open, int close) =>
        InRange(close) && _t[close].Type == TokenType.Punct && (_text[_t[open].Start], _text[_t[close].Start]) switch
        {
            ('"', '"') or ('“', '”') or ('(', ')') or ('\'', '\'') or ('‘', '’') => true,
            _ => false,
        };

    // "O'Neil-Smith", "Neil-Smith": the name's run goes on across a joined apostrophe or hyphen.
    private bool IsJoinedName24(int n) =>
        InRange(n + 1) && _run[n + 1] == _run[n] && (IsPunct(n + 1, '\'') || IsPunct(n + 1, '’') || IsPunct(n + 1, '-')) && Joined(n + 1);
}
