using System.Threading.RateLimiting;

namespace AgencyBot.Core.Sending;

/// <summary>A sustained rate with a burst: <see cref="Messages"/> per <see cref="Per"/>, at most <see cref="Burst"/> at once.</summary>
public sealed class RateOptions
{
    public int Messages { get; set; }
    public TimeSpan Per { get; set; }
    public int Burst { get; set; }

    internal TokenBucketRateLimiterOptions ToTokenBucket() => new()
    {
        TokenLimit = Burst,
        TokensPerPeriod = 1,
        ReplenishmentPeriod = Per / Messages,
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}

/// <summary>Telegram:Limits — Telegram's published send limits.</summary>
public sealed class SendLimitOptions
{
    public bool Enabled { get; set; } = true;
    public RateOptions PrivateChat { get; set; } = new() { Messages = 1, Per = TimeSpan.FromSeconds(1), Burst = 3 };
    // Burst 1: a post every 3 s keeps any 60-second window at 20, which is what Telegram counts for a group.
    public RateOptions Group { get; set; } = new() { Messages = 20, Per = TimeSpan.FromMinutes(1), Burst = 1 };
    public RateOptions Overall { get; set; } = new() { Messages = 30, Per = TimeSpan.FromSeconds(1), Burst = 30 };
}

/// <summary>
/// Token buckets per chat (private chats and groups differ) and one for the whole bot, so the sender stays inside
/// Telegram's limits instead of learning them from 429 answers.
/// </summary>
public sealed class SendLimits : IDisposable
{
    private readonly bool _enabled;
    private readonly PartitionedRateLimiter<long> _perChat;
    private readonly RateLimiter _overall;
    // Posts already made beyond the one permit a send took (album photos, a topic's creation), paid back
    // from the chat's bucket before its next send.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, int> _owed = new();

    private readonly SendLimitOptions _options;
    // Overall posts made before this host sent anything (another host's, or this one's before a restart).
    private int _overallOwed;

    public SendLimits(SendLimitOptions options)
    {
        _options = options;
        _enabled = options.Enabled;
        var privateChat = options.PrivateChat.ToTokenBucket();
        var group = options.Group.ToTokenBucket();
        // Private chats have positive ids, groups and channels negative ones.
        _perChat = PartitionedRateLimiter.Create<long, long>(chatId =>
            RateLimitPartition.GetTokenBucketLimiter(chatId, id => id > 0 ? privateChat : group));
        _overall = new TokenBucketRateLimiter(options.Overall.ToTokenBucket());
    }

    /// <summary>Records <paramref name="posts"/> more posts made in the chat than permits taken.</summary>
    public void Charge(long chatId, int posts)
    {
        if (_enabled && posts > 0) _owed.AddOrUpdate(chatId, posts, (_, owed) => owed + posts);
    }

    /// <summary>How far back sends still count against a bucket: the longest of the configured periods.</summary>
    public TimeSpan Memory => new[] { _options.PrivateChat.Per, _options.Group.Per, _options.Overall.Per }.Max();

    /// <summary>
    /// A host that starts sending (after a restart, or taking over from another host) begins with full buckets, as if
    /// nothing had been sent; what the outbox recorded as sent within <see cref="Memory"/> is charged to each chat's
    /// bucket and the overall one, so no chat gets more than its limit across the change.
    /// </summary>
    public void Seed(IReadOnlyCollection<(long ChatId, DateTimeOffset At, int Posts)> recent, DateTimeOffset now)
    {
        if (!_enabled || recent.Count == 0) return;
        foreach (var chat in recent.GroupBy(r => r.ChatId))
            Charge(chat.Key, Deficit(chat.Key > 0 ? _options.PrivateChat : _options.Group, chat, now));
        Interlocked.Add(ref _overallOwed, Deficit(_options.Overall, recent, now));
    }

    /// <summary>How many tokens a bucket would be short of full now, had it taken these posts.</summary>
    internal static int Deficit(RateOptions rate, IEnumerable<(long ChatId, DateTimeOffset At, int Posts)> sends, DateTimeOffset now)
    {
        var period = rate.Per / rate.Messages;
        double tokens = rate.Burst;
        DateTimeOffset? last = null;
        foreach (var (_, at, posts) in sends.OrderBy(s => s.At))
        {
            if (last is { } before) tokens = Math.Min(rate.Burst, tokens + (at - before) / period);
            tokens -= posts;
            last = at;
        }
        if (last is not { } latest) return 0;
        tokens = Math.Min(rate.Burst, tokens + Math.Max(0, (now - latest) / period));
        return Math.Max(0, (int)Math.Ceiling(rate.Burst - tokens - 1e-9));
    }

    /// <summary>Takes a permit for one message to <paramref name="chatId"/>, or says how long to wait.</summary>
    public (bool Acquired, TimeSpan RetryAfter) TryAcquire(long chatId)
    {
        if (!_enabled) return (true, TimeSpan.Zero);
        while (Volatile.Read(ref _overallOwed) > 0)
        {
            using var payment = _overall.AttemptAcquire();
            if (!payment.IsAcquired) return (false, RetryAfter(payment));
            Interlocked.Decrement(ref _overallOwed);
        }
        while (_owed.TryGetValue(chatId, out var owed) && owed > 0)
        {
            using var payment = _perChat.AttemptAcquire(chatId);
            if (!payment.IsAcquired) return (false, RetryAfter(payment));
            if (owed == 1) _owed.TryRemove(chatId, out _);
            else _owed[chatId] = owed - 1;
        }
        // Peek the chat first so a refused chat does not burn an overall permit.
        using (var peek = _perChat.AttemptAcquire(chatId, 0))
            if (!peek.IsAcquired) return (false, RetryAfter(peek));
        using var overall = _overall.AttemptAcquire();
        if (!overall.IsAcquired) return (false, RetryAfter(overall));
        using var chat = _perChat.AttemptAcquire(chatId);
        return chat.IsAcquired ? (true, TimeSpan.Zero) : (false, RetryAfter(chat));
    }

    public bool OverallExhausted
    {
        get
        {
            if (!_enabled) return false;
            using var peek = _overall.AttemptAcquire(0);
            return !peek.IsAcquired;
        }
    }

    private static TimeSpan RetryAfter(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMilliseconds(50);

    public void Dispose()
    {
        _perChat.Dispose();
        _overall.Dispose();
    }
}
