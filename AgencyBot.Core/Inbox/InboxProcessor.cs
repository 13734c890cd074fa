using System.Data;
using System.Data.Common;
using AgencyBot.Core.Data;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgencyBot.Core.Inbox;

/// <summary>
/// Handles inbox rows: in update_id order within a chat, different chats in parallel.
/// Chats are spread over a few workers by chat id, so one chat always lands on the same worker and its order holds.
/// A worker handles its updates in chunks, one transaction per chunk and a savepoint per update: a throwing update
/// rolls back only itself, is tried <see cref="InboxStore.MaxAttempts"/> times in all, then dead-lettered, and the
/// chat's later updates go on.
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

    private readonly KeyedWork _workers = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DispatchAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // A database outage must not end the loop; the rows stay pending and are picked up again.
                logger.LogError(ex, "Reading the inbox failed; retrying");
            }
            await inboxSignal.WaitAsync(IdlePoll, clock, stoppingToken);
        }
        // Let running chunks finish (or roll back) so shutdown leaves nothing half done.
        await _workers.WhenAllAsync();
    }

    private async Task DispatchAsync(CancellationToken ct)
    {
        // Taken before the query, whose snapshot may still show rows a finishing worker just handled.
        var busy = _workers.Snapshot();
        var pending = await inbox.PendingAsync(BatchSize, ct);
        foreach (var share in pending.GroupBy(i => WorkerOf(i.Lane)))
        {
            if (busy.Contains(share.Key) || _workers.IsRunning(share.Key)) continue;
            var items = share.ToList(); // already in update_id order
            _workers.Start(share.Key, () => WorkAsync(items, ct), inboxSignal.Notify);
        }
    }

    private static long WorkerOf(long lane) => (long)((ulong)lane % Workers);

    private async Task WorkAsync(List<InboxItem> items, CancellationToken ct)
    {
        try
        {
            var stalled = new HashSet<long>();
            foreach (var chunk in items.Chunk(ChunkSize))
            {
                ct.ThrowIfCancellationRequested();
                await database.WriteAsync((connection, transaction) => HandleChunkAsync(chunk, stalled, connection, (DbTransaction)transaction, ct), ct);
                outboxSignal.Notify();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Inbox chunk failed and was rolled back; it is tried again on the next pass");
        }
    }

    private async Task HandleChunkAsync(InboxItem[] chunk, HashSet<long> stalled, IDbConnection connection, DbTransaction transaction, CancellationToken ct)
    {
        foreach (var item in chunk)
        {
            // A chat whose earlier update failed and will be retried waits for it: order within a chat holds.
            if (stalled.Contains(item.Lane)) continue;
            await transaction.SaveAsync("item", ct);
            try
            {
                if (await InboxStore.MarkHandledAsync(connection, transaction, item.UpdateId, clock.GetUtcNow()))
                    await handler.HandleAsync(item.ToUpdate(), connection, transaction, ct);
                await transaction.ReleaseAsync("item", ct);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                await transaction.RollbackAsync("item", ct);
                var attempt = item.Attempts + 1;
                if (await InboxStore.RecordFailureAsync(connection, transaction, item.UpdateId, ex.ToString()))
                {
                    logger.LogError(ex, "Update {UpdateId} in chat {ChatId} dead-lettered after {Attempts} attempts", item.UpdateId, item.Lane, attempt);
                }
                else
                {
                    logger.LogWarning(ex, "Update {UpdateId} in chat {ChatId} failed on attempt {Attempt}; it is tried again", item.UpdateId, item.Lane, attempt);
                    stalled.Add(item.Lane);
                }
            }
        }
    }
}
