using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace XefAI.Governance;

/// <summary>
/// Computes a record's chain hash: SHA-256 over a canonical JSON form of the hash version, id, sequence,
/// every entry field in a fixed order and the previous hash. Not thread-safe; each user keeps its own instance.
/// </summary>
/// <remarks>
/// A form, once records were written with it, must never change, or those records stop verifying. A new
/// field gets a new form under a new version; each record stores the version it was hashed with, and the
/// old forms stay here so old records keep verifying. The version is written first, so no two forms can
/// produce the same bytes. Property order is written by hand; doubles use "R" and timestamps "O" in UTC
/// with the invariant culture; the default encoder escapes everything outside Basic Latin, so the bytes do
/// not depend on the runtime's Unicode tables.
/// <para>
/// Version 1 is the form before verbatim audit. Version 2 is version 1's form, with its own version number,
/// plus <c>user_id</c>, <c>input_text</c> and <c>output_text</c> (null written as null) between
/// <c>attempts</c> and <c>prev_hash</c>. Version 3 is version 2's form, with its own version number, plus
/// <c>de_identification</c> and <c>redactions</c> (null written as null) between <c>output_text</c> and
/// <c>prev_hash</c>. Version 4 is version 3's form, with its own version number, plus <c>relates_to</c> and
/// <c>feedback</c> (null written as null) between <c>redactions</c> and <c>prev_hash</c>. Version 5 is version 4's
/// form, with its own version number, plus <c>chain</c> (the writer's chain id) between <c>feedback</c> and
/// <c>prev_hash</c>; its <c>seq</c> is the record's position in that chain, not in the whole trail. Versions 1 to 4
/// are the forms of a store with one chain; version 5 is the form of a store with one chain per writer.
/// </para>
/// </remarks>
internal sealed class AuditChainHasher : IDisposable
{
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>The form new records of a store with one chain are hashed with.</summary>
    public const int CurrentVersion = 4;

    /// <summary>The form records of a store with one chain per writer are hashed with; it names the chain.</summary>
    public const int ChainedVersion = 5;

    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _json;

    public AuditChainHasher()
    {
        _json = new Utf8JsonWriter(_buffer);
    }

    public static bool IsKnownVersion(long version) => version is 1 or 2 or 3 or 4 or 5;

    /// <summary>
    /// The column of a field <paramref name="entry"/> holds that the form <paramref name="version"/> does not
    /// cover, or null when the form covers everything it holds. A record whose form cannot cover a value it
    /// holds was not written so: its hash would vouch for less than it shows.
    /// </summary>
    public static string? UncoveredField(long version, AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (version >= 4)
        {
            return null;
        }

        if (entry.RelatesTo is not null)
        {
            return "relates_to";
        }

        if (entry.Feedback is not null)
        {
            return "feedback";
        }

        if (version >= 3)
        {
            return null;
        }

        if (entry.DeIdentification is not null)
        {
            return "de_identification";
        }

        if (entry.Redactions is not null)
        {
            return "redactions";
        }

        if (version >= 2)
        {
            return null;
        }

        return entry.UserId is not null ? "user_id"
            : entry.InputText is not null ? "input_text"
            : entry.OutputText is not null ? "output_text"
            : null;
    }

    public static string FormatTimestamp(DateTimeOffset timestamp) =>
        timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTimestamp(string value) =>
        DateTimeOffset.ParseExact(value, "O", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public string ComputeHash(string id, long sequence, AuditEntry entry, string previousHash) =>
        ComputeHash(CurrentVersion, id, sequence, entry, previousHash);

    /// <param name="chain">The writer's chain, which version 5 and only version 5 names.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="version"/> is not a known form (<see cref="IsKnownVersion"/>).</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="entry"/> holds a field the form does not cover (<see cref="UncoveredField"/>), or
    /// <paramref name="chain"/> is given to a form without one or missing from the form with one.
    /// </exception>
    public string ComputeHash(int version, string id, long sequence, AuditEntry entry, string previousHash, string? chain = null)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (IsKnownVersion(version) && UncoveredField(version, entry) is { } field)
        {
            throw new ArgumentException($"Audit hash version {version} does not cover {field}, which the entry holds.", nameof(entry));
        }

        if ((version == ChainedVersion) != (chain is not null))
        {
            throw new ArgumentException($"Audit hash version {ChainedVersion}, and only it, names the record's chain.", nameof(chain));
        }

        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);

