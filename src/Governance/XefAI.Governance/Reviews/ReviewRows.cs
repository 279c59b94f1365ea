using System.Data.Common;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace XefAI.Governance.Reviews;

/// <summary>What the SQLite and PostgreSQL review queues share: the row's columns, new items, decisions and answers.</summary>
internal static class ReviewRows
{
    /// <summary>The columns every query selects, in the order <see cref="Read"/> reads them.</summary>
    public const string Columns = "id, audit_id, trace_id, use_case, app, risk_tier, created_at, status, answer, reviewer, decided_at, comment, released_answer";

    public static ReviewItem NewItem(ReviewRequest request, TimeProvider time) => new(
        "rev_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
        request.AuditId,
        request.TraceId,
        request.UseCaseId,
        request.AppId,
        request.RiskTier,
        time.GetUtcNow(),
        ReviewStatus.Pending,
        request.Answer);

    /// <exception cref="ReviewDecisionException">The decision is not one a review can take.</exception>
    public static void ValidateDecision(ReviewDecision decision)
    {
        if (decision.Outcome == ReviewStatus.Pending)
        {
            throw new ReviewDecisionException("invalid_decision", "A decision must approve, edit or reject.");
        }

        if (decision.Outcome == ReviewStatus.Edited && string.IsNullOrWhiteSpace(decision.EditedContent))
        {
            throw new ReviewDecisionException("invalid_decision", "An edit needs the edited content.");
        }
    }

    /// <summary>The answer the decision releases: the held one, the held one with the reviewer's text, or none.</summary>
    public static string? Released(ReviewItem current, ReviewDecision decision) => decision.Outcome switch
    {
        ReviewStatus.Approved => current.Answer,
        ReviewStatus.Edited => WithContent(current.Answer, decision.EditedContent!),
        _ => null,
    };

    /// <summary>
    /// The held answer with the reviewer's text in place of the model's: a chat completion's first message, a Responses
    /// API response's assistant message, the <c>answer</c> of a clinical task's result, or the first card's
    /// <c>detail</c> of a CDS Hooks card set, as the protocol that held it rendered it.
    /// </summary>
    public static string WithContent(string answer, string content)
    {
        var completion = JsonNode.Parse(answer)!.AsObject();
        if (completion["choices"] is JsonArray { Count: > 0 } choices && choices[0]?["message"] is JsonObject message)
        {
            message["content"] = content;
        }
        else if (IsString(completion["object"], "response") && completion["output"] is JsonArray output)
        {
            // A Responses API caller's answer: the reviewer's text is the assistant message's one output_text part.
            WithResponseText(output, content);
        }
        else if (completion["answer"] is JsonValue text && text.GetValueKind() == System.Text.Json.JsonValueKind.String)
        {
            completion["answer"] = content;
        }
        else if (completion["cards"] is JsonArray { Count: > 0 } cards && cards[0] is JsonObject card)
        {
            // A CDS Hooks card set: the reviewer's text is the card's detail; the CDS endpoint that releases it writes
            // the card's summary from that text.
            card["detail"] = content;
        }

        return completion.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    /// <summary>
    /// The first message item's content becomes one <c>output_text</c> part holding <paramref name="content"/> (a refusal
    /// part of the model's goes with the rest of its text); a response of function calls only gets such a message first.
    /// </summary>
    private static void WithResponseText(JsonArray output, string content)
    {
        var parts = new JsonArray(new JsonObject
        {
            ["type"] = "output_text",
            ["text"] = content,
            ["annotations"] = new JsonArray(),
            ["logprobs"] = new JsonArray(),
        });
        if (output.OfType<JsonObject>().FirstOrDefault(item => IsString(item["type"], "message")) is { } message)
        {
            message["content"] = parts;
            return;
        }

        output.Insert(0, new JsonObject
        {
            ["id"] = "msg_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            ["type"] = "message",
            ["status"] = "completed",
            ["role"] = "assistant",
            ["content"] = parts,
        });
    }

    private static bool IsString(JsonNode? node, string expected) => node is JsonValue value && value.TryGetValue<string>(out var text) && text == expected;

    public static string ToText(ReviewStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>Reads a row selected with <see cref="Columns"/>; each store parses its times and statuses as it wrote them.</summary>
    public static ReviewItem Read(DbDataReader reader, Func<string, DateTimeOffset> parseTime, Func<string, ReviewStatus> parseStatus) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetString(4),
        reader.GetInt32(5),
        parseTime(reader.GetString(6)),
        parseStatus(reader.GetString(7)),
        reader.GetString(8),
        reader.IsDBNull(9) ? null : reader.GetString(9),
        reader.IsDBNull(10) ? null : parseTime(reader.GetString(10)),
        reader.IsDBNull(11) ? null : reader.GetString(11),
        reader.IsDBNull(12) ? null : reader.GetString(12));
}
