using AgencyBot.Core.Satisfaction;

namespace AgencyBot.Host.Scheduling;

/// <summary>Every five minutes: clients whose answered exchange has gone quiet are asked how it went (see <see cref="Ratings"/>).</summary>
[Quartz.DisallowConcurrentExecution]
public sealed class SatisfactionJob(Ratings ratings, ILogger<SatisfactionJob> logger) : SafeJob(logger)
{
    public static readonly Quartz.JobKey Key = new("satisfaction");

    protected override string Failure => "Asking clients for a rating failed";

    protected override Task RunAsync(CancellationToken ct) => ratings.AskDueAsync(ct);
}
