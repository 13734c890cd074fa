using AgencyBot.Core.Agency;

namespace AgencyBot.Core.Tasks;

/// <summary>Dates as staff type them: 2026-12-15, 15.12.2026, 15.12, 15/12, today, tomorrow, +3 (working days).</summary>
public static class DueDates
{
    private static readonly string[] Full = ["yyyy-MM-dd", "d.M.yyyy", "d/M/yyyy"];
    private static readonly string[] DayMonth = ["d.M", "d/M"];

    public static DateOnly? Parse(string text, DateOnly today, WorkingDays workingDays)
    {
        text = text.Trim().ToLowerInvariant();
        if (text == "today") return today;
        if (text == "tomorrow") return today.AddDays(1);
        if (text.StartsWith('+') && int.TryParse(text[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days <= 1000)
            return workingDays.Add(today, days);
        if (DateOnly.TryParseExact(text, Full, CultureInfo.InvariantCulture, DateTimeStyles.None, out var full)) return full;
        if (DateOnly.TryParseExact(text, DayMonth, CultureInfo.InvariantCulture, DateTimeStyles.None, out var dayMonth))
        {
            // No year: the next such day from today.
            var date = new DateOnly(today.Year, dayMonth.Month, dayMonth.Day);
            return date < today ? date.AddYears(1) : date;
        }
        return null;
    }
}
