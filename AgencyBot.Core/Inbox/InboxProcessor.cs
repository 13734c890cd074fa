using AgencyBot.Core.Data;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgencyBot.Core.Inbox;

/// <summary>
/// Handles inbox rows: in update_id order within a chat, different chats in parallel.
/// An update whose handling throws is tried <see cref="InboxStore.MaxAttempts"/> times, then dead-lettered,
/// and the chat's later updates go on.
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
    private const int MaxParallelChats = 8;
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(1);

    private readonly KeyedWork _busyLanes = new();

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
        // Let in-flight chats finish their current update so shutdown leaves nothing half done.
        await _busyLanes.WhenAllAsync();
    }

    private async Task DispatchAsync(CancellationToken ct)
    {
        // Taken before the query, whose snapshot may still show rows a finishing chat just handled.
        var busy = _busyLanes.Snapshot();
        var pending = await inbox.PendingAsync(BatchSize, ct);
        foreach (var lane in pending.GroupBy(i => i.Lane))
        {
            if (_busyLanes.Count >= MaxParallelChats) return;
            if (busy.Contains(lane.Key) || _busyLanes.IsRunning(lane.Key)) continue;
            var items = lane.ToList();
            _busyLanes.Start(lane.Key, () => HandleLaneAsync(lane.Key, items, ct), inboxSignal.Notify);
        }
    }

    private async Task HandleLaneAsync(long lane, List<InboxItem> items, CancellationToken ct)
    {
        try
        {
            foreach (var item in items)
            {
                if (ct.IsCancellationRequested) return;
                await HandleWithRetriesAsync(item, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Chat {ChatId}: inbox handling stopped; it resumes on the next pass", lane);
        }
    }

    private async Task HandleWithRetriesAsync(InboxItem item, CancellationToken ct)
    {
        for (var attempt = (int)item.Attempts + 1; ; attempt++)
        {
            try
            {
                await database.WriteAsync(async (connection, transaction) =>
                {
                    if (!await InboxStore.MarkHandledAsync(connection, transaction, item.UpdateId, clock.GetUtcNow()))
                        return; // already handled by an earlier pass
                    await handler.HandleAsync(item.ToUpdate(), connection, transaction, ct);
                }, ct);
                outboxSignal.Notify();
                return;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                var dead = await inbox.RecordFailureAsync(item.UpdateId, ex.ToString(), ct);
                if (dead)
                {
                    logger.LogError(ex, "Update {UpdateId} in chat {ChatId} dead-lettered after {Attempts} attempts",
                        item.UpdateId, item.Lane, attempt);
                    return;
                }
                logger.LogWarning(ex, "Update {UpdateId} in chat {ChatId} failed on attempt {Attempt}; retrying",
                    item.UpdateId, item.Lane, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), clock, ct);
            }
        }
    }
}
