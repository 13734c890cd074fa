using System.Threading.RateLimiting;

namespace AgencyBot.Core.Outbox;

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

    public SendLimits(SendLimitOptions options)
    {
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

    /// <summary>Takes a permit for one message to <paramref name="chatId"/>, or says how long to wait.</summary>
    public (bool Acquired, TimeSpan RetryAfter) TryAcquire(long chatId)
    {
        if (!_enabled) return (true, TimeSpan.Zero);
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
