using AgencyBot.Core.Escalation;
using Quartz;

namespace AgencyBot.Host.Scheduling;

/// <summary>Every Sla:CheckInterval: reminders, breaches, manager alerts. Never two at once.</summary>
[DisallowConcurrentExecution]
public sealed class SlaCheckJob(Escalations escalations, ILogger<SlaCheckJob> logger) : IJob
{
    public static readonly JobKey Key = new("sla-check");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        try
        {
            var fired = await escalations.CheckAsync(cancellationToken);
            if (fired > 0) logger.LogInformation("SLA check: {Fired} escalation levels fired", fired);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The next run tries again; nothing was claimed that was not also queued.
            logger.LogError(ex, "SLA check failed");
        }
    }
}
