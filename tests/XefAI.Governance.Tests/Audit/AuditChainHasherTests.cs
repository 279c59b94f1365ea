using System.Security.Cryptography;
using System.Text;

namespace XefAI.Governance.Tests;

public sealed class AuditChainHasherTests
{
    private static readonly AuditAttempt Fallback = new("gpt-eu-1", "openai/primary", "vendor_timeout", null, 30000.5);
    private static readonly AuditAttempt Answered = new("gpt-eu-2", null, "answered", 200, 812.25);
    private static readonly string A64 = new('a', 64);
    private static readonly string B64 = new('b', 64);

    [Fact]
    public void ComputeHash_SameInput_GivesSameHashEveryTime()
    {
        using var first = new AuditChainHasher();
        using var second = new AuditChainHasher();
        var entry = AuditEntries.Create(1);

        var hash = first.ComputeHash("aud_1", 1, entry, AuditChainHasher.GenesisHash);

        Assert.Equal(hash, first.ComputeHash("aud_1", 1, entry, AuditChainHasher.GenesisHash));
        Assert.Equal(hash, second.ComputeHash("aud_1", 1, entry with { Timestamp = entry.Timestamp.ToOffset(TimeSpan.FromHours(2)) }, AuditChainHasher.GenesisHash));
    }

