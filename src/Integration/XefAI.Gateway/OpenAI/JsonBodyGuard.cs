using System.Buffers;
using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Unicode;
using XefAI.Integration;

namespace XefAI.Gateway.OpenAI;

/// <summary>
/// One cheap forward pass over a request body before it is parsed into a DOM: invalid UTF-8, lone UTF-16
/// surrogates in escapes, duplicate member names and excessive nesting are refused here with a 400 that
/// names the place, instead of surfacing later as an exception when the body is re-serialized for a vendor,
/// hashed for the audit trail, or read by a parser that keeps the last duplicate while a validator saw the first.
/// </summary>
internal static class JsonBodyGuard
{
    /// <summary>
    /// The UTF-8 byte-order mark some clients write before the JSON (.NET's <c>Encoding.UTF8</c> writers, PowerShell);
    /// RFC 8259 lets a parser ignore it, and this gateway ignores one.
    /// </summary>
    public static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    /// <summary>The body without its leading byte-order mark, when it has one: what the parsers read after <see cref="Check"/>.</summary>
    public static ReadOnlyMemory<byte> WithoutByteOrderMark(ReadOnlyMemory<byte> utf8) =>
        utf8.Span.StartsWith(ByteOrderMark) ? utf8[ByteOrderMark.Length..] : utf8;

