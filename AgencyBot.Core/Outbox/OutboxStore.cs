using System.Data;
using System.Text.Json;
using AgencyBot.Core.Data;
using Dapper;
using Telegram.Bot;
using Telegram.Bot.Requests.Abstractions;

namespace AgencyBot.Core.Outbox;

public sealed record OutboxItem(long Id, long ChatId, string Method, string Payload, long Attempts, long NotBefore);

/// <summary>The outbox table: every message the bot sends, from decision to Telegram's message_id.</summary>
public sealed class OutboxStore(Database database, TimeProvider clock)
{
    private const string Insert = """
        INSERT INTO outbox (chat_id, method, payload, not_before, created_at)
        VALUES (@ChatId, @Method, @Payload, @Now, @Now)
        RETURNING id
        """;

    // Only the oldest pending row of each chat is eligible: that keeps per-chat order even while
    // the head waits for a retry.
    private const string SelectHeads = """
        SELECT o.id AS Id, o.chat_id AS ChatId, o.method AS Method, o.payload AS Payload,
               o.attempts AS Attempts, o.not_before AS NotBefore
        FROM outbox o
        JOIN (SELECT MIN(id) AS id FROM outbox WHERE state = 'pending' GROUP BY chat_id) head ON head.id = o.id
        ORDER BY o.id
        LIMIT @Limit
        """;

    private const string MarkSent = """
        UPDATE outbox SET state = 'sent', attempts = attempts + 1, telegram_message_id = @MessageId, sent_at = @Now, last_error = NULL
        WHERE id = @Id
        """;

    private const string Reschedule = """
        UPDATE outbox SET attempts = attempts + @Counted, not_before = @NotBefore, last_error = @Error
        WHERE id = @Id
        """;

    private const string MarkFailed = """
        UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = @Error
        WHERE id = @Id
        """;

    private const string InsertBlocked = """
        INSERT INTO blocked_chats (chat_id, blocked_at, reason) VALUES (@ChatId, @Now, @Reason)
        ON CONFLICT (chat_id) DO UPDATE SET blocked_at = excluded.blocked_at, reason = excluded.reason
        """;

    /// <summary>Queues a Bot API request in the caller's transaction.</summary>
    public async Task<long> EnqueueAsync<TResult>(IDbConnection connection, IDbTransaction transaction, long chatId, IRequest<TResult> request)
    {
        var payload = JsonSerializer.Serialize(request, request.GetType(), JsonBotAPI.Options);
        return await connection.ExecuteScalarAsync<long>(Insert, new
        {
            ChatId = chatId,
            Method = request.MethodName,
            Payload = payload,
            Now = clock.GetUtcNow().ToUnixTimeMilliseconds(),
        }, transaction);
    }

    public async Task<IReadOnlyList<OutboxItem>> HeadsAsync(int limit, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<OutboxItem>(SelectHeads, new { Limit = limit })).AsList();
    }

    /// <summary>Records sent rows, many in one transaction (group commit under load).</summary>
    public Task MarkSentAsync(IReadOnlyCollection<(long Id, int? MessageId)> sent, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        return database.WriteAsync((c, t) => c.ExecuteAsync(MarkSent,
            sent.Select(s => new { s.Id, s.MessageId, Now = now }), t), ct);
    }

    /// <summary>Puts the row back for a later try. A 429 is not the message's fault, so it is not counted.</summary>
    public Task RescheduleAsync(long id, DateTimeOffset notBefore, string error, bool countAttempt, CancellationToken ct = default) =>
        database.WriteAsync((c, t) => c.ExecuteAsync(Reschedule,
            new { Id = id, NotBefore = notBefore.ToUnixTimeMilliseconds(), Error = error, Counted = countAttempt ? 1 : 0 }, t), ct);

    public Task MarkFailedAsync(long id, string error, CancellationToken ct = default) =>
        database.WriteAsync((c, t) => c.ExecuteAsync(MarkFailed, new { Id = id, Error = error }, t), ct);

    public Task MarkBlockedAsync(long id, long chatId, string error, CancellationToken ct = default) =>
        database.WriteAsync(async (c, t) =>
        {
            await c.ExecuteAsync(MarkFailed, new { Id = id, Error = error }, t);
            await c.ExecuteAsync(InsertBlocked, new { ChatId = chatId, Now = clock.GetUtcNow().ToUnixTimeMilliseconds(), Reason = error }, t);
        }, ct);
}
