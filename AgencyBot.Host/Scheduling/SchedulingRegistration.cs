using AgencyBot.Core.Agency;
using AgencyBot.Core.Data;
using AgencyBot.Core.Digest;
using AgencyBot.Host.Settings;
using Microsoft.Extensions.Options;
using Quartz;

namespace AgencyBot.Host.Scheduling;

public static class SchedulingRegistration
{
    /// <summary>Quartz in the generic host, on the container's TimeProvider (a fake one in tests). On PostgreSQL the
    /// job store is Quartz's own clustered AdoJobStore (tables from migration 0007, see QuartzSchema): with several hosts each trigger
    /// fires on one of them, and a host that dies has its jobs taken over. On SQLite, one host, jobs live in memory.
    /// Triggers read the validated options when the scheduler starts (the host refuses to start on invalid ones); only
    /// the choice of job store, which changes what is registered, is read from configuration here.</summary>
    public static IServiceCollection AddScheduling(this IServiceCollection services, IConfiguration configuration)
    {
        var database = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();

        if (database.Provider == DatabaseProvider.Postgres) services.AddSingleton(QuartzSchema.Postgres()); // migration 0007

        services.AddQuartz(q =>
        {
            if (database.Provider == DatabaseProvider.Postgres)
            {
                // Each host gets a generated instance id: the cluster tells its members apart by it.
                q.ConfigureScheduler(scheduler => scheduler.GenerateInstanceId = true);
                q.UsePersistentStore(store =>
                {
                    store.UsePostgres(Npgsql.NpgsqlFactory.Instance, database.ConnectionString); // the driver itself, not found by name
                    store.ConfigureStore(o =>
                    {
                        o.TablePrefix = QuartzSchema.TablePrefix;
                        o.StoreJobDataAsStrings = true;
                    });
                    store.UseSystemTextJsonSerializer(_ => { });
                    // A host that stops checking in for this long is presumed dead and its fired jobs are recovered.
                    store.UseClustering(cluster =>
                    {
                        cluster.CheckinInterval = TimeSpan.FromSeconds(5);
                        cluster.CheckinMisfireThreshold = TimeSpan.FromSeconds(15);
                    });
                });
            }

            q.AddJob<SlaCheckJob>(j => j.WithIdentity(SlaCheckJob.Key).StoreDurably());
            q.AddTrigger((provider, t) => t.ForJob(SlaCheckJob.Key).WithIdentity("sla-check-every-interval").StartNow()
                .WithSimpleSchedule(s => s.WithInterval(provider.GetRequiredService<IOptions<SlaOptions>>().Value.CheckInterval)
                    // After a pause (the host stopped, a long GC), check at once rather than waiting a whole interval.
                    .RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NowWithExistingCount)));

            q.AddJob<RetentionJob>(j => j.WithIdentity(RetentionJob.Key).StoreDurably());
            q.AddTrigger(t => t.ForJob(RetentionJob.Key).WithIdentity("retention-hourly").StartNow()
                .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromHours(1)).RepeatForever()
                    .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));

            q.AddJob<ClientSideJob>(j => j.WithIdentity(ClientSideJob.Key).StoreDurably());
            q.AddTrigger(t => t.ForJob(ClientSideJob.Key).WithIdentity("client-side-every-5-minutes").StartNow()
                .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromMinutes(5)).RepeatForever()
                    .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));

            q.AddJob<MeasureJob>(j => j.WithIdentity(MeasureJob.Key).StoreDurably());
            q.AddTrigger(t => t.ForJob(MeasureJob.Key).WithIdentity("measure-hourly").StartNow()
                .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromHours(1)).RepeatForever()
                    .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));

            q.AddJob<ReportJob>(j => j.WithIdentity(ReportJob.Key).StoreDurably());
            q.AddTrigger(t => t.ForJob(ReportJob.Key).WithIdentity("client-reports-quarter-hourly").StartNow()
                .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromMinutes(15)).RepeatForever()
                    .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));

            q.AddJob<DigestJob>(j => j.WithIdentity(DigestJob.Key).StoreDurably());
            q.AddTrigger((provider, t) =>
            {
                var at = provider.GetRequiredService<IOptions<DigestOptions>>().Value.Time;
                t.ForJob(DigestJob.Key).WithIdentity("daily-digest-at-time")
                    .WithSchedule(CronScheduleBuilder.Create($"0 {at.Minutes} {at.Hours} * * ?")
                        .InTimeZone(provider.GetRequiredService<IOptions<AgencyOptions>>().Value.Zone())
                        .WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed));
            });
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
