using System.Threading.Channels;
using AgencyBot.Core.Inbox;
using AgencyBot.Core.Messaging;

namespace AgencyBot.Host.Telegram;

/// <summary>
/// Webhook calls that arrive together are committed together: while one transaction commits, the calls that come in
/// meanwhile queue for the next, which takes them all (Telegram keeps many calls in flight). Each call still answers
/// only once its own update is committed, and a failed commit fails every call it carried, so Telegram sends those
/// again. One transaction per call was the webhook's limit on PostgreSQL.
/// </summary>
public sealed class WebhookCommits(InboxStore inbox, ILogger<WebhookCommits> logger) : BackgroundService
{
    private const int MaxBatch = 1000;

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    private sealed record Pending(RawUpdate Update, TaskCompletionSource Committed);

    /// <summary>Queues the update for the next commit: the task completes once it is committed, or throws when the
    /// commit failed. Null when the host is stopping and takes no more.</summary>
    public Task? Queue(RawUpdate update)
    {
        var pending = new Pending(update, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        return _queue.Writer.TryWrite(pending) ? pending.Committed.Task : null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // On stop, what is queued is still committed (its calls are waiting for their answer); later calls are refused.
        await using var stop = stoppingToken.Register(() => _queue.Writer.TryComplete());
        var batch = new List<Pending>();
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next)) batch.Add(next);
            try
            {
                await inbox.AddAsync(batch.Select(p => p.Update).ToList(), CancellationToken.None);
                foreach (var pending in batch) pending.Committed.TrySetResult();
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Could not commit {Count} webhook updates; Telegram will send them again", batch.Count);
                foreach (var pending in batch) pending.Committed.TrySetException(ex);
            }
        }
    }
}
