namespace AgencyBot.Tests.Hosting;

/// <summary>The agency of the time-zone tests is in Paris: moments there, with the offset of that day (summer time included).</summary>
public static class Paris
{
    public const string Zone = "Europe/Paris";

    private static readonly TimeZoneInfo Info = TimeZoneInfo.FindSystemTimeZoneById(Zone);

    /// <summary>An agency in Paris on the given clock.</summary>
    public static Task<AgencyWorld> StartAgencyAsync(TimeProvider clock) =>
        AgencyWorld.StartAsync(settings: new Dictionary<string, string?> { ["Agency:TimeZone"] = Zone }, clock: clock);

    public static DateTimeOffset At(int year, int month, int day, int hour, int minute)
    {
        var local = new DateTime(year, month, day, hour, minute, 0);
        return new DateTimeOffset(local, Info.GetUtcOffset(local));
    }
}