        switch (version)
        {
            case 1:
                WriteVersion1(id, sequence, entry, previousHash);
                break;
            case 2:
                WriteVersion2(id, sequence, entry, previousHash);
                break;
            case 3:
                WriteVersion3(id, sequence, entry, previousHash);
                break;
            case 4:
                WriteVersion4(id, sequence, entry, previousHash, chain: null);
                break;
            case 5:
                WriteVersion4(id, sequence, entry, previousHash, chain);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(version), version, "Unknown audit hash version.");
        }

        _json.Flush();
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(_buffer.WrittenSpan, hash);
        return Convert.ToHexStringLower(hash);
    }

    public void Dispose() => _json.Dispose();

    private static string FormatDouble(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private void WriteVersion1(string id, long sequence, AuditEntry entry, string previousHash)
    {
        _json.WriteStartObject();
        _json.WriteNumber("hash_version"u8, 1);
        WriteVersion1Fields(id, sequence, entry);
        _json.WriteString("prev_hash"u8, previousHash);
        _json.WriteEndObject();
    }

    private void WriteVersion2(string id, long sequence, AuditEntry entry, string previousHash)
    {
        _json.WriteStartObject();
        _json.WriteNumber("hash_version"u8, 2);
        WriteVersion1Fields(id, sequence, entry);
        _json.WriteString("user_id"u8, entry.UserId);
        _json.WriteString("input_text"u8, entry.InputText);
        _json.WriteString("output_text"u8, entry.OutputText);
        _json.WriteString("prev_hash"u8, previousHash);
        _json.WriteEndObject();
    }

    private void WriteVersion3(string id, long sequence, AuditEntry entry, string previousHash)
    {
        _json.WriteStartObject();
        _json.WriteNumber("hash_version"u8, 3);
        WriteVersion1Fields(id, sequence, entry);
        _json.WriteString("user_id"u8, entry.UserId);
        _json.WriteString("input_text"u8, entry.InputText);
        _json.WriteString("output_text"u8, entry.OutputText);
        _json.WriteString("de_identification"u8, entry.DeIdentification);
        _json.WriteString("redactions"u8, entry.Redactions);
        _json.WriteString("prev_hash"u8, previousHash);
        _json.WriteEndObject();
    }

    // Version 5 is version 4 plus the chain, so one writer serves both.
    private void WriteVersion4(string id, long sequence, AuditEntry entry, string previousHash, string? chain)
    {
        _json.WriteStartObject();
        _json.WriteNumber("hash_version"u8, chain is null ? 4 : ChainedVersion);
        WriteVersion1Fields(id, sequence, entry);
        _json.WriteString("user_id"u8, entry.UserId);
        _json.WriteString("input_text"u8, entry.InputText);
        _json.WriteString("output_text"u8, entry.OutputText);
        _json.WriteString("de_identification"u8, entry.DeIdentification);
        _json.WriteString("redactions"u8, entry.Redactions);
        _json.WriteString("relates_to"u8, entry.RelatesTo);
        _json.WriteString("feedback"u8, entry.Feedback);
        if (chain is not null)
        {
            _json.WriteString("chain"u8, chain);
        }

        _json.WriteString("prev_hash"u8, previousHash);
        _json.WriteEndObject();
    }

    // Versions 1 to 5 all write these, so they are frozen for all: id through attempts, in this order.
    private void WriteVersion1Fields(string id, long sequence, AuditEntry entry)
    {
        _json.WriteString("id"u8, id);
        _json.WriteNumber("seq"u8, sequence);
        WriteTimestamp("timestamp"u8, entry.Timestamp);
        _json.WriteString("trace_id"u8, entry.TraceId);
        _json.WriteString("app_id"u8, entry.AppId);
        _json.WriteString("patient_pseudonym"u8, entry.PatientPseudonym);
        _json.WriteString("use_case_id"u8, entry.UseCaseId);
        WriteNumber("risk_tier"u8, entry.RiskTier);
        _json.WriteString("decision"u8, entry.Decision);
        _json.WriteString("reasons"u8, entry.Reasons);
        _json.WriteNumber("status_code"u8, entry.StatusCode);
        _json.WriteString("provider"u8, entry.Provider);
        _json.WriteString("deployment"u8, entry.Deployment);
        _json.WriteString("model"u8, entry.Model);
        _json.WriteString("input_sha256"u8, entry.InputSha256);
        _json.WriteString("output_sha256"u8, entry.OutputSha256);
        WriteNumber("input_tokens"u8, entry.InputTokens);
        WriteNumber("output_tokens"u8, entry.OutputTokens);
        WriteDouble("latency_ms"u8, entry.LatencyMs);
        _json.WriteBoolean("streamed"u8, entry.Streamed);
        if (entry.CostUsd is { } cost)
        {
            WriteDouble("cost_usd"u8, cost);
        }
        else
        {
            _json.WriteNull("cost_usd"u8);
        }

        _json.WriteStartArray("attempts"u8);
        for (var i = 0; i < entry.Attempts.Count; i++)
        {
            var attempt = entry.Attempts[i];
            _json.WriteStartObject();
            _json.WriteString("deployment"u8, attempt.Deployment);
            _json.WriteString("destination"u8, attempt.Destination);
            _json.WriteString("outcome"u8, attempt.Outcome);
            WriteNumber("status_code"u8, attempt.StatusCode);
            WriteDouble("latency_ms"u8, attempt.LatencyMs);
            _json.WriteEndObject();
        }

        _json.WriteEndArray();
    }

    // The same characters as FormatTimestamp and FormatDouble, formatted on the stack: no string per field.
    private void WriteTimestamp(ReadOnlySpan<byte> name, DateTimeOffset timestamp)
    {
        Span<char> text = stackalloc char[64];
        if (timestamp.UtcDateTime.TryFormat(text, out var length, "O", CultureInfo.InvariantCulture))
        {
            _json.WriteString(name, text[..length]);
        }
        else
        {
            _json.WriteString(name, FormatTimestamp(timestamp));
        }
    }

    private void WriteDouble(ReadOnlySpan<byte> name, double value)
    {
        Span<char> text = stackalloc char[64];
        if (value.TryFormat(text, out var length, "R", CultureInfo.InvariantCulture))
        {
            _json.WriteString(name, text[..length]);
        }
        else
        {
            _json.WriteString(name, FormatDouble(value));
        }
    }

    private void WriteNumber(ReadOnlySpan<byte> name, int? value)
    {
        if (value is { } number)
        {
            _json.WriteNumber(name, number);
        }
        else
        {
            _json.WriteNull(name);
        }
    }
}
