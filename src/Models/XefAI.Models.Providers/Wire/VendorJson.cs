using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace XefAI.Models.Providers.Wire;

/// <summary>Reading and writing vendor JSON without letting the vendor's free text into exception messages.</summary>
internal static class VendorJson
{
    /// <summary>
    /// Vendor bodies and client chunks are JSON for machines, never HTML; escaping every non-ASCII character
    /// would inflate clinical text in other languages for nothing.
    /// </summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Strips a UTF-8 byte order mark and surrounding whitespace, which some proxies add.</summary>
    public static ReadOnlyMemory<byte> TrimBody(ReadOnlyMemory<byte> body)
    {
        if (body.Span.StartsWith("\uFEFF"u8))
        {
            body = body[3..];
        }

        var span = body.Span;
        var start = span.Length - span.TrimStart(" \t\r\n"u8).Length;
        var end = span.TrimEnd(" \t\r\n"u8).Length;
        return start >= end ? ReadOnlyMemory<byte>.Empty : body[start..end];
    }

    /// <summary>A vendor answer outside 2xx fails with its status and the vendor's error type and code, never its message.</summary>
    /// <exception cref="VendorResponseException">The status is not 2xx.</exception>
    public static void ThrowIfFailed(VendorHttpResponse response)
    {
        if (response.StatusCode is < 200 or > 299)
        {
            throw new VendorResponseException(
                $"The model vendor answered HTTP {response.StatusCode}{DescribeError(response.Body)}.",
                response.StatusCode);
        }
    }

    /// <summary>
    /// Names the error's type and code from an error body (<c>{"error": {...}}</c>, which both OpenAI and Anthropic
    /// use), or returns an empty string.
    /// </summary>
    public static string DescribeError(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(TrimBody(body));
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error)
                    ? DescribeError(error)
                    : string.Empty;
        }
        catch (JsonException)
        {
            // Not error JSON (an HTML page from a proxy, say): the status alone is all we report.
            return string.Empty;
        }
    }

    /// <summary>
    /// Names an error object's type and code when they look like identifiers. The error's message is never
    /// used: vendors echo the prompt in it, and the prompt may hold patient data.
    /// </summary>
    public static string DescribeError(JsonElement error)
    {
        if (error.ValueKind != JsonValueKind.Object)
        {
            return string.Empty;
        }

        var type = error.TryGetProperty("type", out var typeElement) ? SafeIdentifier(typeElement) : null;
        var code = error.TryGetProperty("code", out var codeElement) ? SafeIdentifier(codeElement) : null;
        var param = error.TryGetProperty("param", out var paramElement) ? SafeIdentifier(paramElement) : null;
        var parts = new List<string>(3);
        if (type is not null && !string.Equals(type, code, StringComparison.Ordinal))
        {
            parts.Add($"type: {type}");
        }

        if (code is not null)
        {
            parts.Add($"code: {code}");
        }

        if (param is not null)
        {
            parts.Add($"param: {param}");
        }

        return parts.Count == 0 ? string.Empty : $" ({string.Join(", ", parts)})";
    }

    public static string? GetString(JsonElement element, string propertyName) =>
        element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty(propertyName, out var value)
        && value.ValueKind == JsonValueKind.String
            ? ReadString(value)
            : null;

    /// <summary>
    /// The text of a JSON string. A vendor string escaped into an unpaired UTF-16 surrogate (<c>"\ud800"</c>) is valid
    /// JSON but not text: System.Text.Json throws <see cref="InvalidOperationException"/> for it, which escaped the
    /// vendor-error handling (a 500, or a stream cut without its error event or closing record). It fails the answer as
    /// unreadable instead.
    /// </summary>
    /// <exception cref="VendorResponseException">The string holds an unpaired surrogate escape.</exception>
    public static string ReadString(JsonElement value)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException ex) when (value.ValueKind == JsonValueKind.String)
        {
            throw new VendorResponseException(
                "The model vendor's answer holds a string that is not valid Unicode text (an unpaired UTF-16 surrogate escape).", ex);
        }
    }

    /// <summary>
    /// Refuses an answer any of whose strings (or member names) is an unpaired UTF-16 surrogate escape. Parts of an
    /// answer are relayed as the vendor wrote them (tool calls, their ids), and writing such a string out again throws
    /// after the answer was accepted: a 500 with no audit record. The walk runs only when the body holds a
    /// <c>\uD800</c>–<c>\uDFFF</c> escape at all, which ordinary answers do not.
    /// </summary>
    /// <exception cref="VendorResponseException">A string is not valid Unicode text.</exception>
    public static void EnsureText(ReadOnlySpan<byte> body, JsonElement root)
    {
        if (MayHoldSurrogateEscape(body))
        {
            EnsureText(root);
        }
    }

    private static bool MayHoldSurrogateEscape(ReadOnlySpan<byte> body)
    {
        for (var i = body.IndexOf("\\u"u8); i >= 0 && i + 3 < body.Length; i = NextEscape(body, i))
        {
            if (body[i + 2] is (byte)'d' or (byte)'D' && body[i + 3] is (>= (byte)'8' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f') or (>= (byte)'A' and <= (byte)'F'))
            {
                return true;
            }
        }

        return false;
    }

    private static int NextEscape(ReadOnlySpan<byte> body, int from)
    {
        var next = body[(from + 2)..].IndexOf("\\u"u8);
        return next < 0 ? -1 : from + 2 + next;
    }

    private static void EnsureText(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                ReadString(element);
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    EnsureText(item);
                }

                break;
            case JsonValueKind.Object:
                foreach (var member in element.EnumerateObject())
                {
                    // A member's name is unescaped the same way as a string value.
                    try
                    {
                        _ = member.Name;
                    }
                    catch (InvalidOperationException ex)
                    {
                        throw new VendorResponseException(
                            "The model vendor's answer holds a string that is not valid Unicode text (an unpaired UTF-16 surrogate escape).", ex);
                    }

                    EnsureText(member.Value);
                }

                break;
        }
    }

    private static bool IsText(JsonElement value)
    {
        try
        {
            _ = value.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>A token count: a non-negative integer, or null when absent or of another kind.</summary>
    public static int? GetCount(JsonElement element, string propertyName) =>
        element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty(propertyName, out var value)
        && value.ValueKind == JsonValueKind.Number
        && value.TryGetInt32(out var number)
        && number >= 0
            ? number
            : null;

    /// <summary>Token usage from a usage object, or null when it reports neither count.</summary>
    public static TokenUsage? ReadUsage(JsonElement usage, string inputName, string outputName)
    {
        var input = GetCount(usage, inputName);
        var output = GetCount(usage, outputName);
        return input is null && output is null ? null : new TokenUsage(input ?? 0, output ?? 0);
    }

    public static string? SafeIdentifier(JsonElement element) => element.ValueKind switch
    {
        // An identifier is never an unpaired surrogate: such a string names nothing, and must not throw while an error is described.
        JsonValueKind.String => IsText(element) ? SafeIdentifier(element.GetString()) : null,
        JsonValueKind.Number when element.TryGetInt64(out var number) => number.ToString(CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>Accepts short machine identifiers only, so free text can never reach a message.</summary>
    public static string? SafeIdentifier(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > 64)
        {
            return null;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '-' or '.'))
            {
                return null;
            }
        }

        return text;
    }
}