    [Fact]
    public void ComputeHash_AnyFieldChanged_ChangesTheHash()
    {
        using var hasher = new AuditChainHasher();
        var entry = AuditEntries.Create(1) with { Streamed = true, CostUsd = 0.0125, Attempts = [Answered, Fallback] };
        var original = hasher.ComputeHash("aud_1", 1, entry, AuditChainHasher.GenesisHash);

        string[] variants =
        [
            hasher.ComputeHash("aud_2", 1, entry, AuditChainHasher.GenesisHash),
            hasher.ComputeHash("aud_1", 2, entry, AuditChainHasher.GenesisHash),
            hasher.ComputeHash("aud_1", 1, entry, new string('1', 64)),
            hasher.ComputeHash("aud_1", 1, entry with { Timestamp = entry.Timestamp.AddTicks(1) }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash("aud_1", 1, entry with { AppId = null }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash("aud_1", 1, entry with { AppId = "" }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash("aud_1", 1, entry with { RiskTier = null }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash("aud_1", 1, entry with { StatusCode = 503 }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash("aud_1", 1, entry with { OutputTokens = 0 }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash("aud_1", 1, entry with { LatencyMs = BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(entry.LatencyMs) + 1) }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash("aud_1", 1, entry with { Streamed = false }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash("aud_1", 1, entry with { CostUsd = null }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash("aud_1", 1, entry with { CostUsd = 0 }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash("aud_1", 1, entry with { Attempts = [] }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash("aud_1", 1, entry with { Attempts = [Fallback, Answered] }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash("aud_1", 1, entry with { Attempts = [Fallback with { Deployment = "gpt-eu-3" }, Answered] }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash("aud_1", 1, entry with { Attempts = [Fallback with { Destination = null }, Answered] }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash("aud_1", 1, entry with { Attempts = [Fallback with { Outcome = "vendor_error" }, Answered] }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash("aud_1", 1, entry with { Attempts = [Fallback with { StatusCode = 504 }, Answered] }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash("aud_1", 1, entry with { Attempts = [Fallback with { LatencyMs = 30000.25 }, Answered] }, AuditChainHasher.GenesisHash),
        ];

        Assert.DoesNotContain(original, variants);
        Assert.Equal(variants.Length, variants.Distinct().Count());
    }

    [Fact]
    public void ComputeHash_Version1_HashesTheDocumentedCanonicalForm()
    {
        using var hasher = new AuditChainHasher();

        var hash = hasher.ComputeHash(1, "aud_1", 1, AuditEntries.Create(1) with { Streamed = true, CostUsd = 0.0125, Attempts = [Answered, Fallback] }, AuditChainHasher.GenesisHash);

        // Pinned by hand: a change here breaks every version-1 record already written. Add a version instead.
        var canonical =
            "{\"hash_version\":1,\"id\":\"aud_1\",\"seq\":1,\"timestamp\":\"2025-03-14T09:26:54.5890000Z\",\"trace_id\":\"trace-0001\"," +
            "\"app_id\":\"epic-addon\",\"patient_pseudonym\":\"pt_a1\",\"use_case_id\":\"discharge-summary\",\"risk_tier\":3," +
            "\"decision\":\"answered\",\"reasons\":null,\"status_code\":200,\"provider\":\"openai\",\"deployment\":\"gpt-eu-1\"," +
            "\"model\":\"gpt-4.1\",\"input_sha256\":\"" + A64 + "\",\"output_sha256\":\"" + B64 + "\",\"input_tokens\":101," +
            "\"output_tokens\":51,\"latency_ms\":\"1235.5\",\"streamed\":true,\"cost_usd\":\"0.0125\",\"attempts\":[" +
            "{\"deployment\":\"gpt-eu-2\",\"destination\":null,\"outcome\":\"answered\",\"status_code\":200,\"latency_ms\":\"812.25\"}," +
            "{\"deployment\":\"gpt-eu-1\",\"destination\":\"openai/primary\",\"outcome\":\"vendor_timeout\",\"status_code\":null,\"latency_ms\":\"30000.5\"}]," +
            "\"prev_hash\":\"" + AuditChainHasher.GenesisHash + "\"}";
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))), hash);
    }

    [Fact]
    public void ComputeHash_Version2_HashesTheDocumentedCanonicalForm()
    {
        using var hasher = new AuditChainHasher();
        var entry = AuditEntries.Create(1) with
        {
            Streamed = true,
            CostUsd = 0.0125,
            Attempts = [Answered, Fallback],
            UserId = null,
            InputText = "Summarise for <pt_a1>:\n\"BP 120/80\"",
            OutputText = "Résumé: stable 👍",
        };

        var hash = hasher.ComputeHash(2, "aud_1", 1, entry, AuditChainHasher.GenesisHash);

        // Pinned by hand: version 1's fields under version number 2, then user, input and output before
        // prev_hash. Everything outside Basic Latin, and HTML-sensitive characters, are escaped.
        var canonical =
            "{\"hash_version\":2,\"id\":\"aud_1\",\"seq\":1,\"timestamp\":\"2025-03-14T09:26:54.5890000Z\",\"trace_id\":\"trace-0001\"," +
            "\"app_id\":\"epic-addon\",\"patient_pseudonym\":\"pt_a1\",\"use_case_id\":\"discharge-summary\",\"risk_tier\":3," +
            "\"decision\":\"answered\",\"reasons\":null,\"status_code\":200,\"provider\":\"openai\",\"deployment\":\"gpt-eu-1\"," +
            "\"model\":\"gpt-4.1\",\"input_sha256\":\"" + A64 + "\",\"output_sha256\":\"" + B64 + "\",\"input_tokens\":101," +
            "\"output_tokens\":51,\"latency_ms\":\"1235.5\",\"streamed\":true,\"cost_usd\":\"0.0125\",\"attempts\":[" +
            "{\"deployment\":\"gpt-eu-2\",\"destination\":null,\"outcome\":\"answered\",\"status_code\":200,\"latency_ms\":\"812.25\"}," +
            "{\"deployment\":\"gpt-eu-1\",\"destination\":\"openai/primary\",\"outcome\":\"vendor_timeout\",\"status_code\":null,\"latency_ms\":\"30000.5\"}]," +
            "\"user_id\":null," +
            "\"input_text\":\"Summarise for \\u003Cpt_a1\\u003E:\\n\\u0022BP 120/80\\u0022\"," +
            "\"output_text\":\"R\\u00E9sum\\u00E9: stable \\uD83D\\uDC4D\"," +
            "\"prev_hash\":\"" + AuditChainHasher.GenesisHash + "\"}";
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))), hash);
    }

    [Fact]
    public void ComputeHash_Version3_HashesTheDocumentedCanonicalForm()
    {
        using var hasher = new AuditChainHasher();
        var entry = AuditEntries.Create(1) with
        {
            Attempts = [Answered],
            UserId = "u-0042",
            InputText = "[NAME_1] has asthma.",
            OutputText = null,
            DeIdentification = DeIdentificationOutcomes.Applied,
            Redactions = "date=2,name=3",
        };

        var hash = hasher.ComputeHash(3, "aud_1", 1, entry, AuditChainHasher.GenesisHash);

        // Pinned by hand: version 2's fields under version number 3, then de-identification and redactions before prev_hash.
        var canonical =
            "{\"hash_version\":3,\"id\":\"aud_1\",\"seq\":1,\"timestamp\":\"2025-03-14T09:26:54.5890000Z\",\"trace_id\":\"trace-0001\"," +
            "\"app_id\":\"epic-addon\",\"patient_pseudonym\":\"pt_a1\",\"use_case_id\":\"discharge-summary\",\"risk_tier\":3," +
            "\"decision\":\"answered\",\"reasons\":null,\"status_code\":200,\"provider\":\"openai\",\"deployment\":\"gpt-eu-1\"," +
            "\"model\":\"gpt-4.1\",\"input_sha256\":\"" + A64 + "\",\"output_sha256\":\"" + B64 + "\",\"input_tokens\":101," +
            "\"output_tokens\":51,\"latency_ms\":\"1235.5\",\"streamed\":false,\"cost_usd\":null,\"attempts\":[" +
            "{\"deployment\":\"gpt-eu-2\",\"destination\":null,\"outcome\":\"answered\",\"status_code\":200,\"latency_ms\":\"812.25\"}]," +
            "\"user_id\":\"u-0042\"," +
            "\"input_text\":\"[NAME_1] has asthma.\"," +
            "\"output_text\":null," +
            "\"de_identification\":\"applied\"," +
            "\"redactions\":\"date=2,name=3\"," +
            "\"prev_hash\":\"" + AuditChainHasher.GenesisHash + "\"}";
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))), hash);
        Assert.True(AuditChainHasher.IsKnownVersion(3));
    }

    [Fact]
    public void ComputeHash_Version4_HashesTheDocumentedCanonicalForm()
    {
        using var hasher = new AuditChainHasher();
        var entry = AuditEntries.Create(1) with
        {
            Attempts = [Answered],
            Decision = "feedback",
            DeIdentification = DeIdentificationOutcomes.Applied,
            Redactions = "",
            RelatesTo = "aud_card",
            Feedback = "overridden:too-late",
        };

        var hash = hasher.ComputeHash(4, "aud_1", 1, entry, AuditChainHasher.GenesisHash);

        // Pinned by hand: version 3's fields under version number 4, then relates_to and feedback before prev_hash.
        var canonical =
            "{\"hash_version\":4,\"id\":\"aud_1\",\"seq\":1,\"timestamp\":\"2025-03-14T09:26:54.5890000Z\",\"trace_id\":\"trace-0001\"," +
            "\"app_id\":\"epic-addon\",\"patient_pseudonym\":\"pt_a1\",\"use_case_id\":\"discharge-summary\",\"risk_tier\":3," +
            "\"decision\":\"feedback\",\"reasons\":null,\"status_code\":200,\"provider\":\"openai\",\"deployment\":\"gpt-eu-1\"," +
            "\"model\":\"gpt-4.1\",\"input_sha256\":\"" + A64 + "\",\"output_sha256\":\"" + B64 + "\",\"input_tokens\":101," +
            "\"output_tokens\":51,\"latency_ms\":\"1235.5\",\"streamed\":false,\"cost_usd\":null,\"attempts\":[" +
            "{\"deployment\":\"gpt-eu-2\",\"destination\":null,\"outcome\":\"answered\",\"status_code\":200,\"latency_ms\":\"812.25\"}]," +
            "\"user_id\":null," +
            "\"input_text\":null," +
            "\"output_text\":null," +
            "\"de_identification\":\"applied\"," +
            "\"redactions\":\"\"," +
            "\"relates_to\":\"aud_card\"," +
            "\"feedback\":\"overridden:too-late\"," +
            "\"prev_hash\":\"" + AuditChainHasher.GenesisHash + "\"}";
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))), hash);
        Assert.Equal(4, AuditChainHasher.CurrentVersion);
        Assert.Equal(hash, hasher.ComputeHash("aud_1", 1, entry, AuditChainHasher.GenesisHash));
    }

    [Fact]
    public void ComputeHash_Version4_RelatesToAndFeedbackChangeTheHash()
    {
        using var hasher = new AuditChainHasher();
        var entry = AuditEntries.Create(1) with { RelatesTo = "aud_card", Feedback = AuditFeedback.Accepted };
        var original = hasher.ComputeHash(4, "aud_1", 1, entry, AuditChainHasher.GenesisHash);

        string[] variants =
        [
            hasher.ComputeHash(4, "aud_1", 1, entry with { RelatesTo = null }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash(4, "aud_1", 1, entry with { RelatesTo = "aud_other" }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash(4, "aud_1", 1, entry with { Feedback = null }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash(4, "aud_1", 1, entry with { Feedback = AuditFeedback.Overridden }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash(4, "aud_1", 1, entry with { Feedback = "overridden:x" }, AuditChainHasher.GenesisHash),
        ];

        Assert.DoesNotContain(original, variants);
        Assert.Equal(variants.Length, variants.Distinct().Count());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ComputeHash_OlderVersionEntryHoldingAFieldOfVersion4_Throws(int version)
    {
        using var hasher = new AuditChainHasher();
        var related = AuditEntries.Create(1) with { RelatesTo = "aud_card" };
        var judged = AuditEntries.Create(1) with { Feedback = AuditFeedback.Accepted };

        Assert.Equal("relates_to", AuditChainHasher.UncoveredField(version, related));
        Assert.Equal("feedback", AuditChainHasher.UncoveredField(version, judged));
        Assert.Null(AuditChainHasher.UncoveredField(4, related with { Feedback = AuditFeedback.Accepted }));
        var error = Assert.Throws<ArgumentException>(() => hasher.ComputeHash(version, "aud_1", 1, judged, AuditChainHasher.GenesisHash));
        Assert.Contains($"version {version} does not cover feedback", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, null, "accepted")]
    [InlineData(true, "ignored", "accepted")]
    [InlineData(false, null, "overridden")]
    [InlineData(false, "", "overridden")]
    [InlineData(false, "too-late", "overridden:too-late")]
    [InlineData(false, "has a space", "overridden:other")]
    public void AuditFeedback_Format_IsCanonicalAndBounded(bool accepted, string? code, string expected)
    {
        var text = AuditFeedback.Format(accepted, code);

        Assert.Equal(expected, text);
        Assert.True(AuditFeedback.IsCanonical(text));
    }

    [Fact]
    public void ComputeHash_Version3_DeIdentificationAndRedactionsChangeTheHash()
    {
        using var hasher = new AuditChainHasher();
        var entry = AuditEntries.Create(1) with { DeIdentification = DeIdentificationOutcomes.Applied, Redactions = "name=1" };
        var original = hasher.ComputeHash(3, "aud_1", 1, entry, AuditChainHasher.GenesisHash);

        string[] variants =
        [
            hasher.ComputeHash(3, "aud_1", 1, entry with { DeIdentification = null }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash(3, "aud_1", 1, entry with { DeIdentification = DeIdentificationOutcomes.OptedOut }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash(3, "aud_1", 1, entry with { DeIdentification = DeIdentificationOutcomes.NotRequired }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash(3, "aud_1", 1, entry with { Redactions = null }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash(3, "aud_1", 1, entry with { Redactions = "" }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash(3, "aud_1", 1, entry with { Redactions = "name=2" }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash(3, "aud_1", 1, entry with { Redactions = "date=1" }, AuditChainHasher.GenesisHash),
        ];

        Assert.DoesNotContain(original, variants);
        Assert.Equal(variants.Length, variants.Distinct().Count());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ComputeHash_OlderVersionEntryHoldingAFieldOfVersion3_Throws(int version)
    {
        using var hasher = new AuditChainHasher();
        var deIdentified = AuditEntries.Create(1) with { DeIdentification = DeIdentificationOutcomes.NotRequired };
        var redacted = AuditEntries.Create(1) with { Redactions = "" };

        Assert.Equal("de_identification", AuditChainHasher.UncoveredField(version, deIdentified));
        Assert.Equal("redactions", AuditChainHasher.UncoveredField(version, redacted));
        Assert.Null(AuditChainHasher.UncoveredField(3, deIdentified with { Redactions = "name=1" }));
        var error = Assert.Throws<ArgumentException>(() => hasher.ComputeHash(version, "aud_1", 1, redacted, AuditChainHasher.GenesisHash));
        Assert.Contains($"version {version} does not cover redactions", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ComputeHash_Version2_UserAndTextsChangeTheHash()
    {
        using var hasher = new AuditChainHasher();
        var entry = AuditEntries.Create(1) with { UserId = "u-0042", InputText = "input", OutputText = "output" };
        var original = hasher.ComputeHash(2, "aud_1", 1, entry, AuditChainHasher.GenesisHash);

        string[] variants =
        [
            hasher.ComputeHash(2, "aud_1", 1, entry with { UserId = null }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash(2, "aud_1", 1, entry with { UserId = "" }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash(2, "aud_1", 1, entry with { InputText = null }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash(2, "aud_1", 1, entry with { InputText = "" }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash(2, "aud_1", 1, entry with { InputText = "input " }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash(2, "aud_1", 1, entry with { OutputText = null }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash(2, "aud_1", 1, entry with { OutputText = "" }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash(2, "aud_1", 1, entry with { OutputText = "Output" }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash(2, "aud_1", 1, entry with { InputText = "output", OutputText = "input" }, AuditChainHasher.GenesisHash),
            hasher.ComputeHash(2, "aud_1", 1, entry with { UserId = null, InputText = null, OutputText = null }, AuditChainHasher.GenesisHash),
        ];

        Assert.DoesNotContain(original, variants);
        Assert.Equal(variants.Length, variants.Distinct().Count());
    }

    [Fact]
    public void ComputeHash_EntryWithoutUserOrTexts_DiffersBetweenVersions()
    {
        using var hasher = new AuditChainHasher();
        var entry = AuditEntries.Create(1);

        // The version is hashed first, so a record cannot be passed off as written in another form.
        string[] hashes =
        [
            hasher.ComputeHash(1, "aud_1", 1, entry, AuditChainHasher.GenesisHash),
            hasher.ComputeHash(2, "aud_1", 1, entry, AuditChainHasher.GenesisHash),
            hasher.ComputeHash(3, "aud_1", 1, entry, AuditChainHasher.GenesisHash),
        ];
        Assert.Equal(3, hashes.Distinct().Count());
    }

    [Theory]
    [InlineData("user_id")]
    [InlineData("input_text")]
    [InlineData("output_text")]
    public void ComputeHash_Version1EntryHoldingAFieldOfVersion2_Throws(string column)
    {
        using var hasher = new AuditChainHasher();
        var entry = column switch
        {
            "user_id" => AuditEntries.Create(1) with { UserId = "" },
            "input_text" => AuditEntries.Create(1) with { InputText = "input" },
            _ => AuditEntries.Create(1) with { OutputText = "output" },
        };

        Assert.Equal(column, AuditChainHasher.UncoveredField(1, entry));
        Assert.Null(AuditChainHasher.UncoveredField(2, entry));
        var error = Assert.Throws<ArgumentException>(() => hasher.ComputeHash(1, "aud_1", 1, entry, AuditChainHasher.GenesisHash));
        Assert.Contains($"version 1 does not cover {column}", error.Message, StringComparison.Ordinal);
        Assert.Null(AuditChainHasher.UncoveredField(1, AuditEntries.Create(1)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    [InlineData(-1)]
    public void ComputeHash_UnknownVersion_Throws(int version)
    {
        using var hasher = new AuditChainHasher();

        Assert.False(AuditChainHasher.IsKnownVersion(version));
        Assert.Throws<ArgumentOutOfRangeException>(() => hasher.ComputeHash(version, "aud_1", 1, AuditEntries.Create(1), AuditChainHasher.GenesisHash));
    }

    [Theory]
    [InlineData(0.0, "2025-03-14T09:26:54.589+00:00")]
    [InlineData(-0.0, "2025-03-14T11:26:54.5891234+02:00")]
    [InlineData(1e-7, "0001-01-01T00:00:00+00:00")]
    [InlineData(0.30000000000000004, "9999-12-31T23:59:59.9999999+00:00")]
    [InlineData(123456789012345.67, "2025-03-14T04:26:54.5-05:00")]
    [InlineData(double.MaxValue, "2025-03-14T09:26:54+00:00")]
    [InlineData(double.Epsilon, "2025-03-14T09:26:54.0000001+14:00")]
    public void ComputeHash_AnyLatencyCostAndTimestamp_HashedAsTheirInvariantStrings(double value, string timestamp)
    {
        using var hasher = new AuditChainHasher();
        var at = DateTimeOffset.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture);
        var entry = AuditEntries.Create(1) with
        {
            Timestamp = at,
            LatencyMs = value,
            CostUsd = value,
            Attempts = [Answered with { LatencyMs = value }],
        };

        var hash = hasher.ComputeHash(2, "aud_1", 1, entry, AuditChainHasher.GenesisHash);

        // The strings FormatTimestamp and FormatDouble give, wherever the canonical form holds a time or a double.
        var time = AuditChainHasher.FormatTimestamp(at);
        // The default encoder escapes the exponent's '+', as it escapes everything HTML-sensitive.
        var number = value.ToString("R", System.Globalization.CultureInfo.InvariantCulture).Replace("+", "\\u002B", StringComparison.Ordinal);
        var canonical =
            "{\"hash_version\":2,\"id\":\"aud_1\",\"seq\":1,\"timestamp\":\"" + time + "\",\"trace_id\":\"trace-0001\"," +
            "\"app_id\":\"epic-addon\",\"patient_pseudonym\":\"pt_a1\",\"use_case_id\":\"discharge-summary\",\"risk_tier\":3," +
            "\"decision\":\"answered\",\"reasons\":null,\"status_code\":200,\"provider\":\"openai\",\"deployment\":\"gpt-eu-1\"," +
            "\"model\":\"gpt-4.1\",\"input_sha256\":\"" + A64 + "\",\"output_sha256\":\"" + B64 + "\",\"input_tokens\":101," +
            "\"output_tokens\":51,\"latency_ms\":\"" + number + "\",\"streamed\":false,\"cost_usd\":\"" + number + "\",\"attempts\":[" +
            "{\"deployment\":\"gpt-eu-2\",\"destination\":null,\"outcome\":\"answered\",\"status_code\":200,\"latency_ms\":\"" + number + "\"}]," +
            "\"user_id\":null,\"input_text\":null,\"output_text\":null," +
            "\"prev_hash\":\"" + AuditChainHasher.GenesisHash + "\"}";
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))), hash);
    }

    [Fact]
    public void ComputeHash_RepeatedRecords_AllocatesOnlyTheHash()
    {
        using var hasher = new AuditChainHasher();
        var entry = AuditEntries.Create(1) with { CostUsd = 0.0125, Attempts = [Answered, Fallback] };
        hasher.ComputeHash(2, "aud_1", 1, entry, AuditChainHasher.GenesisHash);

        var before = GC.GetAllocatedBytesForCurrentThread();
        hasher.ComputeHash(2, "aud_2", 2, entry, AuditChainHasher.GenesisHash);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // The hex string of the hash (64 characters) is all a record should cost; every time and double field
        // formatted as a string of its own cost as much again.
        Assert.True(allocated <= 200, $"{allocated} bytes allocated to hash one record");
    }

    [Fact]
    public void ComputeHash_Version5_NamesTheChainAndOnlyIt()
    {
        using var hasher = new AuditChainHasher();
        var entry = AuditEntries.Create(1);

        var inA = hasher.ComputeHash(AuditChainHasher.ChainedVersion, "aud_1", 1, entry, AuditChainHasher.GenesisHash, "pod-a-20261206T000000Z-0000000000000001");
        var inB = hasher.ComputeHash(AuditChainHasher.ChainedVersion, "aud_1", 1, entry, AuditChainHasher.GenesisHash, "pod-b-20261206T000000Z-0000000000000001");

        // The same record in another chain is another record: it cannot be moved between chains unnoticed.
        Assert.NotEqual(inA, inB);
        Assert.NotEqual(inA, hasher.ComputeHash(4, "aud_1", 1, entry, AuditChainHasher.GenesisHash));
        Assert.Throws<ArgumentException>(() => hasher.ComputeHash(AuditChainHasher.ChainedVersion, "aud_1", 1, entry, AuditChainHasher.GenesisHash));
        Assert.Throws<ArgumentException>(() => hasher.ComputeHash(4, "aud_1", 1, entry, AuditChainHasher.GenesisHash, "pod-a"));
    }
}
