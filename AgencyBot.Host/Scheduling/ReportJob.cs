using AgencyBot.Core.Agency;
using AgencyBot.Core.Deliverables;
using AgencyBot.Core.Digest;
using Microsoft.Extensions.Options;

namespace AgencyBot.Host.Scheduling;

/// <summary>
/// Scheduled client reports: from Digest:Time on their day (Mondays for weekly ones, the 1st for monthly ones), every
/// quarter hour, each due report not drafted yet is drafted and posted in its topic (once per project and period).
/// </summary>
[Quartz.DisallowConcurrentExecution]
public sealed class ReportJob(ReportDrafts drafts, IOptions<AgencyOptions> agency, IOptions<DigestOptions> digest, TimeProvider clock,
    ILogger<ReportJob> logger) : SafeJob(logger)
{
    public static readonly Quartz.JobKey Key = new("client-reports");

    protected override string Failure => "Drafting the scheduled client reports failed";

    protected override async Task RunAsync(CancellationToken ct)
    {
        if (DigestHour.Today(clock, agency.Value, digest.Value) is null) return;
        if (await drafts.DraftScheduledAsync(ct) is > 0 and var drafted) logger.LogInformation("{Count} client reports drafted", drafted);
    }
}
