using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using XefAI.Data;
using XefAI.Gateway.Pipeline.Steps;
using XefAI.Models;

namespace XefAI.Gateway.Pipeline.Invocation;

/// <summary>
/// A stream whose chunks get this call's protected values back in their text deltas (content and refusal), even where a vendor splits a
/// token across deltas (<c>"[NA"</c> then <c>"ME_1] is"</c>). Per choice, a delta's trailing text that could still
/// become a token (<c>[</c>, then only <c>A-Z</c>, <c>_</c> and digits, shorter than a whole token) is held back and
/// put before that choice's next delta; the choice's finish reason, or the end of the stream, lets go of what is held:
/// restored if it is a whole token, as it is otherwise. Nothing is lost and nothing is reordered within a choice.
/// When the request asked for a JSON answer (<paramref name="jsonAnswer"/>), text deltas get each value escaped for the JSON
/// string it stands in, as tool call arguments do.
/// </summary>
internal sealed class RestoringAnswerStream(AnswerStream inner, IDataProtection protection, bool jsonAnswer = false) : AnswerStream
{
    /// <summary>The longest token a de-identifier writes, brackets included.</summary>
    internal const int MaxTokenLength = 32;

    // Per choice index and text field: text held back because it may be the start of a token.
    private readonly Dictionary<(int Choice, TextField Field), string> _held = [];

    // Per choice and tool call index: arguments held back the same way.
    private readonly Dictionary<(int Choice, int Call), string> _heldArguments = [];

    // Per choice and text field (or tool call's arguments): whether what was let go of ends inside a URL, whose tokens
    // stay tokens (UrlSpans), a URL that may have begun deltas before its token, in a chunk passed on unparsed.
    private readonly Dictionary<(int Choice, Kind Kind, int Call), UrlSpans.State> _urls = [];

    // The last chunk's identity, for the chunk that lets go of what is held when the stream ends.
    private JsonNode? _id;
    private JsonNode? _created;
    private JsonNode? _model;

