using AgencyBot.Core.Data;
using Microsoft.Extensions.Hosting;

namespace AgencyBot.Core.Inbox;

/// <summary>
/// Handles inbox rows: in update_id order within a chat, different chats in parallel.
/// Chats are spread over a few workers by chat id, so one chat always lands on the same worker and its order holds.
/// A worker handles its updates in chunks, one transaction per chunk. An update that throws rolls its chunk back; its
/// try is recorded on its own and the chunk goes again without it: the culprit is tried
/// <see cref="InboxStore.MaxAttempts"/> times in all, then dead-lettered, and the chat's later updates go on. There is
/// no savepoint per update: on PostgreSQL each is a subtransaction and two more round trips, and more than 64 of them
/// in one transaction overflow the backend's subtransaction cache, which other sessions' snapshots then pay for.
/// On PostgreSQL several hosts do this at once: a chunk first claims its updates (FOR UPDATE SKIP LOCKED, before any
/// lock), then locks what its updates touch (the handler's <see cref="IInboxHandler.ScopeAsync"/>), and a chat with an
/// update claimed by another host is left to that host for this pass, so each update is handled once and a chat's
/// order holds across hosts.
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
    /// <summary>How many times a chunk goes again without the update that threw before it is handled one by one.</summary>
    private const int MaxChunkPasses = 4;
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

    /// <summary>Starts a worker for each share of chats with work that may be done now; returns when a chat waiting
    /// out a retry pause is due.</summary>
    private async Task<DateTimeOffset> DispatchAsync(CancellationToken ct)
    {
        // Taken before the query, whose snapshot may still show rows a finishing worker just handled.
        var busy = _workers.Snapshot();
        // Every worker at work: nothing could be started (the first to finish wakes this loop again).
        if (busy.Count == Workers) return WorkLoop.Idle;
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
        return pausedUntil.Count == 0 ? WorkLoop.Idle : DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(pausedUntil.Values.Min(), now + 10));
    }

    private static long WorkerOf(long chatId) => (long)((ulong)chatId % Workers);

    private async Task WorkAsync(List<InboxItem> items, CancellationToken ct)
    {
        try
        {
            var stalled = new HashSet<long>();
            foreach (var chunk in items.Chunk(ChunkSize))
            {
                for (var pass = 1; ; pass++)
                {
                    ct.ThrowIfCancellationRequested();
                    try
                    {
                        await HandleChunkAsync(chunk, stalled, ct);
                        break;
                    }
                    catch (UpdateFailed failed) when (!ct.IsCancellationRequested && pass < MaxChunkPasses)
                    {
                        // The chunk was rolled back. The update that threw has its try recorded on its own (its chat now
                        // waits for its next try, or it is dead-lettered), and the rest of the chunk goes again.
                        await database.WriteAsync((c, t) => RecordFailureAsync(failed.Item, failed.InnerException!, stalled, c, t), ct);
                    }
                    catch (Exception ex) when (!ct.IsCancellationRequested)
                    {
                        // The transaction itself broke, or too many updates threw: one update per transaction, so each
                        // culprit is found, counted and, in the end, dead-lettered, and the rest handled.
                        logger.LogWarning(ex, "Inbox chunk of {Count} updates rolled back; handling them one by one", chunk.Length);
                        foreach (var item in chunk) await HandleAloneAsync(item, stalled, ct);
                        break;
                    }
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

    /// <summary>One transaction for the chunk: its updates are claimed (and read, each once), what they touch locked,
    /// each one ready handled, and those marked handled in one statement. An update that throws rolls the whole chunk
    /// back, as <see cref="UpdateFailed"/>. The claim is what keeps an update from being handled twice (its row stays
    /// locked, on SQLite the whole database, until the commit), so the marks can wait for the chunk's end.</summary>
    private Task HandleChunkAsync(InboxItem[] chunk, HashSet<long> stalled, CancellationToken ct) =>
        database.ClaimAndWriteAsync(
            async (connection, transaction) => (await InboxStore.ClaimAsync(connection, transaction, database.Provider, chunk.Select(i => i.UpdateId).ToList()))
                .ToDictionary(r => r.Key, r => new Lazy<ReadUpdate>(() => UpdateReader.Read(r.Value))),
            (connection, transaction, claimed) => handler.ScopeAsync(
                chunk.Where(i => claimed.ContainsKey(i.UpdateId)).Select(i => claimed[i.UpdateId].Value.Update).ToList(), connection, transaction),
            async (connection, transaction, claimed) =>
            {
                var handled = new List<long>();
                foreach (var item in chunk)
                {
                    // Another host is handling this update (or has): its chat's later updates must wait for it, so the
                    // whole chat is left to that host in this pass.
                    if (!claimed.TryGetValue(item.UpdateId, out var update)) stalled.Add(item.ChatId);
                    if (!Ready(item, stalled)) continue;
                    // Every log line about this update carries its update_id and chat.
                    using var scope = logger.BeginScope(new Dictionary<string, object> { ["UpdateId"] = item.UpdateId, ["ChatId"] = item.ChatId });
                    try
                    {
                        await handler.HandleAsync(Logged(item, update!.Value), connection, transaction, ct);
                    }
                    catch (Exception ex) when (!ct.IsCancellationRequested)
                    {
                        throw new UpdateFailed(item, ex);
                    }
                    handled.Add(item.UpdateId);
                }
                // Every one was claimed pending by this transaction: fewer marked means something else changed a claimed
                // row, and the chunk must not commit (it goes again, one by one).
                if (handled.Count > 0 && await InboxStore.MarkHandledAsync(connection, transaction, database.Provider, handled, clock.GetUtcNow()) != handled.Count)
                    throw new InvalidOperationException($"Updates of a claimed chunk were no longer pending: {string.Join(", ", handled)}");
                return claimed.Count;
            }, ct);

    /// <summary>An update of a chunk threw: the chunk's transaction is rolled back, and this says which one.</summary>
    private sealed class UpdateFailed(InboxItem item, Exception inner) : Exception($"Update {item.UpdateId} failed", inner)
    {
        public InboxItem Item { get; } = item;
    }

    private async Task HandleAloneAsync(InboxItem item, HashSet<long> stalled, CancellationToken ct)
    {
        if (!Ready(item, stalled)) return;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["UpdateId"] = item.UpdateId, ["ChatId"] = item.ChatId });
        try
        {
            await database.WriteAsync(async (connection, transaction) =>
            {
                if (await InboxStore.MarkHandledAsync(connection, transaction, database.Provider, [item.UpdateId], clock.GetUtcNow()) == 1
                    && await InboxStore.PayloadAsync(connection, transaction, item.UpdateId) is { } payload)
                    await handler.HandleAsync(Logged(item, UpdateReader.Read(payload)), connection, transaction, ct);
            }, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            await database.WriteAsync((connection, transaction) => RecordFailureAsync(item, ex, stalled, connection, transaction), ct);
        }
    }

    /// <summary>The stored update, read tolerantly; what had to be left out of it is logged.</summary>
    private Update Logged(InboxItem item, ReadUpdate read)
    {
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
