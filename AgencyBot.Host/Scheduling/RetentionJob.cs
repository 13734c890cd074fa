using AgencyBot.Core.Conversations;
using Quartz;

namespace AgencyBot.Host.Scheduling;

/// <summary>Every hour: handled updates and strangers past their retention are deleted (see <see cref="Retention"/>).</summary>
[DisallowConcurrentExecution]
public sealed class RetentionJob(Retention retention, ILogger<RetentionJob> logger) : IJob
{
    public static readonly JobKey Key = new("retention");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        try
        {
            await retention.PruneAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The next run tries again: nothing was deleted.
            logger.LogError(ex, "Retention pass failed");
        }
    }
}