    /// <param name="utf8">The body as received, a leading byte-order mark included: the byte offsets named in errors count it.</param>
    /// <param name="maxDepth">The deepest nesting allowed.</param>
    /// <returns>Null when the body is well-formed JSON in valid UTF-8 with unique member names.</returns>
    public static CallError? Check(ReadOnlySpan<byte> utf8, int maxDepth)
    {
        // The offsets the errors name are of the body as the client sent it, mark included.
        var skipped = utf8.StartsWith(ByteOrderMark) ? ByteOrderMark.Length : 0;
        utf8 = utf8[skipped..];
        if (!Utf8.IsValid(utf8))
        {
            var at = skipped + FirstInvalidUtf8(utf8);
            return CallError.InvalidRequest("invalid_encoding", $"The request body is not valid UTF-8 (byte offset {at}); send JSON encoded as UTF-8.");
        }

        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = maxDepth, CommentHandling = JsonCommentHandling.Disallow });
        var scratch = Scratch.Rent();
        var names = scratch.Names;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        names.Push(null);
                        break;
                    case JsonTokenType.StartArray:
                        // Arrays have no member names; a marker keeps the stack aligned with the nesting.
                        names.Push(null);
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        scratch.Return(names.Pop());
                        break;
                    case JsonTokenType.PropertyName:
                        if (reader.ValueIsEscaped && !SurrogatesPaired(reader))
                        {
                            return LoneSurrogate(reader, skipped);
                        }

                        var name = NameOf(ref reader);
                        var seen = names.Pop() ?? scratch.RentSet();
                        names.Push(seen);
                        if (!seen.Add(name))
                        {
                            return CallError.InvalidRequest(
                                "duplicate_key",
                                $"The request body names the member '{Printable(name)}' twice in one object (byte offset {skipped + reader.TokenStartIndex}); each member may appear once.",
                                Printable(name));
                        }

                        break;
                    case JsonTokenType.String:
                        if (reader.ValueIsEscaped && !SurrogatesPaired(reader))
                        {
                            return LoneSurrogate(reader, skipped);
                        }

                        break;
                }
            }
        }
        catch (JsonException ex)
        {
            return ex.Message.Contains("maximum configured depth", StringComparison.OrdinalIgnoreCase)
                ? CallError.InvalidRequest("json_too_deep", $"The request body nests JSON deeper than this gateway's limit of {maxDepth} levels.")
                : CallError.InvalidRequest(
                    "invalid_json",
                    $"The request body is not valid JSON: {ex.Message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0]} (line {ex.LineNumber + 1}, byte {(ex.LineNumber == 0 ? skipped : 0) + ex.BytePositionInLine}).");
        }
        finally
        {
            scratch.Release();
        }

        return null;
    }

    /// <summary>
    /// The member name: the member names of the OpenAI request schema are one shared string each, so a usual body
    /// allocates no name; any other name is read as the reader reads it.
    /// </summary>
    private static string NameOf(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped && reader.ValueSpan.Length <= KnownNameMaxLength)
        {
            Span<char> chars = stackalloc char[KnownNameMaxLength];
            if (System.Text.Encoding.UTF8.TryGetChars(reader.ValueSpan, chars, out var written)
                && KnownNames.TryGetValue(chars[..written], out var known))
            {
                return known;
            }
        }

        return reader.GetString()!;
    }

    private const int KnownNameMaxLength = 32;

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> KnownNames = new[]
    {
        "model", "messages", "role", "content", "name", "type", "text", "image_url", "url", "detail", "input_audio", "file",
        "temperature", "top_p", "max_tokens", "max_completion_tokens", "n", "stream", "stream_options", "include_usage",
        "stop", "user", "seed", "presence_penalty", "frequency_penalty", "logit_bias", "logprobs", "top_logprobs",
        "response_format", "json_schema", "schema", "strict", "tools", "tool_choice", "function", "description",
        "parameters", "properties", "required", "tool_calls", "tool_call_id", "id", "arguments", "metadata", "store",
        "parallel_tool_calls", "reasoning_effort", "service_tier", "input", "dimensions", "encoding_format", "refusal",
    }.ToFrozenSet(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>
    /// The stack of member-name sets of one pass, kept per thread between calls (the pass is synchronous): a usual
    /// body then allocates neither the stack nor a set per object. Large sets are let go rather than kept.
    /// </summary>
    private sealed class Scratch
    {
        private const int MaxKeptSets = 16;
        private const int MaxKeptSetSize = 256;

        [ThreadStatic]
        private static Scratch? t_current;

        private readonly Stack<HashSet<string>> _sets = new();
        private bool _inUse;

        public Stack<HashSet<string>?> Names { get; } = new();

        public static Scratch Rent()
        {
            var scratch = t_current ??= new Scratch();
            if (scratch._inUse)
            {
                // Not expected (the pass does not re-enter), but a fresh one is always correct.
                return new Scratch { _inUse = true };
            }

            scratch._inUse = true;
            return scratch;
        }

        public HashSet<string> RentSet() => _sets.TryPop(out var set) ? set : new HashSet<string>(StringComparer.Ordinal);

        public void Return(HashSet<string>? set)
        {
            if (set is null)
            {
                return;
            }

            if (set.Count <= MaxKeptSetSize && _sets.Count < MaxKeptSets)
            {
                set.Clear();
                _sets.Push(set);
            }
        }

        public void Release()
        {
            while (Names.TryPop(out var set))
            {
                Return(set);
            }

            _inUse = false;
        }
    }

    /// <summary>
    /// Scans the escaped form of a string for <c>\uXXXX</c> escapes: a high surrogate must be followed at once by
    /// an escaped low surrogate, and a low surrogate must follow a high one. (Raw UTF-8 cannot encode surrogates;
    /// <see cref="Utf8.IsValid"/> already refused those.)
    /// </summary>
    private static bool SurrogatesPaired(Utf8JsonReader reader)
    {
        var raw = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
        var expectLow = false;
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] != (byte)'\\')
            {
                if (expectLow)
                {
                    return false;
                }

                continue;
            }

            var escaped = raw[i + 1];
            if (escaped != (byte)'u')
            {
                if (expectLow)
                {
                    return false;
                }

                i++;
                continue;
            }

            var unit = HexValue(raw.Slice(i + 2, 4));
            i += 5;
            if (char.IsHighSurrogate((char)unit))
            {
                if (expectLow)
                {
                    return false;
                }

                expectLow = true;
            }
            else if (char.IsLowSurrogate((char)unit))
            {
                if (!expectLow)
                {
                    return false;
                }

                expectLow = false;
            }
            else if (expectLow)
            {
                return false;
            }
        }

        return !expectLow;
    }

    private static int HexValue(ReadOnlySpan<byte> hex)
    {
        var value = 0;
        foreach (var b in hex)
        {
            value = (value << 4) | (b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                _ => b - 'A' + 10,
            });
        }

        return value;
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> utf8)
    {
        var status = Utf8.ToUtf16(utf8, new char[utf8.Length], out var read, out _, replaceInvalidSequences: false);
        return status == OperationStatus.InvalidData ? read : 0;
    }

    private static CallError LoneSurrogate(Utf8JsonReader reader, int skipped) => CallError.InvalidRequest(
        "invalid_encoding",
        $"The request body holds an unpaired UTF-16 surrogate escape such as \\ud800 (byte offset {skipped + reader.TokenStartIndex}); such a string is not valid Unicode text.");

    // Member names are echoed to help the developer, but only short, printable ones: a name could hold anything.
    private static string Printable(string name) =>
        name.Length <= 64 && name.All(c => c is >= ' ' and <= '~') ? name : "(unprintable name)";
}
