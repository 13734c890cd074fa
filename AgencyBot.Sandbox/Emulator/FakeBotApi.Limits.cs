namespace AgencyBot.Sandbox;

/// <summary>Telegram's send limits, enforced on request.</summary>
public sealed partial class FakeBotApi
{
    /// <summary>From now on, answer 429 (with retry_after) to posts beyond Telegram's limits: 20 per minute in a group,
    /// about 1 per second in a private chat (bursts of 4), 30 per second overall (bursts to 60). A little slack
    /// (200 ms) absorbs the jitter between the bot's clock and ours.</summary>
    /// <param name="groupWindow">The window for a group's 20 posts (a minute, as Telegram; shorter to run a test faster).</param>
    public void EnforceLimits(TimeSpan? groupWindow = null)
    {
        _groupWindow = groupWindow ?? TimeSpan.FromMinutes(1);
        _enforceLimits = true;
    }

    private TimeSpan _groupWindow = TimeSpan.FromMinutes(1);

    /// <summary>How many 429 answers the limits produced.</summary>
    public int TooManyServed { get; private set; }

    /// <summary>Posts to a chat that came before the retry_after it had been given.</summary>
    public int EarlySends { get; private set; }

    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(200);

    /// <summary>Null when the <paramref name="posts"/> are within the limits (and are counted), else the retry_after in seconds.</summary>
    private int? OverLimit(long chatId, DateTimeOffset now, int count = 1)
    {
        lock (_lock)
        {
            var posts = _postsByChat.TryGetValue(chatId, out var list) ? list : _postsByChat[chatId] = [];
            var (limit, window) = chatId < 0 ? (20, _groupWindow) : (4, TimeSpan.FromSeconds(1));
            var wait = Wait(posts, limit, window, now, count) ?? Wait(_allPosts, 60, TimeSpan.FromSeconds(1), now, count);
            if (wait is { } seconds)
            {
                TooManyServed++;
                _retryUntil[chatId] = now + TimeSpan.FromSeconds(seconds);
                return seconds;
            }
            for (var i = 0; i < count; i++)
            {
                posts.Add(now);
                _allPosts.Add(now);
            }
            return null;
        }

        static int? Wait(List<DateTimeOffset> posts, int limit, TimeSpan window, DateTimeOffset now, int count)
        {
            posts.RemoveAll(t => t <= now - window + Slack);
            return posts.Count + count <= limit ? null
                : Math.Max(1, (int)Math.Ceiling((posts[Math.Min(posts.Count - 1, posts.Count + count - limit - 1)] + window - now).TotalSeconds));
        }
    }
}
