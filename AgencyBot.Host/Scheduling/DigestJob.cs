using AgencyBot.Core.Agency;
using AgencyBot.Core.Digest;
using Microsoft.Extensions.Options;
using Quartz;

namespace AgencyBot.Host.Scheduling;

/// <summary>
/// The daily digest. Fires at Digest:Time, at start-up and every 15 minutes: each time it sends today's digest if its
/// hour has come and it has not gone out yet, so days missed while the service was down produce one digest, not one
/// each, and a failed run is made good within the quarter hour.
/// </summary>
[DisallowConcurrentExecution]
public sealed class DigestJob(DigestSender sender, IOptions<AgencyOptions> agency, IOptions<DigestOptions> digest, TimeProvider clock,
    ILogger<DigestJob> logger) : IJob
{
    public static readonly JobKey Key = new("daily-digest");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var local = TimeZoneInfo.ConvertTime(clock.GetUtcNow(), agency.Value.Zone);
        if (local.TimeOfDay < digest.Value.Time) return; // started before today's hour: the trigger will fire later
        try
        {
            if (await sender.SendDailyAsync(DateOnly.FromDateTime(local.DateTime), cancellationToken))
                logger.LogInformation("Daily digest sent for {Day:yyyy-MM-dd}", local);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Building or queueing the digest failed; trying again within 15 minutes");
        }
    }
}
