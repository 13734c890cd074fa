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
        OpsStaffChat? staffChat = null;
        long heldMessages;
        await using (var connection = await database.OpenAsync(ct))
        {
            heldMessages = await HeldMessages.CountOpenAsync(connection);
            if (await staffChats.GetAsync(connection) is { } staff)
            {
                var outage = await Deliveries.OutageAsync(connection, staff.ChatId);
                staffChat = new OpsStaffChat(staff.ChatId, staff.IsForum, CanPost: outage is null, CannotPostSince: outage?.Since, outage?.Reason);
            }
        }
        var oldestRelay = await outbox.OldestPendingRelayAsync(ct);
        var oldestWaiting = await conversations.OldestWaitingAsync(ct);
        return TypedResults.Ok(new OpsReport(
            At: now,
            Inbox: new OpsInbox(
                ByState: await inbox.CountByStateAsync(ct),
                DeadLetters: (await inbox.DeadLettersAsync(20, ct)).Select(d => new OpsDeadLetter(
                    d.UpdateId, d.ChatId, d.Kind, d.Attempts, Error: FirstLine(d.LastError), ReceivedAt: DateTimeOffset.FromUnixTimeMilliseconds(d.ReceivedAt))).ToList()),
            Outbox: new OpsOutbox(
                ByState: await outbox.CountByStateAsync(ct),
                QueuedByChat: (await outbox.BacklogAsync(20, ct)).Select(b => new OpsQueuedChat(
                    b.ChatId, b.Pending, b.OldestSince, WaitingSeconds: (long)(now - b.OldestSince).TotalSeconds)).ToList(),
                OldestPendingRelay: oldestRelay is null ? null : new OpsPendingRelay(
                    oldestRelay.ChatId, oldestRelay.ProjectId, oldestRelay.Since, WaitingSeconds: (long)(now - oldestRelay.Since).TotalSeconds),
                FailedSends: (await outbox.FailedAsync(20, ct)).Select(f => new OpsFailedSend(
                    f.Id, f.ChatId, f.Method, Error: FirstLine(f.LastError), CreatedAt: DateTimeOffset.FromUnixTimeMilliseconds(f.CreatedAt))).ToList()),
            Sends: new OpsSends(
                Sent: sends.SentCount, Failed: sends.FailedCount, Retried: sends.TransientFailureCount,
                TooManyRequests: sends.TooManyRequestsCount, TooManyRequestsLastHour: sends.TooManyRequestsSince(now - TimeSpan.FromHours(1))),
            OldestWaitingConversation: oldestWaiting is null ? null : new OpsWaitingConversation(
                ConversationId: oldestWaiting.Id, oldestWaiting.ProjectId, oldestWaiting.ChatId,
                Since: DateTimeOffset.FromUnixTimeMilliseconds(oldestWaiting.WaitingSince!.Value)),
            Intake: new OpsIntake(intake.LastSuccessAt, intake.FailingSince, intake.Received),
            StaffChat: staffChat,
            HeldMessages: heldMessages));
    }

    private static string? FirstLine(string? text) => text?.Split('\n')[0];
}

/// <summary>GET /api/ops. <see cref="HeldMessages"/>: messages waiting for a decision (a client's pick of project,
/// staff approval of a chat, or whom an answer is for).</summary>
public sealed record OpsReport(DateTimeOffset At, OpsInbox Inbox, OpsOutbox Outbox, OpsSends Sends, OpsWaitingConversation? OldestWaitingConversation,
    OpsIntake Intake, OpsStaffChat? StaffChat, long HeldMessages);

public sealed record OpsInbox(IReadOnlyDictionary<string, long> ByState, IReadOnlyList<OpsDeadLetter> DeadLetters);

public sealed record OpsDeadLetter(long UpdateId, long ChatId, string Kind, long Attempts, string? Error, DateTimeOffset ReceivedAt);

public sealed record OpsOutbox(IReadOnlyDictionary<string, long> ByState, IReadOnlyList<OpsQueuedChat> QueuedByChat, OpsPendingRelay? OldestPendingRelay,
    IReadOnlyList<OpsFailedSend> FailedSends);

public sealed record OpsQueuedChat(long ChatId, long Pending, DateTimeOffset OldestSince, long WaitingSeconds);

public sealed record OpsPendingRelay(long ChatId, long ProjectId, DateTimeOffset Since, long WaitingSeconds);

public sealed record OpsFailedSend(long Id, long ChatId, string Method, string? Error, DateTimeOffset CreatedAt);

public sealed record OpsSends(long Sent, long Failed, long Retried, long TooManyRequests, int TooManyRequestsLastHour);

public sealed record OpsWaitingConversation(long ConversationId, long ProjectId, long ChatId, DateTimeOffset Since);

public sealed record OpsIntake(DateTimeOffset? LastSuccessAt, DateTimeOffset? FailingSince, long Received);

public sealed record OpsStaffChat(long ChatId, bool? IsForum, bool CanPost, DateTimeOffset? CannotPostSince, string? Reason);
