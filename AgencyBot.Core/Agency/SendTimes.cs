namespace AgencyBot.Core.Agency;

/// <summary>
/// When a scheduled answer goes, as staff type it after /later, in the agency's time zone: <c>+2h</c>, <c>+30m</c>,
/// <c>+1d</c>; <c>09:00</c> (today, or tomorrow once it has passed); <c>tomorrow 09:00</c>, <c>mon 09:00</c> (the next
/// Monday; English or French day names); <c>2026-12-15 10:00</c>, <c>15.12 10:00</c>; <c>opening</c> (when the team is
/// next at work). Returns the moment and how many words it took, or null.
/// </summary>
public static class SendTimes
{
    public static readonly TimeSpan Furthest = TimeSpan.FromDays(30);

    private static readonly string[] Times = ["H:mm", "HH:mm", "H\\hmm", "H\\h"];
    private static readonly string[] Dates = ["yyyy-MM-dd", "d.M.yyyy", "d/M/yyyy"];
    private static readonly string[] DayMonths = ["d.M", "d/M"];

    private static readonly Dictionary<string, DayOfWeek> Days = new(StringComparer.OrdinalIgnoreCase)
    {
        ["mon"] = DayOfWeek.Monday, ["monday"] = DayOfWeek.Monday, ["lun"] = DayOfWeek.Monday, ["lundi"] = DayOfWeek.Monday,
        ["tue"] = DayOfWeek.Tuesday, ["tuesday"] = DayOfWeek.Tuesday, ["mar"] = DayOfWeek.Tuesday, ["mardi"] = DayOfWeek.Tuesday,
        ["wed"] = DayOfWeek.Wednesday, ["wednesday"] = DayOfWeek.Wednesday, ["mer"] = DayOfWeek.Wednesday, ["mercredi"] = DayOfWeek.Wednesday,
        ["thu"] = DayOfWeek.Thursday, ["thursday"] = DayOfWeek.Thursday, ["jeu"] = DayOfWeek.Thursday, ["jeudi"] = DayOfWeek.Thursday,
        ["fri"] = DayOfWeek.Friday, ["friday"] = DayOfWeek.Friday, ["ven"] = DayOfWeek.Friday, ["vendredi"] = DayOfWeek.Friday,
        ["sat"] = DayOfWeek.Saturday, ["saturday"] = DayOfWeek.Saturday, ["sam"] = DayOfWeek.Saturday, ["samedi"] = DayOfWeek.Saturday,
        ["sun"] = DayOfWeek.Sunday, ["sunday"] = DayOfWeek.Sunday, ["dim"] = DayOfWeek.Sunday, ["dimanche"] = DayOfWeek.Sunday,
    };

    public static (DateTimeOffset At, int Words)? Parse(string text, DateTimeOffset now, BusinessCalendar calendar)
    {
        var words = text.Split([' ', '\n'], 3, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) return null;
        var today = DateOnly.FromDateTime(calendar.ToLocal(now).DateTime);
        if (words[0].Equals("opening", StringComparison.OrdinalIgnoreCase) || words[0].Equals("ouverture", StringComparison.OrdinalIgnoreCase))
            return (calendar.NextOpening(now), 1);
        if (words[0].StartsWith('+') && Offset(words[0][1..]) is { } offset) return (now + offset, 1);
        if (Time(words[0]) is { } time)
        {
            var at = calendar.Instant(today, time);
            return (at > now ? at : calendar.Instant(today.AddDays(1), time), 1);
        }
        if (words.Length >= 2 && Day(words[0], today) is { } day && Time(words[1]) is { } dayTime) return (calendar.Instant(day, dayTime), 2);
        return null;
    }

    private static TimeSpan? Offset(string text)
    {
        var unit = text.TrimStart("0123456789".ToCharArray());
        if (!int.TryParse(text[..^unit.Length], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0) return null;
        return unit.ToLowerInvariant() switch
        {
            "m" or "min" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            "d" or "j" => TimeSpan.FromDays(n),
            _ => null,
        };
    }

    private static TimeOnly? Time(string text) =>
        TimeOnly.TryParseExact(text, Times, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time) ? time : null;

    private static DateOnly? Day(string text, DateOnly today)
    {
        if (text.Equals("today", StringComparison.OrdinalIgnoreCase) || text.Equals("aujourd'hui", StringComparison.OrdinalIgnoreCase)) return today;
        if (text.Equals("tomorrow", StringComparison.OrdinalIgnoreCase) || text.Equals("demain", StringComparison.OrdinalIgnoreCase)) return today.AddDays(1);
        if (Days.TryGetValue(text, out var weekday)) return today.AddDays(((int)weekday - (int)today.DayOfWeek + 6) % 7 + 1); // the next one
        if (DateOnly.TryParseExact(text, Dates, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
        if (!DateOnly.TryParseExact(text, DayMonths, CultureInfo.InvariantCulture, DateTimeStyles.None, out var dayMonth)) return null;
        // Without a year: the next such day (not the machine's year: the agency's today).
        var next = new DateOnly(today.Year, dayMonth.Month, Math.Min(dayMonth.Day, DateTime.DaysInMonth(today.Year, dayMonth.Month)));
        return next < today ? next.AddYears(1) : next;
    }
}
