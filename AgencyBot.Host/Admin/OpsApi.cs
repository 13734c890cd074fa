using AgencyBot.Core.Inbox;
using AgencyBot.Core.Outbox;
using AgencyBot.Host.Telegram;

namespace AgencyBot.Host.Admin;

/// <summary>What the pipeline is doing right now: queues, the slowest relay, send counters, intake health.</summary>
public static class OpsApi
{
    public static void MapOps(this RouteGroupBuilder api) => api.MapGet("/ops", OpsAsync);

    private static async Task<IResult> OpsAsync(InboxStore inbox, OutboxStore outbox, SendStatistics sends, IntakeStatus intake,
        TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var oldest = await outbox.OldestPendingRelayAsync(ct);
        return TypedResults.Ok(new
        {
            At = now,
            Inbox = await inbox.CountByStateAsync(ct),
            Outbox = new
            {
                ByState = await outbox.CountByStateAsync(ct),
                QueuedByChat = (await outbox.BacklogAsync(20, ct)).Select(b => new
                {
                    b.ChatId, b.Pending, b.OldestSince, WaitingSeconds = (long)(now - b.OldestSince).TotalSeconds,
                }),
                OldestPendingRelay = oldest is null ? null : new
                {
                    oldest.ChatId, oldest.ProjectId, oldest.Since, WaitingSeconds = (long)(now - oldest.Since).TotalSeconds,
                },
            },
            Sends = new
            {
                Sent = sends.SentCount, TooManyRequests = sends.TooManyRequestsCount, Failed = sends.FailedCount,
                Retried = sends.TransientFailureCount,
            },
            Intake = new { intake.LastSuccessAt, intake.FailingSince, intake.Received },
        });
    }
}
