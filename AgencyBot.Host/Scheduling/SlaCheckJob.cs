using AgencyBot.Core.Escalation;

namespace AgencyBot.Host.Scheduling;

/// <summary>Every Sla:CheckInterval: reminders, breaches, manager alerts (each level claimed with the message it queues).</summary>
[Quartz.DisallowConcurrentExecution]
public sealed class SlaCheckJob(Escalations escalations, ILogger<SlaCheckJob> logger) : SafeJob(logger)
{
    public static readonly Quartz.JobKey Key = new("sla-check");

    protected override string Failure => "SLA check failed";

    protected override async Task RunAsync(CancellationToken ct)
    {
        if (await escalations.CheckAsync(ct) is > 0 and var fired) logger.LogInformation("SLA check: {Fired} escalation levels fired", fired);
    }
}
