using AgencyBot.Core.Clients;
using AgencyBot.Core.Data;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Projects;
using Telegram.Bot.Types.ReplyMarkups;

namespace AgencyBot.Core.Satisfaction;

/// <summary>One client's rating of an exchange.</summary>
public sealed record Rating(long RequestId, long ProjectId, string Project, string Client, long ChatId, int Score, DateTimeOffset RatedAt);

/// <summary>How clients rated the agency over a period.</summary>
public sealed record RatingSummary(int Good, int Neutral, int Bad, int Asked)
{
    public int Rated => Good + Neutral + Bad;
    /// <summary>The share of ratings that were 👍, or null without any.</summary>
    public double? GoodPercent => Rated == 0 ? null : Math.Round(100.0 * Good / Rated, 1);
}

/// <summary>
/// Satisfaction: once an answered conversation has been quiet for Csat:After, its client is asked with three buttons,
/// at most once per chat in Csat:MinInterval. The first tap is the rating (csat_requests; nothing overwrites it).
/// </summary>
public sealed class Ratings(Database database, OutboxStore outbox, IOptions<CsatOptions> options, TimeProvider clock, ILogger<Ratings> logger)
{
    public const string Prefix = "csat:";

    public static readonly IReadOnlyDictionary<string, int> Scores = new Dictionary<string, int> { ["good"] = 1, ["meh"] = 0, ["bad"] = -1 };

    // Answered since the chat was last asked (and within the week), quiet since, the chat not asked lately, reachable.
    private const string Due = """
        FROM conversations cv
        WHERE cv.waiting_since IS NULL AND cv.last_message_at <= @QuietSince
          AND EXISTS (SELECT 1 FROM response_log r WHERE r.conversation_id = cv.id AND r.answered_at >= @Recent
                      AND r.answered_at > COALESCE((SELECT MAX(q.asked_at) FROM csat_requests q WHERE q.chat_id = cv.chat_id), 0))
          AND NOT EXISTS (SELECT 1 FROM csat_requests q WHERE q.chat_id = cv.chat_id AND q.asked_at > @IntervalStart)
          AND NOT EXISTS (SELECT 1 FROM blocked_chats b WHERE b.chat_id = cv.chat_id)
          AND EXISTS (SELECT 1 FROM chat_bindings cb WHERE cb.chat_id = cv.chat_id AND cb.project_id = cv.project_id AND cb.status = 'active')
        """;

    private const string SelectDue = $"SELECT cv.id AS ConversationId, cv.project_id AS ProjectId, cv.chat_id AS ChatId {Due} ORDER BY cv.id LIMIT 50";

    private const string StillDue = $"SELECT COUNT(*) {Due} AND cv.id = @ConversationId";

    // The chat's ask, claimed by the statement that records it: a second pass finds it asked.
    private const string Insert = """
        INSERT INTO csat_requests (conversation_id, project_id, chat_id, asked_at)
        SELECT @ConversationId, @ProjectId, @ChatId, @Now
        WHERE NOT EXISTS (SELECT 1 FROM csat_requests q WHERE q.chat_id = @ChatId AND q.asked_at > @IntervalStart)
        RETURNING id
        """;

    private const string Rate = """
        UPDATE csat_requests SET score = @Score, rated_at = @Now, rated_by = @UserId
        WHERE id = @Id AND chat_id = @ChatId AND score IS NULL
        RETURNING project_id
        """;

    private const string SelectRated = """
        SELECT q.id AS RequestId, q.project_id AS ProjectId, p.name AS Project, c.name AS Client, q.chat_id AS ChatId, q.score AS Score, q.rated_at AS RatedAt
        FROM csat_requests q JOIN projects p ON p.id = q.project_id JOIN clients c ON c.id = p.client_id
        WHERE q.rated_at >= @From AND q.rated_at < @To ORDER BY q.rated_at
        """;

    private const string CountAsked = "SELECT COUNT(*) FROM csat_requests WHERE asked_at >= @From AND asked_at < @To";

