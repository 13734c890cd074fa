namespace AgencyBot.Sandbox;

/// <summary>Faults to inject: refusals, 429s, blocked chats, outages, slow and hanging answers.</summary>
public sealed partial class FakeBotApi
{
    // ---------- faults ----------

    private sealed class FaultRule
    {
        public required Func<string, long?, bool> Matches { get; init; }
        public int Remaining { get; set; }
        public int? Status { get; init; }
        public string Description { get; init; } = "";
        public int? RetryAfter { get; init; }
        public TimeSpan Delay { get; init; }
        public TaskCompletionSource? Hang { get; init; }
    }

    /// <summary>The next <paramref name="times"/> calls of <paramref name="method"/> (to <paramref name="chatId"/>, if given)
    /// fail with an error answer.</summary>
    public void Fail(string method, int status, string description, int times = 1, long? chatId = null, int? retryAfter = null) =>
        AddFault(new FaultRule
        {
            Matches = Match(method, chatId), Remaining = times, Status = status, Description = description, RetryAfter = retryAfter,
        });

    public void TooManyRequests(string method, int retryAfter, int times = 1, long? chatId = null) =>
        Fail(method, 429, $"Too Many Requests: retry after {retryAfter}", times, chatId, retryAfter);

    public void Blocked(long chatId, int times = 1) =>
        Fail("sendMessage", 403, "Forbidden: bot was blocked by the user", times, chatId);

    /// <summary>Every call of <paramref name="method"/> ("*": all) fails with <paramref name="status"/> until <paramref name="until"/>.</summary>
    public void FailUntil(string method, DateTimeOffset until, int status = 502, string description = "Bad Gateway") =>
        AddFault(new FaultRule
        {
            Matches = (m, c) => DateTimeOffset.UtcNow < until && Match(method, null)(m, c), Remaining = int.MaxValue, Status = status, Description = description,
        });

    /// <summary>The next calls answer only after <paramref name="delay"/>.</summary>
    public void Delay(string method, TimeSpan delay, int times = 1) =>
        AddFault(new FaultRule { Matches = Match(method, null), Remaining = times, Delay = delay });

    /// <summary>The next calls of <paramref name="method"/> receive no answer until <see cref="ReleaseHangs"/>; then they
    /// succeed, or fail with <paramref name="thenStatus"/>.</summary>
    public void Hang(string method, int times = int.MaxValue, int? thenStatus = null, string thenDescription = "Bad Gateway") =>
        AddFault(new FaultRule
        {
            Matches = Match(method, null), Remaining = times, Hang = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously),
            Status = thenStatus, Description = thenDescription,
        });

    public void ReleaseHangs()
    {
        lock (_lock)
        {
            foreach (var rule in _faults.Where(f => f.Hang is not null)) rule.Hang!.TrySetResult();
            _faults.RemoveAll(f => f.Hang is not null);
        }
    }

    public void ClearFaults()
    {
        ReleaseHangs();
        lock (_lock) _faults.Clear();
    }

    private void AddFault(FaultRule rule)
    {
        lock (_lock) _faults.Add(rule);
    }

    private static Func<string, long?, bool> Match(string method, long? chatId) =>
        (m, c) => (method == "*" || string.Equals(m, method, StringComparison.OrdinalIgnoreCase)) && (chatId is null || chatId == c);
}
