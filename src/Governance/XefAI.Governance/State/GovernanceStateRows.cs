using System.Data.Common;
using System.Globalization;

namespace XefAI.Governance;

/// <summary>
/// The text forms and row mapping the SQLite and PostgreSQL governance state stores share, so both hold the
/// same values and a row reads back as it was written.
/// </summary>
internal static class GovernanceStateRows
{
    /// <summary>"O" in UTC: fixed width, so the strings sort as the instants they name.</summary>
    public static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTime(string value) =>
        DateTimeOffset.ParseExact(value, "O", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public static string FormatStatus(UseCaseStatus status) => status.ToString().ToLowerInvariant();

    public static string FormatAction(UseCaseAction action) => action.ToString().ToLowerInvariant();

    public static string FormatSeverity(IncidentSeverity severity) => severity.ToString().ToLowerInvariant();

    public static UseCaseStatusChange ReadUseCaseChange(DbDataReader reader) =>
        new(
            reader.GetString(1),
            reader.GetString(2),
            Parse<UseCaseAction>(reader, 3),
            Parse<UseCaseStatus>(reader, 4),
            Parse<UseCaseStatus>(reader, 5),
            reader.GetString(6),
            reader.GetString(7),
            ParseTime(reader.GetString(9)),
            reader.IsDBNull(8) ? null : reader.GetString(8))
        {
            Sequence = reader.GetInt64(0),
            RiskTier = reader.IsDBNull(10) ? null : ParseTier(reader, 10),
        };

    public static Incident ReadIncident(DbDataReader reader) =>
        new(
            reader.GetString(1),
            reader.IsDBNull(2) ? null : reader.GetString(2),
            reader.GetString(3),
            reader.GetString(4),
            reader.GetString(5),
            Parse<IncidentSeverity>(reader, 6),
            ParseTime(reader.GetString(7)))
        {
            Sequence = reader.GetInt64(0),
        };

    private static RiskTier ParseTier(DbDataReader reader, int ordinal)
    {
        var value = Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture);
        return value is >= 1 and <= 4
            ? (RiskTier)value
            : throw new FormatException($"The {reader.GetName(ordinal)} column holds {value}; only risk tiers 1 to 4 are written.");
    }

    // Names only, in the lower case the store writes: a number or a flag combination was not written by the store.
    private static T Parse<T>(DbDataReader reader, int ordinal)
        where T : struct, Enum
    {
        var text = reader.GetString(ordinal);
        foreach (var value in Enum.GetValues<T>())
        {
            if (string.Equals(value.ToString().ToLowerInvariant(), text, StringComparison.Ordinal))
            {
                return value;
            }
        }

        throw new FormatException($"The {reader.GetName(ordinal)} column holds '{text}', which is not a {typeof(T).Name} the store writes.");
    }
}
