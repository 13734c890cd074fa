using AgencyBot.Core.Conversations;
using AgencyBot.Core.Data;
using AgencyBot.Core.Inbox;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Sending;
using AgencyBot.Host.Settings;
using AgencyBot.Host.Telegram;
using Microsoft.Extensions.Options;

namespace AgencyBot.Host.Api;

/// <summary>What the pipeline is doing right now, what went wrong, and the repairs an operator can make.</summary>
public static class OpsApi
{
    public static void MapOps(this RouteGroupBuilder api)
    {
        api.MapGet("/ops", OpsAsync);
        api.MapPost("/ops/dead-letters/{updateId:long}/retry", async (long updateId, InboxStore inbox, InboxSignal signal, CancellationToken ct) =>
        {
            if (!await inbox.RetryAsync(updateId, ct)) return (IResult)Problems.NotFound($"There is no dead-lettered update {updateId}.");
            signal.Notify();
            return TypedResults.NoContent();
        });
        api.MapPost("/ops/backup", async (Backup backup, Database database, IOptions<DatabaseOptions> options, IHostEnvironment host, CancellationToken ct) =>
        {
            if (database.Provider != DatabaseProvider.Sqlite)
                return TypedResults.Problem(statusCode: 409, title: "Backups of PostgreSQL are made with pg_dump",
                    detail: "This endpoint copies the SQLite file; back a PostgreSQL database up with pg_dump or the server's own tooling.");
            // Beside the database: a relative folder is under the content root too.
            var result = await backup.WriteAsync(Path.Combine(host.ContentRootPath, options.Value.BackupFolder), ct);
            return result.IntegrityCheck == "ok"
                ? (IResult)TypedResults.Ok(result)
                : TypedResults.Problem(statusCode: 500, title: "Backup failed its integrity check", detail: result.IntegrityCheck);
        });
    }

    private static async Task<IResult> OpsAsync(InboxStore inbox, OutboxStore outbox, ConversationStore conversations, SendStatistics sends,
        IntakeStatus intake, Database database, AgencyBot.Core.StaffGroup.StaffChatStore staffChats, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        object? staffChat = null;
        long heldMessages;
        await using (var connection = await database.OpenAsync(ct))
        {
            heldMessages = await HeldMessages.CountOpenAsync(connection);
            if (await staffChats.GetAsync(connection) is { } staff)
            {
                var outage = await Deliveries.OutageAsync(connection, staff.ChatId);
                staffChat = new { staff.ChatId, staff.IsForum, CanPost = outage is null, CannotPostSince = outage?.Since, outage?.Reason };
            }
        }
        var oldestRelay = await outbox.OldestPendingRelayAsync(ct);
        var oldestWaiting = await conversations.OldestWaitingAsync(ct);
        return TypedResults.Ok(new
        {
            At = now,
            Inbox = new
            {
                ByState = await inbox.CountByStateAsync(ct),
                DeadLetters = (await inbox.DeadLettersAsync(20, ct)).Select(d => new
                {
                    d.UpdateId, d.ChatId, d.Kind, d.Attempts, Error = FirstLine(d.LastError), ReceivedAt = DateTimeOffset.FromUnixTimeMilliseconds(d.ReceivedAt),
                }),
            },
            Outbox = new
            {
                ByState = await outbox.CountByStateAsync(ct),
                QueuedByChat = (await outbox.BacklogAsync(20, ct)).Select(b => new
                {
                    b.ChatId, b.Pending, b.OldestSince, WaitingSeconds = (long)(now - b.OldestSince).TotalSeconds,
                }),
                OldestPendingRelay = oldestRelay is null ? null : new
                {
                    oldestRelay.ChatId, oldestRelay.ProjectId, oldestRelay.Since, WaitingSeconds = (long)(now - oldestRelay.Since).TotalSeconds,
                },
                FailedSends = (await outbox.FailedAsync(20, ct)).Select(f => new
                {
                    f.Id, f.ChatId, f.Method, Error = FirstLine(f.LastError), CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(f.CreatedAt),
                }),
            },
            Sends = new
            {
                Sent = sends.SentCount, Failed = sends.FailedCount, Retried = sends.TransientFailureCount,
                TooManyRequests = sends.TooManyRequestsCount, TooManyRequestsLastHour = sends.TooManyRequestsSince(now - TimeSpan.FromHours(1)),
            },
            OldestWaitingConversation = oldestWaiting is null ? null : new
            {
                ConversationId = oldestWaiting.Id, oldestWaiting.ProjectId, oldestWaiting.ChatId,
                Since = DateTimeOffset.FromUnixTimeMilliseconds(oldestWaiting.WaitingSince!.Value),
            },
            Intake = new { intake.LastSuccessAt, intake.FailingSince, intake.Received },
            StaffChat = staffChat,
            // Messages waiting for a decision: a client's pick of project, staff approval of a chat, or whom an answer is for.
            HeldMessages = heldMessages,
        });
    }

    private static string? FirstLine(string? text) => text?.Split('\n')[0];
}
