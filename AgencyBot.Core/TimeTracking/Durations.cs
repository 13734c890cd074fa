using System.Text.RegularExpressions;

namespace AgencyBot.Core.TimeTracking;

/// <summary>Durations as people type them: 1h30m, 45m, 2h, 1.5h, 90, 1:30.</summary>
public static partial class Durations
{
    public static TimeSpan? Parse(string text)
    {
        text = text.Trim().ToLowerInvariant();
        // The patterns allow at most five digits, so nothing here can overflow; the caller checks the range.
        if (HoursMinutes().Match(text) is { Success: true } hm && (hm.Groups["h"].Success || hm.Groups["m"].Success))
        {
            var hours = hm.Groups["h"].Success ? double.Parse(hm.Groups["h"].Value, CultureInfo.InvariantCulture) : 0;
            var minutes = hm.Groups["m"].Success ? int.Parse(hm.Groups["m"].Value, CultureInfo.InvariantCulture) : 0;
            return TimeSpan.FromMinutes(Math.Round(hours * 60) + minutes);
        }
        if (Clock().Match(text) is { Success: true } clock)
            return new TimeSpan(int.Parse(clock.Groups["h"].Value, CultureInfo.InvariantCulture), int.Parse(clock.Groups["m"].Value, CultureInfo.InvariantCulture), 0);
        if (text.Length <= 5 && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var plain)) return TimeSpan.FromMinutes(plain);
        return null;
    }

    public static string Format(long minutes) => $"{minutes / 60}:{minutes % 60:00}";

    [GeneratedRegex(@"^(?:(?<h>\d{1,5}(?:\.\d{1,3})?)h)?(?:(?<m>\d{1,5})m(?:in)?)?$")]
    private static partial Regex HoursMinutes();

    [GeneratedRegex(@"^(?<h>\d{1,2}):(?<m>[0-5]\d)$")]
    private static partial Regex Clock();
}
