using System.Data.Common;
using AgencyBot.Core.Data;
using Microsoft.Extensions.Hosting;

namespace AgencyBot.Core.Inbox;

/// <summary>
/// Handles inbox rows: in update_id order within a chat, different chats in parallel.
/// Chats are spread over a few workers by chat id, so one chat always lands on the same worker and its order holds.
/// A worker handles its updates in chunks, one transaction per chunk and a savepoint per update: a throwing update
/// rolls back only itself, is tried <see cref="InboxStore.MaxAttempts"/> times in all, then dead-lettered, and the
/// chat's later updates go on.
/// On PostgreSQL several hosts do this at once: a chunk first claims its updates (FOR UPDATE SKIP LOCKED, before any
/// lock), then locks what its updates touch (the handler's <see cref="IInboxHandler.ScopeAsync"/>), and a chat with an update claimed by another host is left to that host for this pass, so each update
/// is handled once and a chat's order holds across hosts.
/// </summary>
public sealed class InboxProcessor(
    InboxStore inbox,
    Database database,
    IInboxHandler handler,
    InboxSignal inboxSignal,
    OutboxSignal outboxSignal,
    TimeProvider clock,
    ILogger<InboxProcessor> logger) : BackgroundService
{
    private const int BatchSize = 2000;
    private const int ChunkSize = 200;
    private const int Workers = 4;
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(1);
    /// <summary>The pause before the next try grows with each failure: 0.5 s, then 1 s.</summary>
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);
    /// <summary>How long an update may ask to be tried later before its tries count as failures (a safety net: the
    /// handler that asks knows its own, shorter, limit).</summary>
    private static readonly TimeSpan MaxRetryLater = TimeSpan.FromMinutes(2);

    private readonly KeyedWork _workers = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await WorkLoop.RunAsync(DispatchAsync, inboxSignal, IdlePoll, clock, logger, "Reading the inbox", stoppingToken);
        // Let running chunks finish (or roll back) so shutdown leaves nothing half done.
        await _workers.WhenAllAsync();
    }

    /// <summary>Starts a worker for each share of chats with work that may be done now; returns how long until
    /// a chat waiting out a retry pause is due.</summary>
    private async Task<TimeSpan> DispatchAsync(CancellationToken ct)
    {
        // Taken before the query, whose snapshot may still show rows a finishing worker just handled.
        var busy = _workers.Snapshot();
        var pending = await inbox.PendingAsync(BatchSize, ct);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        // A chat whose next update waits out a retry pause waits as a whole (its order holds).
        var pausedUntil = pending.GroupBy(i => i.ChatId).Where(g => g.First().NotBefore > now).ToDictionary(g => g.Key, g => g.First().NotBefore);
        foreach (var share in pending.Where(i => !pausedUntil.ContainsKey(i.ChatId)).GroupBy(i => WorkerOf(i.ChatId)))
        {
            if (busy.Contains(share.Key) || _workers.IsRunning(share.Key)) continue;
            var items = share.ToList(); // already in update_id order
            _workers.Start(share.Key, () => WorkAsync(items, ct), inboxSignal.Notify);
        }
        return pausedUntil.Count == 0 ? IdlePoll : TimeSpan.FromMilliseconds(Math.Clamp(pausedUntil.Values.Min() - now, 10, IdlePoll.TotalMilliseconds));
    }

    private static long WorkerOf(long chatId) => (long)((ulong)chatId % Workers);

    private async Task WorkAsync(List<InboxItem> items, CancellationToken ct)
    {
        try
        {
            var stalled = new HashSet<long>();
            foreach (var chunk in items.Chunk(ChunkSize))
            {
                ct.ThrowIfCancellationRequested();
                try
                {
                    await database.ClaimAndWriteAsync(
                        (connection, transaction) => InboxStore.ClaimAsync(connection, transaction, database.Provider, chunk.Select(i => i.UpdateId).ToList()),
                        (connection, transaction, claimed) => handler.ScopeAsync(
                            chunk.Where(i => claimed.Contains(i.UpdateId)).Select(i => i.Read().Update).ToList(), connection, transaction),
                        async (connection, transaction, claimed) =>
                        {
                            await HandleChunkAsync(chunk, claimed, stalled, connection, (DbTransaction)transaction, ct);
                            return claimed.Count;
                        }, ct);
                }
                catch (Exception ex) when (!ct.IsCancellationRequested)
                {
                    // Something broke the whole transaction (not just one update): go through the chunk one update
                    // per transaction, so the culprit is found, counted and, in the end, dead-lettered.
                    logger.LogWarning(ex, "Inbox chunk of {Count} updates rolled back; handling them one by one", chunk.Length);
                    foreach (var item in chunk) await HandleAloneAsync(item, stalled, ct);
                }
                outboxSignal.Notify();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Inbox handling failed; the updates stay pending and are tried again on the next pass");
        }
    }

    /// <summary>Whether the update may be handled now: its chat is not held up by an earlier update, and it is not
    /// waiting out the pause after a failed try.</summary>
    private bool Ready(InboxItem item, HashSet<long> stalled)
    {
        if (stalled.Contains(item.ChatId)) return false;
        if (item.NotBefore <= clock.GetUtcNow().ToUnixTimeMilliseconds()) return true;
        stalled.Add(item.ChatId); // later updates of this chat wait for it: order within a chat holds
        return false;
    }

    private async Task HandleChunkAsync(InboxItem[] chunk, HashSet<long> claimed, HashSet<long> stalled, IDbConnection connection,
        DbTransaction transaction, CancellationToken ct)
    {
        foreach (var item in chunk)
        {
            // Another host is handling this update (or has): its chat's later updates must wait for it, so the whole
            // chat is left to that host in this pass.
            if (!claimed.Contains(item.UpdateId)) stalled.Add(item.ChatId);
            if (!Ready(item, stalled)) continue;
            // Every log line about this update carries its update_id and chat.
            using var scope = logger.BeginScope(new Dictionary<string, object> { ["UpdateId"] = item.UpdateId, ["ChatId"] = item.ChatId });
            await transaction.SaveAsync("item", ct);
            try
            {
                if (await InboxStore.MarkHandledAsync(connection, transaction, item.UpdateId, clock.GetUtcNow()))
                    await handler.HandleAsync(Read(item), connection, transaction, ct);
                await transaction.ReleaseAsync("item", ct);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                await transaction.RollbackAsync("item", ct);
                await RecordFailureAsync(item, ex, stalled, connection, transaction);
            }
        }
    }

    private async Task HandleAloneAsync(InboxItem item, HashSet<long> stalled, CancellationToken ct)
    {
        if (!Ready(item, stalled)) return;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["UpdateId"] = item.UpdateId, ["ChatId"] = item.ChatId });
        try
        {
            await database.WriteAsync(async (connection, transaction) =>
            {
                if (await InboxStore.MarkHandledAsync(connection, transaction, item.UpdateId, clock.GetUtcNow()))
                    await handler.HandleAsync(Read(item), connection, transaction, ct);
            }, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            await database.WriteAsync((connection, transaction) => RecordFailureAsync(item, ex, stalled, connection, transaction), ct);
        }
    }

    /// <summary>The stored update, read tolerantly; what had to be left out of it is logged.</summary>
    private Update Read(InboxItem item)
    {
        var read = item.Read();
        if (read.LeftOut.Count > 0)
            logger.LogWarning("Update {UpdateId} holds parts this version cannot read ({LeftOut}); handled without them",
                item.UpdateId, string.Join(", ", read.LeftOut));
        return read.Update;
    }

    private async Task RecordFailureAsync(InboxItem item, Exception ex, HashSet<long> stalled, IDbConnection connection, IDbTransaction transaction)
    {
        var attempt = item.Attempts + 1;
        var retryAt = clock.GetUtcNow() + RetryDelay * attempt;
        // Waiting for something on its way (for a while at most): again shortly, not counted as a failure.
        if (ex is RetryLaterException && clock.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(item.ReceivedAt) < MaxRetryLater)
        {
            await InboxStore.PostponeAsync(connection, transaction, item.UpdateId, ex.Message, clock.GetUtcNow() + RetryLaterException.After);
            logger.LogInformation("Update {UpdateId} in chat {ChatId} waits: {Why}", item.UpdateId, item.ChatId, ex.Message);
            stalled.Add(item.ChatId);
            return;
        }
        // Reading it again cannot help: the update goes to the dead letters now, and its chat's later updates flow on.
        if (ex is UnreadableUpdateException)
        {
            await InboxStore.DeadLetterAsync(connection, transaction, item.UpdateId, ex.ToString());
            logger.LogError(ex, "Update {UpdateId} in chat {ChatId} cannot be read; dead-lettered", item.UpdateId, item.ChatId);
            return;
        }
        if (await InboxStore.RecordFailureAsync(connection, transaction, item.UpdateId, ex.ToString(), retryAt))
        {
            logger.LogError(ex, "Update {UpdateId} in chat {ChatId} dead-lettered after {Attempts} attempts", item.UpdateId, item.ChatId, attempt);
            return;
        }
        logger.LogWarning(ex, "Update {UpdateId} in chat {ChatId} failed on attempt {Attempt}; trying again at {RetryAt:O}", item.UpdateId, item.ChatId, attempt, retryAt);
        stalled.Add(item.ChatId);
    }
}
