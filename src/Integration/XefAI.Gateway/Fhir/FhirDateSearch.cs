using System.Globalization;
using System.Text.RegularExpressions;

namespace XefAI.Gateway.Fhir;

/// <summary>
/// FHIR date search values (<c>ge2026-11</c>, <c>lt2026-11-22T12:00:00Z</c>): a value stands for the whole
/// period its precision names (a year, a month, a day, a minute, a second or a fraction of one), and the
/// prefix compares that period with the record's instant. Everything is checked before any arithmetic, so
/// no value, however extreme, can overflow into a server error.
/// </summary>
internal static partial class FhirDateSearch
{
    /// <summary>The outcome of parsing one value: a time range, or why the value is refused.</summary>
    public readonly record struct Result(DateTimeOffset? From, DateTimeOffset? To, string? Error, bool NotSupported = false);

    /// <summary>Narrows [<paramref name="from"/>, <paramref name="to"/>) by one value; several values all apply (AND).</summary>
    public static Result Apply(string? value, DateTimeOffset? from, DateTimeOffset? to)
    {
        if (string.IsNullOrEmpty(value))
        {
            return Refuse("date needs a value, e.g. ge2026-11-01.");
        }

        var prefix = value.Length >= 2 && char.IsAsciiLetterLower(value[0]) && char.IsAsciiLetterLower(value[1]) ? value[..2] : null;
        var text = prefix is null ? value : value[2..];
        if (prefix is "ne" or "ap")
        {
            return new Result(null, null, $"The date prefix '{prefix}' is not supported; use eq, lt, le, gt, ge, sa or eb.", NotSupported: true);
        }

        if (prefix is not (null or "eq" or "lt" or "le" or "gt" or "ge" or "sa" or "eb"))
        {
            return Refuse($"date '{value}' has an unknown prefix; use eq, lt, le, gt, ge, sa or eb.");
        }

        if (!TryParsePeriod(text, out var start, out var end, out var error))
        {
            return Refuse(error);
        }

        // The period's start and end are both instants; gt/sa exclude the whole period, lt/eb start before it.
        var (lower, upper) = prefix switch
        {
            null or "eq" => (start, end),
            "ge" => (start, (DateTimeOffset?)null),
            "gt" or "sa" => (end, null),
            "le" => (null, end),
            _ => ((DateTimeOffset?)null, (DateTimeOffset?)start),
        };

        return new Result(Max(from, lower), Min(to, upper), null);
    }

    /// <summary>
    /// A FHIR date or dateTime of any precision, as the UTC period [start, end) it names. The time zone is
    /// required when a time is given (as FHIR requires); a date alone is a UTC calendar period.
    /// </summary>
    public static bool TryParsePeriod(string text, out DateTimeOffset start, out DateTimeOffset end, out string error)
    {
        start = end = default;
        var match = DatePattern().Match(text);
        if (!match.Success)
        {
            error = $"'{text}' is not a FHIR date (2026, 2026-11, 2026-11-22) or date-time with a time zone (2026-11-22T12:00:00Z).";
            return false;
        }

        int Part(string name, int absent) => match.Groups[name].Success ? int.Parse(match.Groups[name].ValueSpan, CultureInfo.InvariantCulture) : absent;
        var year = Part("year", 0);
        var month = Part("month", 1);
        var day = Part("day", 1);
        var hour = Part("hour", 0);
        var minute = Part("minute", 0);
        var second = Part("second", 0);
        var fraction = match.Groups["fraction"].Value;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            error = $"'{text}' is not a calendar date or time of day.";
            return false;
        }

        var offset = TimeSpan.Zero;
        if (match.Groups["zone"].Value is { Length: > 1 } zone)
        {
            var zoneHours = int.Parse(zone.AsSpan(1, 2), CultureInfo.InvariantCulture);
            var zoneMinutes = int.Parse(zone.AsSpan(4, 2), CultureInfo.InvariantCulture);
            if (zoneHours > 14 || zoneMinutes > 59 || (zoneHours == 14 && zoneMinutes > 0))
            {
                error = $"'{text}' has a time zone offset beyond ±14:00.";
                return false;
            }

            offset = new TimeSpan(zoneHours, zoneMinutes, 0) * (zone[0] == '-' ? -1 : 1);
        }

        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified)
            .AddTicks(fraction.Length == 0 ? 0 : long.Parse(fraction.PadRight(7, '0'), CultureInfo.InvariantCulture));
        var length = match.Groups["day"].Success ? null : match.Groups["month"].Success ? "month" : "year";
        var unitTicks = fraction.Length > 0 ? (long)Math.Pow(10, 7 - fraction.Length)
            : match.Groups["second"].Success ? TimeSpan.TicksPerSecond
            : match.Groups["minute"].Success ? TimeSpan.TicksPerMinute
            : TimeSpan.TicksPerDay;

        // In UTC ticks, checked against the representable range before anything is built from them.
        var startTicks = local.Ticks - offset.Ticks;
        var endLocal = length switch
        {
            "year" => year == DateTime.MaxValue.Year ? (long?)null : local.AddYears(1).Ticks,
            "month" => year == DateTime.MaxValue.Year && month == 12 ? null : local.AddMonths(1).Ticks,
            _ => local.Ticks <= DateTime.MaxValue.Ticks - unitTicks ? local.Ticks + unitTicks : null,
        };
        var endTicks = endLocal - offset.Ticks;
        if (startTicks < DateTime.MinValue.Ticks)
        {
            error = $"'{text}' begins before the first instant the audit trail can search (0001-01-01T00:00:00Z).";
            return false;
        }

        if (endTicks is null || endTicks > DateTime.MaxValue.Ticks)
        {
            // A day, month or year stands for all of it: 9999-12-31 reaches into year 10000.
            error = $"'{text}' reaches past the last instant the audit trail can search (9999-12-31T23:59:59.9999999Z): a date stands for the whole of it, so search up to a time before that.";
            return false;
        }

        start = new DateTimeOffset(startTicks, TimeSpan.Zero);
        end = new DateTimeOffset(endTicks.Value, TimeSpan.Zero);
        error = string.Empty;
        return true;
    }

    private static Result Refuse(string message) => new(null, null, message);

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private static DateTimeOffset? Min(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

    // A time needs a zone, as in FHIR's dateTime; seconds may be left out in a search value; up to 7 fraction digits (ticks).
    [GeneratedRegex(
        @"^(?<year>\d{4})(-(?<month>\d{2})(-(?<day>\d{2})(T(?<hour>\d{2}):(?<minute>\d{2})(:(?<second>\d{2})(\.(?<fraction>\d{1,7}))?)?(?<zone>Z|[+-]\d{2}:\d{2}))?)?)?$",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex DatePattern();
}
