using System.Globalization;

namespace XefAI.Governance;

/// <summary>Writes a configured duration the way a person reads it: "1 minute", "24 hours", "90 seconds".</summary>
internal static class DurationText
{
    public static string Format(TimeSpan duration)
    {
        // "24 hours" reads better than "1 day" for a rolling window.
        if (duration.Ticks % TimeSpan.TicksPerDay == 0 && duration.Ticks >= 2 * TimeSpan.TicksPerDay)
        {
            return Unit(duration.Ticks / TimeSpan.TicksPerDay, "day");
        }

        if (duration.Ticks % TimeSpan.TicksPerHour == 0 && duration.Ticks != 0)
        {
            return Unit(duration.Ticks / TimeSpan.TicksPerHour, "hour");
        }

        if (duration.Ticks % TimeSpan.TicksPerMinute == 0 && duration.Ticks != 0)
        {
            return Unit(duration.Ticks / TimeSpan.TicksPerMinute, "minute");
        }

        if (duration.Ticks % TimeSpan.TicksPerSecond == 0)
        {
            return Unit(duration.Ticks / TimeSpan.TicksPerSecond, "second");
        }

        return string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0.###} ms");
    }

    private static string Unit(long count, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {unit}{(count == 1 ? string.Empty : "s")}");
}
