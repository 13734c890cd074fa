namespace AgencyBot.Sandbox;

/// <summary>
/// The sandbox's time: the real clock plus whatever was skipped with "skip 30 minutes", so escalations and the
/// digest can be seen without waiting. Timers still run in real time; what reads the time (waiting periods, the
/// SLA check, message dates) sees the skipped-ahead time.
/// </summary>
public sealed class SandboxClock : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Skipped => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Skipped;

    public override TimeZoneInfo LocalTimeZone => System.LocalTimeZone;

    public void Skip(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
