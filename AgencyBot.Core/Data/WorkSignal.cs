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
        try
        {
            await _channel.Reader.WaitToReadAsync(linked.Token);
            _channel.Reader.TryRead(out _);
        }
        catch (OperationCanceledException)
        {
            // the wait ran out, or the host is stopping: the caller's loop checks which
        }
    }
}

public sealed class InboxSignal : WorkSignal;

public sealed class OutboxSignal : WorkSignal;
