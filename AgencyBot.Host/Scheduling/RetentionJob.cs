using AgencyBot.Core.Conversations;

namespace AgencyBot.Host.Scheduling;

/// <summary>Every hour: handled updates and strangers past their retention are deleted (see <see cref="Retention"/>).</summary>
[Quartz.DisallowConcurrentExecution]
public sealed class RetentionJob(Retention retention, ILogger<RetentionJob> logger) : SafeJob(logger)
{
    public static readonly Quartz.JobKey Key = new("retention");

    protected override string Failure => "Retention pass failed";

    protected override Task RunAsync(CancellationToken ct) => retention.PruneAsync(ct);
}
