using Quartz;

namespace AgencyBot.Host.Scheduling;

/// <summary>
/// A job whose failure is logged and left to its next run: every job here is written so that a run that fails has
/// committed nothing half done, and the next run (minutes or an hour later) does the work. Each job also says
/// [DisallowConcurrentExecution] itself: Quartz reads it from the job's own class.
/// </summary>
[DisallowConcurrentExecution]
public abstract class SafeJob(ILogger logger) : IJob
{
    /// <summary>What the log says when a run fails ("SLA check failed").</summary>
    protected abstract string Failure { get; }

    protected abstract Task RunAsync(CancellationToken ct);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        try
        {
            await RunAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "{Failure}; the next run tries again", Failure);
        }
    }
}
