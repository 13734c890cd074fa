using AgencyBot.Core.Agency;
using AgencyBot.Core.Digest;
using AgencyBot.Core.Escalation;
using AgencyBot.Host.Escalation;
using Quartz;

namespace AgencyBot.Host.Digest;

public static class SchedulingRegistration
{
    /// <summary>Quartz in the generic host, on the container's TimeProvider (a fake one in tests).</summary>
    public static IServiceCollection AddScheduling(this IServiceCollection services, IConfiguration configuration)
    {
        var sla = configuration.GetSection(SlaOptions.Section).Get<SlaOptions>() ?? new SlaOptions();
        var digest = configuration.GetSection(DigestOptions.Section).Get<DigestOptions>() ?? new DigestOptions();
        var agency = configuration.GetSection(AgencyOptions.Section).Get<AgencyOptions>() ?? new AgencyOptions();
        var zone = AgencyOptions.IsKnownZone(agency.TimeZone) ? agency.Zone : TimeZoneInfo.Utc; // a bad zone is reported by the settings check

        services.AddQuartz(q =>
        {
            q.AddJob<SlaCheckJob>(j => j.WithIdentity(SlaCheckJob.Key).StoreDurably());
            q.AddTrigger(t => t.ForJob(SlaCheckJob.Key).WithIdentity("sla-check-every-interval").StartNow()
                .WithSimpleSchedule(s => s.WithInterval(sla.CheckInterval < TimeSpan.FromSeconds(1) ? TimeSpan.FromMinutes(1) : sla.CheckInterval)
                    // After a pause (the host stopped, a long GC), check at once rather than waiting a whole interval.
                    .RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NowWithExistingCount)));

            q.AddJob<DigestJob>(j => j.WithIdentity(DigestJob.Key).StoreDurably());
            var at = digest.Time >= TimeSpan.Zero && digest.Time < TimeSpan.FromDays(1) ? digest.Time : TimeSpan.FromHours(9);
            q.AddTrigger(t => t.ForJob(DigestJob.Key).WithIdentity("daily-digest-at-time")
                .WithSchedule(CronScheduleBuilder.Create($"0 {at.Minutes} {at.Hours} * * ?").InTimeZone(zone)
                    .WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed)));
            // A digest whose hour passed while the service was down goes out once on start, and a run that failed
            // (or found no manager yet) is tried again every quarter of an hour: the job sends a day's digest once.
            q.RunAtStartup(DigestJob.Key);
            q.AddTrigger(t => t.ForJob(DigestJob.Key).WithIdentity("daily-digest-retry").StartNow()
                .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromMinutes(15)).RepeatForever()
                    .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
        });
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return services;
    }
}