    /// <summary>Asks every client whose answered exchange has gone quiet; how many were asked.</summary>
    public async Task<int> AskDueAsync(CancellationToken ct)
    {
        if (!options.Value.Enabled) return 0;
        var now = clock.GetUtcNow();
        var window = new
        {
            QuietSince = (now - options.Value.After).ToUnixTimeMilliseconds(), Recent = (now - TimeSpan.FromDays(7)).ToUnixTimeMilliseconds(),
            IntervalStart = (now - options.Value.MinInterval).ToUnixTimeMilliseconds(),
        };
        // Read first, outside a write: most runs find nobody to ask. Each client found is then asked in a write of its
        // own that locks the chat and its project on PostgreSQL, as the client's next message and a staff answer do,
        // and under it the question is asked again (they may have written, or another host asked, meanwhile).
        IReadOnlyList<DueRating> due;
        await using (var connection = await database.OpenAsync(ct))
            due = (await connection.QueryAsync<DueRating>(SelectDue, window)).AsList();
        var asked = 0;
        foreach (var rating in due)
            if (await database.WriteAsync(WriteScope.Of([rating.ChatId], [rating.ProjectId]), (c, t) => AskAsync(c, t, rating, window, now), ct))
                asked++;
        if (asked > 0) logger.LogInformation("Asked {Count} clients how their last exchange went", asked);
        return asked;
    }

    private sealed record DueRating(long ConversationId, long ProjectId, long ChatId);

    private async Task<bool> AskAsync(IDbConnection c, IDbTransaction t, DueRating due, object window, DateTimeOffset now)
    {
        var at = new DynamicParameters(window);
        at.AddDynamicParams(new { due.ConversationId, due.ProjectId, due.ChatId, Now = now.ToUnixTimeMilliseconds() });
        if (await c.ExecuteScalarAsync<long>(StillDue, at, t) == 0 || await c.ExecuteScalarAsync<long?>(Insert, at, t) is not { } id) return false;
        var language = ClientTexts.Pick((await ProjectStore.SettingsAsync(c, t, due.ProjectId))?.Language,
            (await ClientChatStore.FindAsync(c, t, due.ChatId))?.LanguageCode);
        await outbox.EnqueueAsync(c, t, due.ChatId, new SendMessageRequest
        {
            ChatId = due.ChatId, Text = ClientTexts.Get("CsatQuestion", language),
            ReplyMarkup = new InlineKeyboardMarkup([[
                InlineKeyboardButton.WithCallbackData("👍", $"{Prefix}{id}:good"), InlineKeyboardButton.WithCallbackData("😐", $"{Prefix}{id}:meh"),
                InlineKeyboardButton.WithCallbackData("👎", $"{Prefix}{id}:bad")]]),
        });
        return true;
    }

    /// <summary>The first tap on one of a chat's rating buttons: the project rated, or null when it was rated already
    /// (or the button is not that chat's).</summary>
    public static Task<long?> RateAsync(IDbConnection c, IDbTransaction t, long requestId, long chatId, int score, long userId, DateTimeOffset now) =>
        c.ExecuteScalarAsync<long?>(Rate, new { Id = requestId, ChatId = chatId, Score = score, UserId = userId, Now = now.ToUnixTimeMilliseconds() }, t);

    public static async Task<IReadOnlyList<Rating>> RatedAsync(IDbConnection c, IDbTransaction? t, DateTimeOffset from, DateTimeOffset to) =>
        (await c.QueryAsync<Row>(SelectRated, new { From = from.ToUnixTimeMilliseconds(), To = to.ToUnixTimeMilliseconds() }, t))
            .Select(r => new Rating(r.RequestId, r.ProjectId, r.Project, r.Client, r.ChatId, (int)r.Score, DateTimeOffset.FromUnixTimeMilliseconds(r.RatedAt)))
            .ToList();

    public static async Task<RatingSummary> SummaryAsync(IDbConnection c, IDbTransaction? t, DateTimeOffset from, DateTimeOffset to)
    {
        var rated = await RatedAsync(c, t, from, to);
        var asked = await c.ExecuteScalarAsync<long>(CountAsked, new { From = from.ToUnixTimeMilliseconds(), To = to.ToUnixTimeMilliseconds() }, t);
        return new RatingSummary(rated.Count(r => r.Score == 1), rated.Count(r => r.Score == 0), rated.Count(r => r.Score == -1), (int)asked);
    }

    private sealed record Row
    {
        public long RequestId { get; init; }
        public long ProjectId { get; init; }
        public string Project { get; init; } = "";
        public string Client { get; init; } = "";
        public long ChatId { get; init; }
        public long Score { get; init; }
        public long RatedAt { get; init; }
    }
}
