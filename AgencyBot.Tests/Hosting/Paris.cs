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

/// <summary>A fixture whose agency is in Paris, on a fake clock that starts at <see cref="StartsAt"/> for each test.</summary>
public abstract class ParisAgencyTest : AgencyTest
{
    protected Microsoft.Extensions.Time.Testing.FakeTimeProvider Clock { get; private set; } = null!;

    /// <summary>When each test's clock starts.</summary>
    protected abstract DateTimeOffset StartsAt { get; }

    /// <summary>A moment of December 2026 in Paris.</summary>
    protected static DateTimeOffset At(int day, int hour, int minute) => Paris.At(2026, 12, day, hour, minute);

    protected override Task<AgencyWorld> StartAgencyAsync()
    {
        Clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(StartsAt);
        return Paris.StartAgencyAsync(Clock);
    }
}