    public override async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var chunk in inner.ReadAsync(cancellationToken))
        {
            yield return Restore(chunk);
        }

        if (Remainder() is { } remainder)
        {
            yield return remainder;
        }

        Failure = inner.Failure;
    }

    public override StreamedAnswer? Result => inner.Result is { } result
        ? result with
        {
            Content = RestoreDataStep.RestoreContent(protection, result.Content, jsonAnswer),
            ToolCalls = result.ToolCalls?.Select(c => c with
            {
                Id = c.Id is null ? null : protection.Restore(c.Id),
                Arguments = ToolCallArguments.Restore(protection, c.Arguments),
            }).ToList(),
        }
        : null;

    /// <summary>The answer as the vendor streamed it, its tokens not restored.</summary>
    public override StreamedAnswer? VendorResult => inner.VendorResult;

    public override ValueTask DisposeAsync() => inner.DisposeAsync();

    /// <summary>
    /// The length of the end of <paramref name="text"/> that could still become a token with more text: a <c>[</c>
    /// followed only by <c>A-Z</c>, <c>_</c> or digits, shorter than <see cref="MaxTokenLength"/>; 0 when there is none.
    /// </summary>
    internal static int PossibleTokenStart(string text)
    {
        var open = text.LastIndexOf('[');
        if (open < 0 || text.Length - open >= MaxTokenLength)
        {
            return 0;
        }

        for (var i = open + 1; i < text.Length; i++)
        {
            if (text[i] is not ((>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_'))
            {
                return 0;
            }
        }

        return text.Length - open;
    }

    private ReadOnlyMemory<byte> Restore(ReadOnlyMemory<byte> chunk)
    {
        // Most chunks hold no token and nothing is held back: they go on as they came, unparsed, their texts only read
        // for where a URL starts or ends.
        if (_held.Count == 0 && _heldArguments.Count == 0)
        {
            List<(int Choice, Kind Kind, int Call, string Text)> texts = [];
            if (!MayHoldTokenStart(chunk.Span, texts))
            {
                foreach (var (choice, kind, call, text) in texts)
                {
                    UrlSpans.Find(text, json: kind == Kind.Arguments || jsonAnswer, Urls(choice, kind, call));
                }

                return chunk;
            }
        }

        if (JsonNode.Parse(chunk.Span) is not JsonObject json || json["choices"] is not JsonArray choices)
        {
            return chunk;
        }

        _id ??= json["id"]?.DeepClone();
        _created ??= json["created"]?.DeepClone();
        _model ??= json["model"]?.DeepClone();
        var changed = false;
        for (var position = 0; position < choices.Count; position++)
        {
            if (choices[position] is JsonObject choice)
            {
                changed |= RestoreChoice(choice, position);
            }
        }

        return changed ? JsonSerializer.SerializeToUtf8Bytes(json) : chunk;
    }

    /// <summary>
    /// Whether any string value of the chunk may hold a <c>[</c>: written as it is, or escaped (<c>\u005B</c>, or any
    /// <c>\u005</c> escape, to be safe). Property names are not values; a chunk that is not JSON is left to the parser.
    /// </summary>
    internal static bool MayHoldTokenStart(ReadOnlySpan<byte> chunk, List<(int Choice, Kind Kind, int Call, string Text)>? texts = null)
    {
        try
        {
            var reader = new Utf8JsonReader(chunk);
            var (choicePosition, choice, callPosition, call) = (-1, -1, -1, -1);
            var inDelta = false;
            var pending = (Kind?)null;
            var indexDepth = 0;
            while (reader.Read())
            {
                if (texts is not null)
                {
                    // choices[] objects open at depth 2 (their members at 3: index, delta), a delta's members are at 4, a
                    // tool call's at 6 (index, function), a function's at 7 (arguments).
                    var depth = reader.CurrentDepth;
                    switch (reader.TokenType)
                    {
                        case JsonTokenType.StartObject when depth == 2:
                            choice = ++choicePosition;
                            callPosition = -1;
                            break;
                        case JsonTokenType.StartObject when depth == 5 && inDelta:
                            call = ++callPosition;
                            break;
                        case JsonTokenType.PropertyName:
                            indexDepth = depth is 3 or 6 && reader.ValueTextEquals("index"u8) ? depth : 0;
                            inDelta = depth == 3 ? reader.ValueTextEquals("delta"u8) : inDelta;
                            pending = !inDelta ? null
                                : depth == 4 && reader.ValueTextEquals("content"u8) ? Kind.Content
                                : depth == 4 && reader.ValueTextEquals("refusal"u8) ? Kind.Refusal
                                : depth == 7 && reader.ValueTextEquals("arguments"u8) ? Kind.Arguments
                                : null;
                            continue;
                        case JsonTokenType.Number when indexDepth == 3 && reader.TryGetInt32(out var i):
                            choice = i;
                            break;
                        case JsonTokenType.Number when indexDepth == 6 && reader.TryGetInt32(out var c):
                            call = c;
                            break;
                        case JsonTokenType.String when pending is { } kind:
                            texts.Add((choice, kind, kind == Kind.Arguments ? call : 0, reader.GetString()!));
                            break;
                    }

                    indexDepth = 0;
                    pending = null;
                }

                if (reader.TokenType != JsonTokenType.String)
                {
                    continue;
                }

                var value = reader.ValueSpan;
                if (value.Contains((byte)'[') || (reader.ValueIsEscaped && value.IndexOf("\\u005"u8) >= 0))
                {
                    return true;
                }
            }

            return false;
        }
        catch (JsonException)
        {
            return true;
        }
    }

    /// <returns>Whether the choice's delta was rewritten.</returns>
    private bool RestoreChoice(JsonObject choice, int position)
    {
        var index = choice["index"] is JsonValue value && value.TryGetValue<int>(out var number) ? number : position;
        var finished = choice["finish_reason"] is JsonValue reason && reason.GetValueKind() != JsonValueKind.Null;
        var changed = RestoreToolCalls(choice, index, finished);
        changed |= RestoreText(choice, index, TextField.Content, finished);
        changed |= RestoreText(choice, index, TextField.Refusal, finished);
        return changed;
    }

    /// <summary>
    /// A text field of the choice's delta (its <c>content</c>, or its <c>refusal</c>: both are read by a person), restored
    /// and held back per choice and field; a finished choice lets go of what is held, in a delta it gets if need be.
    /// </summary>
    /// <returns>Whether the choice's delta was rewritten.</returns>
    private bool RestoreText(JsonObject choice, int index, TextField field, bool finished)
    {
        var name = field == TextField.Content ? "content" : "refusal";
        var delta = choice["delta"] as JsonObject;
        string? text = delta?[name] is JsonValue content && content.TryGetValue<string>(out var s) ? s : null;
        if (text is null && !finished)
        {
            // A delta without this text (the role, a tool call, the other text) leaves what is held where it is.
            return false;
        }

        _held.Remove((index, field), out var held);
        if (text is null && held is null)
        {
            return false;
        }

        var combined = held + text;
        var keep = finished ? 0 : PossibleTokenStart(combined);
        if (keep > 0)
        {
            _held[(index, field)] = combined[^keep..];
            combined = combined[..^keep];
        }

        var restored = RestoreField(index, field, combined);
        if (held is null && keep == 0 && ReferenceEquals(restored, text))
        {
            return false;
        }

        if (delta is null)
        {
            // A finish chunk without a delta lets go of what was held in one it gets.
            delta = [];
            choice["delta"] = delta;
        }

        delta[name] = restored;
        return true;
    }

    /// <summary>The text with its tokens restored; a refusal is never the JSON answer the request asked for.</summary>
    private string RestoreField(int choice, TextField field, string text) => field == TextField.Content
        ? RestoreDataStep.RestoreContent(protection, text, jsonAnswer, Urls(choice, Kind.Content, 0))
        : RestoreDataStep.RestoreText(protection, text, Urls(choice, Kind.Refusal, 0));

    private UrlSpans.State Urls(int choice, Kind kind, int call)
    {
        if (!_urls.TryGetValue((choice, kind, call), out var state))
        {
            state = new UrlSpans.State();
            _urls[(choice, kind, call)] = state;
        }

        return state;
    }

    /// <summary>
    /// The argument fragments of the delta's tool calls, restored as JSON string content (<see cref="ToolCallArguments"/>)
    /// and held back per tool call like text; a finished choice lets go of every tool call's, in a delta it gets if need be.
    /// </summary>
    /// <returns>Whether the delta was rewritten.</returns>
    private bool RestoreToolCalls(JsonObject choiceObject, int choice, bool finished)
    {
        var changed = false;
        var delta = choiceObject["delta"] as JsonObject;
        if (delta?["tool_calls"] is JsonArray calls)
        {
            for (var position = 0; position < calls.Count; position++)
            {
                // A call's id comes whole, in its first delta: restored there, nothing held.
                if (calls[position] is JsonObject named && named["id"] is JsonValue idValue && idValue.TryGetValue<string>(out var id)
                    && protection.Restore(id) is var restoredId && !ReferenceEquals(restoredId, id))
                {
                    named["id"] = restoredId;
                    changed = true;
                }

                if (calls[position] is not JsonObject call || call["function"] is not JsonObject function || ToolCallArguments.Of(function) is not { } fragment)
                {
                    continue;
                }

                var key = (choice, call["index"] is JsonValue i && i.TryGetValue<int>(out var n) ? n : position);
                _heldArguments.Remove(key, out var held);
                var combined = held + fragment;
                var keep = finished ? 0 : PossibleTokenStart(combined);
                if (keep > 0)
                {
                    _heldArguments[key] = combined[^keep..];
                    combined = combined[..^keep];
                }

                var restored = ToolCallArguments.Restore(protection, combined, Urls(choice, Kind.Arguments, key.Item2));
                if (held is not null || keep > 0 || !ReferenceEquals(restored, fragment))
                {
                    function["arguments"] = restored;
                    changed = true;
                }
            }
        }

        if (!finished || !HoldsArgumentsOf(choice))
        {
            return changed;
        }

        if (delta is null)
        {
            // A finish chunk without a delta lets go of what was held in one it gets.
            delta = [];
            choiceObject["delta"] = delta;
        }

        if (delta["tool_calls"] is not JsonArray released)
        {
            released = [];
            delta["tool_calls"] = released;
        }

        foreach (var (call, arguments) in ReleaseArgumentsOf(choice))
        {
            released.Add(ArgumentsDelta(call, arguments));
        }

        return true;
    }

    private bool HoldsArgumentsOf(int choice) => _heldArguments.Keys.Any(k => k.Choice == choice);

    /// <summary>The arguments held for a choice's tool calls, restored, in tool call order; no longer held.</summary>
    private List<(int Call, string Arguments)> ReleaseArgumentsOf(int choice)
    {
        var released = new List<(int Call, string Arguments)>();
        foreach (var ((c, call), held) in _heldArguments.Where(h => h.Key.Choice == choice).OrderBy(h => h.Key.Call).ToList())
        {
            _heldArguments.Remove((c, call));
            released.Add((call, ToolCallArguments.Restore(protection, held, Urls(choice, Kind.Arguments, call))));
        }

        return released;
    }

    private static JsonObject ArgumentsDelta(int call, string arguments) =>
        new() { ["index"] = call, ["function"] = new JsonObject { ["arguments"] = arguments } };

    /// <summary>A chunk with what is still held when the stream ends without a finish reason; null when nothing is.</summary>
    private ReadOnlyMemory<byte>? Remainder()
    {
        if (_held.Count == 0 && _heldArguments.Count == 0)
        {
            return null;
        }

        var choices = new JsonArray();
        foreach (var index in _held.Keys.Select(k => k.Choice).Concat(_heldArguments.Keys.Select(k => k.Choice)).Distinct().Order().ToList())
        {
            var delta = new JsonObject();
            if (_held.Remove((index, TextField.Content), out var held))
            {
                delta["content"] = RestoreField(index, TextField.Content, held);
            }

            if (_held.Remove((index, TextField.Refusal), out var refused))
            {
                delta["refusal"] = RestoreField(index, TextField.Refusal, refused);
            }

            if (HoldsArgumentsOf(index))
            {
                delta["tool_calls"] = new JsonArray([.. ReleaseArgumentsOf(index).Select(a => (JsonNode)ArgumentsDelta(a.Call, a.Arguments))]);
            }

            choices.Add(new JsonObject { ["index"] = index, ["delta"] = delta, ["finish_reason"] = null });
        }

        var chunk = new JsonObject { ["id"] = _id, ["object"] = "chat.completion.chunk", ["created"] = _created, ["model"] = _model, ["choices"] = choices };
        return JsonSerializer.SerializeToUtf8Bytes(chunk);
    }

    /// <summary>The texts of a choice whose URLs are followed across deltas: its two text fields, and each tool call's arguments.</summary>
    internal enum Kind
    {
        Content,
        Refusal,
        Arguments,
    }

    /// <summary>The text fields of a delta whose tokens are restored.</summary>
    private enum TextField
    {
        Content,
        Refusal,
    }
}
