using AgencyBot.Core.Measurement;

namespace AgencyBot.Host.Scheduling;

/// <summary>Every hour (and at start-up): finished days whose communication time is not measured yet are measured
/// (see <see cref="MeasuredDays"/>); a day is measured once, so running often costs nothing.</summary>
[Quartz.DisallowConcurrentExecution]
public sealed class MeasureJob(MeasuredDays days, ILogger<MeasureJob> logger) : SafeJob(logger)
{
    public static readonly Quartz.JobKey Key = new("measure-communication");

    protected override string Failure => "Measuring communication time failed";

    protected override Task RunAsync(CancellationToken ct) => days.MeasureMissingDaysAsync(ct);
}
