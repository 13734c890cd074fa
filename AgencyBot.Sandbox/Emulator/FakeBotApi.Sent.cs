namespace AgencyBot.Sandbox;

/// <summary>What the bot did: every request, every message it posted, and waiting for them.</summary>
public sealed partial class FakeBotApi
{
    // ---------- what the bot did ----------

    public IReadOnlyList<BotRequest> Requests { get { lock (_lock) return _requests.ToList(); } }

    public IReadOnlyList<SentMessage> Sent { get { lock (_lock) return _sent.ToList(); } }

    public IReadOnlyList<SentMessage> SentTo(long chatId) => Sent.Where(m => m.ChatId == chatId).ToList();

    /// <summary>Waits until <paramref name="condition"/> holds over the messages sent so far.</summary>
    public async Task<IReadOnlyList<SentMessage>> WaitForSentAsync(Func<IReadOnlyList<SentMessage>, bool> condition, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (condition(_sent)) return _sent.ToList();
                changed = _sentChanged.Task;
            }
            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                var sent = Sent;
                throw new TimeoutException($"Condition not met within {timeout}; {sent.Count} messages sent: " +
                    string.Join(" | ", sent.TakeLast(5).Select(m => $"{m.Method}→{m.ChatId}: {m.Text}")));
            }
        }
    }

    public Task<IReadOnlyList<SentMessage>> WaitForSentCountAsync(int count, TimeSpan timeout) =>
        WaitForSentAsync(s => s.Count >= count, timeout);

    // ---------- Telegram's limits ----------
}
