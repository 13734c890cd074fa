namespace AgencyBot.Core.Agency;

/// <summary>Working days: Monday to Friday, less the agency's holidays.</summary>
public sealed class WorkingDays(IEnumerable<DateOnly> holidays)
{
    private readonly HashSet<DateOnly> _holidays = holidays.ToHashSet();

    public bool IsWorkingDay(DateOnly day) =>
        day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !_holidays.Contains(day);

    /// <summary>The date <paramref name="days"/> working days after <paramref name="start"/>; day 0 is the first
    /// working day on or after the start.</summary>
    public DateOnly Add(DateOnly start, int days)
    {
        var day = start;
        while (!IsWorkingDay(day)) day = day.AddDays(1);
        for (var left = days; left > 0;)
        {
            day = day.AddDays(1);
            if (IsWorkingDay(day)) left--;
        }
        return day;
    }
}
