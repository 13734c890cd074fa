using System.Text.RegularExpressions;

namespace AgencyBot.Core.Agency;

/// <summary>
/// Opening hours in the agency's time zone ("Mon-Fri 09:00-18:00", several parts joined with ';'; empty means always
/// open), less holidays. Counts business time between two instants and finds the next opening, daylight-saving
/// changes included: each day's opening and closing are converted from local time on that day.
/// </summary>
public sealed partial class BusinessCalendar
{
    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    private readonly Dictionary<DayOfWeek, List<(TimeOnly Open, TimeOnly Close)>> _hours = [];
    private readonly HashSet<DateOnly> _holidays;

    public BusinessCalendar(string? hours, TimeZoneInfo zone, IEnumerable<DateOnly> holidays)
    {
        Zone = zone;
        _holidays = holidays.ToHashSet();
        AlwaysOpen = string.IsNullOrWhiteSpace(hours);
        if (AlwaysOpen) return;
        foreach (var part in hours!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var match = Part().Match(part);
            if (!match.Success) throw new FormatException($"'{part}' is not like 'Mon-Fri 09:00-18:00'");
            var first = Day(match.Groups["from"].Value);
            var last = match.Groups["to"].Success ? Day(match.Groups["to"].Value) : first;
            var open = TimeOnly.ParseExact(match.Groups["open"].Value, "HH:mm", CultureInfo.InvariantCulture);
            var close = TimeOnly.ParseExact(match.Groups["close"].Value, "HH:mm", CultureInfo.InvariantCulture);
            if (close <= open) throw new FormatException($"'{part}' closes before it opens");
            for (var d = (int)first; ; d = (d + 1) % 7)
            {
                var list = _hours.TryGetValue((DayOfWeek)d, out var existing) ? existing : _hours[(DayOfWeek)d] = [];
                if (list.Any(h => open < h.Close && h.Open < close)) throw new FormatException($"'{part}' overlaps other hours of {(DayOfWeek)d}");
                list.Add((open, close));
                if (d == (int)last) break;
            }
        }
        // ";" and the like would parse as no hours at all: never open, so every waiting client would wait forever.
        if (_hours.Count == 0) throw new FormatException($"'{hours}' names no opening hours (leave it empty for always open)");
    }

    public TimeZoneInfo Zone { get; }

    public bool AlwaysOpen { get; }

    /// <summary>Null when the text is a valid schedule, else why not.</summary>
    public static string? Problem(string? hours)
    {
        try
        {
            _ = new BusinessCalendar(hours, TimeZoneInfo.Utc, []);
            return null;
        }
        catch (FormatException ex)
        {
            return ex.Message;
        }
    }

    public bool IsOpen(DateTimeOffset at) => AlwaysOpen || OpeningsAround(at).Any(o => o.Open <= at && at < o.Close);

    /// <summary>Opening hours elapsed between two instants.</summary>
    public TimeSpan BusinessTime(DateTimeOffset from, DateTimeOffset to)
    {
        if (to <= from) return TimeSpan.Zero;
        if (AlwaysOpen) return to - from;
        var total = TimeSpan.Zero;
        foreach (var (open, close) in Openings(LocalDate(from).AddDays(-1), LocalDate(to).AddDays(1)))
        {
            var start = open > from ? open : from;
            var end = close < to ? close : to;
            if (end > start) total += end - start;
        }
        return total;
    }

    /// <summary>The instant at which <paramref name="duration"/> of business time has passed since <paramref name="from"/>.</summary>
    public DateTimeOffset AddBusinessTime(DateTimeOffset from, TimeSpan duration)
    {
        if (AlwaysOpen) return from + duration;
        var left = duration;
        for (var day = LocalDate(from).AddDays(-1); ; day = day.AddDays(1))
            foreach (var (open, close) in Openings(day, day))
            {
                var start = open > from ? open : from;
                if (close <= start) continue;
                if (close - start >= left) return start + left;
                left -= close - start;
            }
    }

    /// <summary>When the team is next at work (now, if it is open).</summary>
    public DateTimeOffset NextOpening(DateTimeOffset at)
    {
        if (IsOpen(at)) return at;
        for (var day = LocalDate(at); ; day = day.AddDays(1))
            foreach (var (open, _) in Openings(day, day))
                if (open > at) return open;
    }

    public DateTimeOffset ToLocal(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Zone);

    /// <summary>The zone as people say it: "Paris" for Europe/Paris ("… (Paris time)").</summary>
    public static string CityOf(TimeZoneInfo zone) =>
        zone.Id.Contains('/') ? zone.Id[(zone.Id.LastIndexOf('/') + 1)..].Replace('_', ' ') : zone.Id;

    private DateOnly LocalDate(DateTimeOffset at) => DateOnly.FromDateTime(ToLocal(at).DateTime);

    private IEnumerable<(DateTimeOffset Open, DateTimeOffset Close)> OpeningsAround(DateTimeOffset at) =>
        Openings(LocalDate(at).AddDays(-1), LocalDate(at).AddDays(1));

    /// <summary>The opening intervals, as instants, of the local days from <paramref name="first"/> to <paramref name="last"/>.</summary>
    private IEnumerable<(DateTimeOffset Open, DateTimeOffset Close)> Openings(DateOnly first, DateOnly last)
    {
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            if (_holidays.Contains(day) || !_hours.TryGetValue(day.DayOfWeek, out var list)) continue;
            foreach (var (open, close) in list)
                yield return (Instant(day, open), Instant(day, close));
        }
    }

    /// <summary>A local wall-clock time on a day, as an instant. A time skipped by a spring-forward change counts as
    /// the moment the clocks jumped; an hour repeated in autumn counts from its first occurrence.</summary>
    public DateTimeOffset Instant(DateOnly day, TimeOnly time)
    {
        var local = day.ToDateTime(time, DateTimeKind.Unspecified);
        while (Zone.IsInvalidTime(local)) local = local.AddMinutes(1);
        var offset = Zone.IsAmbiguousTime(local) ? Zone.GetAmbiguousTimeOffsets(local).Max() : Zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }

    private static DayOfWeek Day(string name)
    {
        var index = Array.IndexOf(DayNames, name[..3].ToLowerInvariant());
        return index < 0 ? throw new FormatException($"'{name}' is not a day (Mon, Tue, … Sun)") : (DayOfWeek)index;
    }

    [GeneratedRegex(@"^(?<from>[A-Za-z]{3})(?:-(?<to>[A-Za-z]{3}))?\s+(?<open>\d{2}:\d{2})-(?<close>\d{2}:\d{2})$")]
    private static partial Regex Part();
}
