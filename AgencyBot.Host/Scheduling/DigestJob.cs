using AgencyBot.Core.Agency;
using AgencyBot.Core.Digest;
using Microsoft.Extensions.Options;

namespace AgencyBot.Host.Scheduling;

/// <summary>
/// The daily digest. Fires at Digest:Time, at start-up and every 15 minutes: each time it sends today's digest if its
/// hour has come and it has not gone out yet, so days missed while the service was down produce one digest, not one
/// each, and a failed run is made good within the quarter hour.
/// </summary>
[Quartz.DisallowConcurrentExecution]
public sealed class DigestJob(DigestSender sender, IOptions<AgencyOptions> agency, IOptions<DigestOptions> digest, TimeProvider clock,
    ILogger<DigestJob> logger) : SafeJob(logger)
{
    public static readonly Quartz.JobKey Key = new("daily-digest");

    protected override string Failure => "Building or queueing the digest failed";

    protected override async Task RunAsync(CancellationToken ct)
    {
        if (DigestHour.Today(clock, agency.Value, digest.Value) is not { } today) return; // the trigger fires again later
        if (await sender.SendDailyAsync(today, ct)) logger.LogInformation("Daily digest sent for {Day:yyyy-MM-dd}", today);
    }
}

/// <summary>The agency's day, once its digest hour has come (the digest and the scheduled reports wait for it).</summary>
internal static class DigestHour
{
    public static DateOnly? Today(TimeProvider clock, AgencyOptions agency, DigestOptions digest)
    {
        var local = TimeZoneInfo.ConvertTime(clock.GetUtcNow(), agency.Zone());
        return local.TimeOfDay < digest.Time ? null : DateOnly.FromDateTime(local.DateTime);
    }
}
