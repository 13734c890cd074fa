using System.Threading.Channels;

namespace AgencyBot.Core.Data;

/// <summary>Wakes a background loop when there is new work, so it need not poll tightly.
/// Notifications coalesce: many notifies before a wait wake it once.</summary>
public abstract class WorkSignal
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Notify() => _channel.Writer.TryWrite(true);

    /// <summary>Returns when notified, after <paramref name="max"/>, or when <paramref name="ct"/> is cancelled
    /// (without throwing, so the loop can finish its in-flight work before it exits).</summary>
    public async Task WaitAsync(TimeSpan max, TimeProvider clock, CancellationToken ct)
    {
        if (_channel.Reader.TryRead(out _)) return;
        using var timeout = new CancellationTokenSource(max < TimeSpan.Zero ? TimeSpan.Zero : max, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        // A wait that runs out (an idle loop, every second) or a stopping host ends the wait without throwing: the
        // caller's loop checks which.
        Task waited = _channel.Reader.WaitToReadAsync(linked.Token).AsTask();
        await waited.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _channel.Reader.TryRead(out _);
    }
}

public sealed class InboxSignal : WorkSignal;

/// <summary>
/// The loop both queues run: a pass, then a wait until notified or until the moment the pass asked to run again. A
/// failing pass (a database outage) is logged and tried again; it never ends the loop, and the rows it could not read
/// stay put. The pass names a moment, not a duration, because it judged what is due by the time it read: time that
/// passed while it ran (a slow query, a clock that moved) is not waited again, and a row that fell due meanwhile goes
/// at once. The wait is never longer than <c>idle</c>, so a wall clock set back costs at most that.
/// </summary>
public static class WorkLoop
{
    /// <summary>What a pass returns when it has no moment of its own: run again after the loop's idle interval.</summary>
    public static readonly DateTimeOffset Idle = DateTimeOffset.MaxValue;

    public static async Task RunAsync(Func<CancellationToken, Task<DateTimeOffset>> pass, WorkSignal signal, TimeSpan idle, TimeProvider clock,
        Microsoft.Extensions.Logging.ILogger logger, string what, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var next = Idle;
            try
            {
                next = await pass(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Microsoft.Extensions.Logging.LoggerExtensions.LogError(logger, ex, "{What} failed; retrying", what);
            }
            var wait = next - clock.GetUtcNow(); // a moment already past: WaitAsync takes it as no wait
            await signal.WaitAsync(wait > idle ? idle : wait, clock, ct);
        }
    }
}

public sealed class OutboxSignal : WorkSignal;
