using System.Text.Json;
using System.Text.Json.Nodes;
using AgencyBot.Core.Clients;
using AgencyBot.Core.Data;
using AgencyBot.Core.Messaging;
using Telegram.Bot;
using Telegram.Bot.Requests.Abstractions;

namespace AgencyBot.Core.Outbox;

public sealed record OutboxItem
{
    public long Id { get; init; }
    public long ChatId { get; init; }
    public string Method { get; init; } = "";
    public string Payload { get; init; } = "";
    public long Attempts { get; init; }
    public long NotBefore { get; init; }
    /// <summary>A staff-chat post about this project: it goes into the project's topic when the staff chat has topics
    /// (decided at send time, the sender creating the topic on first need), else into the group.</summary>
    public long? TopicProjectId { get; init; }
    /// <summary>The conversation message this post carries; its Telegram ids are kept in relay_posts.</summary>
    public long? MessageId { get; init; }
    /// <summary>The queue within the chat: the project for staff-chat posts, else 0.</summary>
    public long Lane { get; init; }
    public bool Mergeable { get; init; }
    /// <summary>For a head: 1 when its lane holds the first message of a waiting period.</summary>
    public long Priority { get; init; }
    public long CreatedAt { get; init; }
    /// <summary>The staff member whose answer to a client this row carries (its first row only).</summary>
    public long? AnswerBy { get; init; }
}

/// <summary>What an outbox row is about, beyond its request. <paramref name="Mergeable"/>: a text relay that may share
/// a post with the texts queued behind it; <paramref name="FirstOfWait"/>: it opened a waiting period;
/// <paramref name="AnswerBy"/>: the staff member whose answer to a client it carries (its waiting period closes when
/// Telegram accepts it).
/// <paramref name="Scheduled"/>: an answer sent later (/later), in a lane of its own so that it holds up nothing meanwhile.</summary>
public sealed record OutboxLink(long? TopicProjectId = null, long? MessageId = null, TimeSpan? Delay = null,
    bool Mergeable = false, bool FirstOfWait = false, long? AnswerBy = null, bool Notice = false, bool Scheduled = false)
{
    /// <summary>Below every project's lane (±project id): one lane per scheduled answer, by its message.</summary>
    private const long ScheduledLanes = -(1L << 50);

    /// <summary>The queue within the chat: a staff-chat post about a project waits in that project's lane, the bot's own
    /// notices in a lane of their own beside it (so they never hold up a client's message), a scheduled answer in its
    /// own lane (it waits for its time without holding up the chat), anything else in lane 0.</summary>
    public long Lane => Scheduled && MessageId is { } message ? ScheduledLanes - message
        : TopicProjectId is { } project ? Notice ? -project : project : 0;

    /// <summary>A lane holding the first message of a waiting period goes first, notices last.</summary>
    public long Priority => FirstOfWait ? 1 : Notice ? -1 : 0;
}

public sealed record OldestRelay(long OutboxId, long ChatId, long ProjectId, DateTimeOffset Since);

/// <summary>How much waits for one chat, and since when.</summary>
public sealed record ChatBacklog(long ChatId, long Pending, DateTimeOffset OldestSince);

/// <summary>Who holds the right to send (PostgreSQL): the session (backend process id) that took the sending lease,
/// and the lease's advisory key. Rows are claimed only while that session still holds it.</summary>
public sealed record LeaseHolder(int Pid, long Key);

/// <summary>The outbox table: every message the bot sends, from decision to Telegram's message_id.</summary>
public sealed class OutboxStore(Database database, TimeProvider clock)
{
    private const string Insert = """
        INSERT INTO outbox (chat_id, method, payload, not_before, created_at, topic_project_id, message_id, lane, mergeable, priority, answer_by)
        VALUES (@ChatId, @Method, @Payload, @NotBefore, @Now, @TopicProjectId, @MessageId, @Lane, @Mergeable, @Priority, @AnswerBy)
        RETURNING id
        """;

    // Later parts of an album join the pending copyMessages row of its first part, while the sender
    // cannot have picked that row yet (its not_before is still comfortably ahead).
    private const string SelectAlbum = """
        SELECT o.id AS Id, o.payload AS Payload FROM outbox o JOIN messages m ON m.id = o.message_id
        WHERE o.chat_id = @ChatId AND o.method = 'copyMessages' AND o.state = 'pending' AND o.claimed_at IS NULL
          AND m.media_group_id = @MediaGroupId AND o.not_before > @SafeAfter
        ORDER BY o.id DESC LIMIT 1
        """;

    private const string UpdateAlbum = "UPDATE outbox SET payload = @Payload, not_before = @NotBefore WHERE id = @Id";

    // Each copy an album made is kept as its own part's post (Telegram returns them in the order of the ids copied), so
    // an edit or a takeback of one part finds its copy whichever row carried it; anything else is the row's message's.
    private const string InsertPost = """
        INSERT INTO relay_posts (chat_id, telegram_message_id, message_id)
        VALUES (@ChatId, @TelegramMessageId, COALESCE(
            (SELECT p.id FROM messages p JOIN messages h ON h.conversation_id = p.conversation_id AND h.direction = p.direction AND h.chat_id = p.chat_id
             WHERE h.id = @MessageId AND p.telegram_message_id = @PartId ORDER BY p.id LIMIT 1),
            @MessageId))
        ON CONFLICT DO NOTHING
        """;

    private const string RowColumns = """
        o.id AS Id, o.chat_id AS ChatId, o.method AS Method, o.payload AS Payload, o.attempts AS Attempts,
        o.not_before AS NotBefore, o.topic_project_id AS TopicProjectId, o.message_id AS MessageId,
        o.lane AS Lane, o.mergeable AS Mergeable, o.created_at AS CreatedAt, o.answer_by AS AnswerBy
        """;

    // Only the oldest pending row of each lane is eligible: that keeps the order within a lane even while
    // the head waits for a retry.
    private const string SelectHeads = $"""
        SELECT {RowColumns}, head.priority AS Priority
        FROM outbox o
        JOIN (SELECT MIN(id) AS id, MAX(priority) AS priority FROM outbox WHERE state = 'pending' GROUP BY chat_id, lane) head
          ON head.id = o.id
        ORDER BY o.id
        LIMIT @Limit
        """;

    private const string SelectFollowers = $"""
        SELECT {RowColumns}, o.priority AS Priority
        FROM outbox o
        WHERE o.chat_id = @ChatId AND o.lane = @Lane AND o.state = 'pending' AND o.id > @Id
        ORDER BY o.id
        LIMIT @Limit
        """;

    // A 429 is about the chat, not the row: every row queued for it waits.
    private const string PauseChat = """
        UPDATE outbox SET not_before = CASE WHEN not_before > @Until THEN not_before ELSE @Until END
        WHERE chat_id = @ChatId AND state = 'pending'
        """;

    private const string SelectOldestRelay = """
        SELECT id AS Id, chat_id AS ChatId, created_at AS CreatedAt, topic_project_id AS ProjectId
        FROM outbox WHERE state = 'pending' AND topic_project_id IS NOT NULL AND message_id IS NOT NULL
        ORDER BY id LIMIT 1
        """;

    private const string SelectStates = "SELECT state, COUNT(*) FROM outbox GROUP BY state";

    private const string SelectFailed = """
        SELECT id AS Id, chat_id AS ChatId, method AS Method, last_error AS LastError, created_at AS CreatedAt
        FROM outbox WHERE state = 'failed' ORDER BY id DESC LIMIT @Limit
        """;

    // The oldest row that could have been sent (it is due and its chat is not waiting out a 429).
    private const string SelectOldestDue = "SELECT MIN(not_before) FROM outbox WHERE state = 'pending' AND not_before <= @Now";

    public sealed record FailedSend(long Id, long ChatId, string Method, string? LastError, long CreatedAt);

    public async Task<IReadOnlyList<FailedSend>> FailedAsync(int limit, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<FailedSend>(SelectFailed, new { Limit = limit })).AsList();
    }

    /// <summary>How long the longest-due row has been waiting to go out (zero when nothing is due).</summary>
    public async Task<TimeSpan> LongestDueAsync(CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var oldest = await connection.ExecuteScalarAsync<long?>(SelectOldestDue, new { Now = now });
        return oldest is { } due ? TimeSpan.FromMilliseconds(now - due) : TimeSpan.Zero;
    }

    private const string SelectBacklog = """
        SELECT chat_id AS ChatId, COUNT(*) AS Pending, MIN(created_at) AS OldestSince
        FROM outbox WHERE state = 'pending'
        GROUP BY chat_id
        ORDER BY COUNT(*) DESC
        LIMIT @Limit
        """;

    private const string MarkSent = """
        UPDATE outbox SET state = 'sent', attempts = attempts + 1, telegram_message_id = @MessageId, sent_at = @Now, last_error = NULL
        WHERE id = @Id
        """;

    // A row given back by the sender (Telegram did not take it, or it did not fit a merged post): what was withdrawn
    // while it was taken is cancelled now; what was readdressed is moved by MoveReaddressedAsync.
    // (A column may be set once per UPDATE: PostgreSQL refuses a second assignment, SQLite keeps only the last.)
    private const string Released = """
        claimed_at = NULL, claimed_by = NULL, state = CASE WHEN withdrawn IS NULL THEN state ELSE 'cancelled' END
        """;

    private const string GiveBack = $"{Released}, last_error = COALESCE(withdrawn, last_error)";

    private const string Reschedule = $"""
        UPDATE outbox SET attempts = attempts + @Counted, not_before = @NotBefore, last_error = COALESCE(withdrawn, @Error), {Released}
        WHERE id = @Id AND state = 'pending'
        """;

    // A list of ids is an IN list for SQLite and an array for PostgreSQL, which Dapper hands over as one parameter.
    private const string Claim = """
        UPDATE outbox SET claimed_at = @Now, claimed_by = @Claimant WHERE id IN @Ids AND state = 'pending' AND claimed_at IS NULL RETURNING id
        """;

    private const string NotDurable = "SET LOCAL synchronous_commit = off;\n";

    // Fenced by the sending lease: only while the session that took it still holds it (a bigint advisory key shows in
    // pg_locks as its high and low halves), so a host whose lease has gone claims nothing, and sends nothing more.
    private const string ClaimPostgres = """
        UPDATE outbox SET claimed_at = @Now, claimed_by = @Claimant WHERE id = ANY(@Ids) AND state = 'pending' AND claimed_at IS NULL
          AND EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = @Holder
                      AND classid::bigint = @LeaseHigh AND objid::bigint = @LeaseLow AND objsubid = 1)
        RETURNING id
        """;

    // Only another sender's: this one's own claims are requests in flight (it gives them back itself).
    private const string ReleaseClaims = $"""
        UPDATE outbox SET {GiveBack}
        WHERE state = 'pending' AND claimed_at IS NOT NULL AND (claimed_by IS NULL OR claimed_by <> @Claimant)
        """;

    private const string Unclaim = $"UPDATE outbox SET {GiveBack} WHERE id IN @Ids AND state = 'pending'";

    private const string UnclaimPostgres = $"UPDATE outbox SET {GiveBack} WHERE id = ANY(@Ids) AND state = 'pending'";

    // PostgreSQL only (SQLite is never asked for a scope).
    private const string ChatsOfRows = "SELECT DISTINCT chat_id FROM outbox WHERE id = ANY(@Ids)";

    private const string SelectReaddressed = """
        SELECT id AS Id, payload AS Payload, readdress_to AS Target FROM outbox
        WHERE readdress_to IS NOT NULL AND state = 'pending' AND claimed_at IS NULL
        """;

    // Due at once: the old chat may have held them back (a 429, or the bot shut out of it).
    private const string Readdress = "UPDATE outbox SET chat_id = @To, payload = @Payload, not_before = @Now, readdress_to = NULL WHERE id = @Id";

    /// <summary>Who claims rows in this process: a sender frees only the claims of others (dead, or the host that sent before).</summary>
    private readonly string _claimant = Guid.NewGuid().ToString("N");

    /// <summary>Gives back rows taken but not sent after all (they did not fit the post they were to share, or their
    /// outcome could not be recorded). Like putting one back for a later try, it locks only the rows' chats.</summary>
    public Task UnclaimAsync(IReadOnlyCollection<long> ids, CancellationToken ct = default) =>
        ids.Count == 0 ? Task.CompletedTask : database.ClaimAndWriteAsync((_, _) => Task.FromResult(ids.ToArray()),
            async (c, t, rows) => WriteScope.Of(await c.QueryAsync<long>(ChatsOfRows, new { Ids = rows }, t), []),
            async (c, t, rows) =>
            {
                await c.ExecuteAsync(database.Provider == DatabaseProvider.Postgres ? UnclaimPostgres : Unclaim, new { Ids = rows }, t);
                await MoveReaddressedAsync(c, t);
                return true;
            }, ct);

    /// <summary>Takes rows for sending; returns the ids taken (a row cancelled meanwhile is not, nor is any once
    /// <paramref name="lease"/> is lost). A claim is one conditional update of the rows themselves, so it needs no
    /// transaction to stand aside for it: a handler that cancels or moves a row finds it taken, or not, row by row.</summary>
    public async Task<IReadOnlySet<long>> ClaimAsync(IReadOnlyCollection<long> ids, LeaseHolder? lease, CancellationToken ct = default)
    {
        if (ids.Count == 0) return new HashSet<long>();
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (database.Provider == DatabaseProvider.Sqlite)
            return await database.WriteAsync(async (c, t) => (await c.QueryAsync<long>(Claim, new { Ids = ids.ToArray(), Now = now, Claimant = _claimant }, t)).ToHashSet(), ct);
        if (lease is null) return new HashSet<long>();
        // Not waited to disk: a claim lost in a crash is one a restarted sender would have freed anyway.
        return await database.WriteAsync(WriteScope.AddsOnly, async (c, t) => (await c.QueryAsync<long>(NotDurable + ClaimPostgres, new
        {
            Ids = ids.ToArray(), Now = now, Claimant = _claimant, Holder = lease.Pid, LeaseHigh = lease.Key >> 32, LeaseLow = lease.Key & 0xFFFF_FFFFL,
        }, t)).ToHashSet(), ct);
    }

    /// <summary>A sender that starts (after a restart, or taking over) frees what a dead sender had taken: at most that
    /// request in flight is sent again.</summary>
    public Task<int> ReleaseClaimsAsync(CancellationToken ct = default) =>
        database.WriteAsync(async (c, t) =>
        {
            var released = await c.ExecuteAsync(ReleaseClaims, new { Claimant = _claimant }, t);
            await MoveReaddressedAsync(c, t);
            return released;
        }, ct);

    /// <summary>Rows readdressed while the sender held them (the staff chat moved) go to their new chat once given back.
    /// Only such rows carry readdress_to, and only for as long as that takes.</summary>
    private async Task MoveReaddressedAsync(IDbConnection c, IDbTransaction t)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var (id, payload, to) in await c.QueryAsync<(long Id, string Payload, long Target)>(SelectReaddressed, transaction: t))
            await c.ExecuteAsync(Readdress, new { Id = id, To = to, Payload = AddressedTo(payload, to), Now = now }, t);
    }

    /// <summary>A request body sent to another chat. Edited here rather than in SQL, whose JSON functions differ between
    /// SQLite and PostgreSQL.</summary>
    private static string AddressedTo(string payload, long chatId)
    {
        var body = JsonNode.Parse(payload)!;
        body["chat_id"] = chatId;
        return body.ToJsonString();
    }

    private const string SelectQueued = """
        SELECT id AS Id, payload AS Payload, claimed_at IS NOT NULL AS Claimed FROM outbox
        WHERE chat_id = @From AND state = 'pending' AND (@AnyRow = 1 OR topic_project_id IS NOT NULL) AND (@AnyRow = 0 OR claimed_at IS NULL)
        """;

    // A post in flight to the old staff chat goes where it was going; it moves to the new one when given back, and is
    // copied there if Telegram took it. (A chat's upgrade needs none of that: Telegram refuses the old id, naming the new.)
    private const string ReaddressClaimed = "UPDATE outbox SET readdress_to = @To WHERE id = @Id AND claimed_at IS NOT NULL";

    /// <summary>Sends what is queued for one chat to another instead: every row (the same chat under its new id), or only
    /// the posts about projects (the staff chat moved with /setup). Returns how many rows moved.</summary>
    public static async Task<int> ReaddressAsync(IDbConnection connection, IDbTransaction transaction, long from, long to, bool anyRow, DateTimeOffset now)
    {
        var queued = (await connection.QueryAsync<(long Id, string Payload, bool Claimed)>(SelectQueued, new { From = from, AnyRow = anyRow ? 1 : 0 }, transaction)).AsList();
        foreach (var (id, payload, claimed) in queued)
            await connection.ExecuteAsync(claimed ? ReaddressClaimed : Readdress,
                new { Id = id, To = to, Payload = AddressedTo(payload, to), Now = now.ToUnixTimeMilliseconds() }, transaction);
        return queued.Count;
    }

    private const string MarkFailed = """
        UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = @Error
        WHERE id = @Id
        """;


    /// <summary>A text for a chat, in as many messages as Telegram's length limit needs (never cutting a character
    /// in two), each in the thread and as the reply given.</summary>
    public async Task EnqueueTextAsync(IDbConnection connection, IDbTransaction transaction, long chatId, string text, int? threadId = null,
        ReplyParameters? replyTo = null)
    {
        foreach (var part in MessageContent.Split(text))
            await EnqueueAsync(connection, transaction, chatId, new SendMessageRequest
            {
                ChatId = chatId, Text = part, MessageThreadId = threadId, ReplyParameters = replyTo,
            });
    }

    /// <summary>Queues a Bot API request in the caller's transaction.</summary>
    public async Task<long> EnqueueAsync<TResult>(IDbConnection connection, IDbTransaction transaction, long chatId, IRequest<TResult> request,
        OutboxLink? link = null)
    {
        var payload = BotJson.SerializeAsItIs(request);
        var now = clock.GetUtcNow();
        return await connection.ExecuteScalarAsync<long>(Insert, new
        {
            ChatId = chatId,
            Method = request.MethodName,
            Payload = payload,
            Now = now.ToUnixTimeMilliseconds(),
            NotBefore = (now + (link?.Delay ?? TimeSpan.Zero)).ToUnixTimeMilliseconds(),
            link?.TopicProjectId,
            link?.MessageId,
            Lane = link?.Lane ?? 0,
            Mergeable = link?.Mergeable == true ? 1 : 0,
            Priority = link?.Priority ?? 0,
            link?.AnswerBy,
        }, transaction);
    }

    /// <summary>Answers a button press (the pop-up its presser sees, or nothing). Keyed by the presser: a callback answer
    /// is no post in a group and must not spend the group's budget.</summary>
    public Task<long> AnswerButtonAsync(IDbConnection connection, IDbTransaction transaction, CallbackQuery query, string? text,
        bool alert = false) =>
        EnqueueAsync(connection, transaction, query.From.Id, new AnswerCallbackQueryRequest
        {
            CallbackQueryId = query.Id, Text = text, ShowAlert = alert,
        });

    /// <summary>A press that is not obeyed: a stranger's (or a former colleague's), or on a button whose subject is gone.
    /// The presser is told which, and nothing else happens.</summary>
    public Task<long> RefusePressAsync(IDbConnection connection, IDbTransaction transaction, CallbackQuery query, bool byStaff) =>
        AnswerButtonAsync(connection, transaction, query, byStaff ? "This button has expired." : "Only registered staff can use these buttons.");

    /// <summary>Queues a request whose body the caller built (an upload that refers to a stored attachment); with a
    /// link, into a project's topic like any other post.</summary>
    public async Task<long> EnqueueRawAsync(IDbConnection connection, IDbTransaction transaction, long chatId, string method, string payload,
        OutboxLink? link = null)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        return await connection.ExecuteScalarAsync<long>(Insert, new
        {
            ChatId = chatId, Method = method, Payload = payload, Now = now, NotBefore = now,
            link?.TopicProjectId, MessageId = (long?)null, Lane = link?.Lane ?? 0, Mergeable = 0, Priority = link?.Priority ?? 0, AnswerBy = (long?)null,
        }, transaction);
    }

    /// <summary>Adds an album part to the pending copyMessages row of the album's first part, and gives the album
    /// <paramref name="wait"/> more for further parts. False when there is no such row to join (start a new one).</summary>
    public async Task<bool> AppendToAlbumAsync(IDbConnection connection, IDbTransaction transaction, long chatId, string mediaGroupId,
        long telegramMessageId, TimeSpan wait)
    {
        var now = clock.GetUtcNow();
        var album = await connection.QuerySingleOrDefaultAsync<(long Id, string Payload)?>(SelectAlbum, new
        {
            ChatId = chatId,
            MediaGroupId = mediaGroupId,
            SafeAfter = (now + TimeSpan.FromMilliseconds(300)).ToUnixTimeMilliseconds(),
        }, transaction);
        if (album is not { } row) return false;
        // Edited here rather than in SQL, whose JSON functions differ between SQLite and PostgreSQL.
        // Telegram wants the ids in increasing order; parts may be handled out of order.
        var body = JsonNode.Parse(row.Payload)!;
        body["message_ids"] = new JsonArray(AlbumPartsOf(row.Payload).Append(telegramMessageId).Distinct().Order().Select(id => (JsonNode)id).ToArray());
        await connection.ExecuteAsync(UpdateAlbum,
            new { row.Id, Payload = body.ToJsonString(), NotBefore = (now + wait).ToUnixTimeMilliseconds() }, transaction);
        return true;
    }

    public async Task<IReadOnlyList<OutboxItem>> HeadsAsync(int limit, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<OutboxItem>(SelectHeads, new { Limit = limit })).AsList();
    }

    /// <summary>The rows queued behind <paramref name="head"/> in its lane, oldest first.</summary>
    public async Task<IReadOnlyList<OutboxItem>> FollowersAsync(OutboxItem head, int limit, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<OutboxItem>(SelectFollowers, new { head.ChatId, head.Lane, head.Id, Limit = limit })).AsList();
    }

    /// <summary>Holds the chat's queue until <paramref name="until"/> (a 429, or the bot shut out of it). On PostgreSQL it
    /// locks that chat, as a handler moving or withdrawing the chat's rows does.</summary>
    public Task PauseChatAsync(long chatId, DateTimeOffset until, CancellationToken ct = default) =>
        database.WriteAsync(WriteScope.Of([chatId], []), (c, t) => c.ExecuteAsync(PauseChat, new { ChatId = chatId, Until = until.ToUnixTimeMilliseconds() }, t), ct);

    /// <summary>The chats with the most messages waiting, with the oldest one's time.</summary>
    public async Task<IReadOnlyList<ChatBacklog>> BacklogAsync(int limit, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<(long ChatId, long Pending, long OldestSince)>(SelectBacklog, new { Limit = limit }))
            .Select(b => new ChatBacklog(b.ChatId, b.Pending, DateTimeOffset.FromUnixTimeMilliseconds(b.OldestSince)))
            .ToList();
    }

    private const string SelectPayload = "SELECT payload FROM outbox WHERE id = @Id";

    // The parts that joined an album's row after it was read stay queued in it, as a row nobody holds.
    private const string SetPayload = $"UPDATE outbox SET payload = @Payload, {GiveBack} WHERE id = @Id";

    /// <summary>The messages a copyMessages request copies, in order.</summary>
    public static IReadOnlyList<long> AlbumPartsOf(string payload) =>
        (JsonNode.Parse(payload)?["message_ids"]?.AsArray() ?? []).Select(n => (long)n!).ToList();

    private static string WithIds(string payload, IReadOnlyList<long> ids)
    {
        var json = JsonNode.Parse(payload)!.AsObject();
        json["message_ids"] = new JsonArray(ids.Select(id => (JsonNode)id).ToArray());
        return json.ToJsonString();
    }

    private const string SelectUnrecorded = """
        SELECT EXISTS (SELECT 1 FROM outbox WHERE chat_id = @ChatId AND state = 'pending' AND message_id IS NOT NULL)
        """;

    /// <summary>Whether posts carrying conversation messages are still on their way to (or back from) this chat.</summary>
    public static async Task<bool> HasUnrecordedPostsAsync(IDbConnection connection, IDbTransaction transaction, long chatId) =>
        await connection.ExecuteScalarAsync<long>(SelectUnrecorded, new { ChatId = chatId }, transaction) == 1;

    /// <summary>The client message that has waited longest for its relay to the staff chat.</summary>
    public async Task<OldestRelay?> OldestPendingRelayAsync(CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<(long Id, long ChatId, long CreatedAt, long ProjectId)?>(SelectOldestRelay);
        return row is { } r ? new OldestRelay(r.Id, r.ChatId, r.ProjectId, DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt)) : null;
    }

    public async Task<IReadOnlyDictionary<string, long>> CountByStateAsync(CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<(string State, long Count)>(SelectStates)).ToDictionary(r => r.State, r => r.Count);
    }

    /// <summary>Records sent rows, many in one transaction (group commit under load), with the posts they made;
    /// <paramref name="then"/> runs in that transaction with the rows now sent, and <paramref name="scopeOf"/> says what
    /// it touches (by default, everything). The rows themselves are this sender's claim: no one else writes them.</summary>
    public Task MarkSentAsync(IReadOnlyCollection<(OutboxItem Item, IReadOnlyList<int> MessageIds)> sent,
        Func<IDbConnection, IDbTransaction, IReadOnlyList<OutboxItem>, Task>? then = null,
        Func<IDbConnection, IDbTransaction, IReadOnlyList<OutboxItem>, Task<WriteScope>>? scopeOf = null, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var items = sent.Select(s => s.Item).ToList();
        return database.ClaimAndWriteAsync((_, _) => Task.FromResult(true),
            (c, t, _) => scopeOf?.Invoke(c, t, items) ?? Task.FromResult(WriteScope.Everything),
            async (c, t, _) =>
        {
            // An album part may have joined a copyMessages row after the sender read it: that part stays queued.
            var albums = sent.Where(s => s.Item.Method == "copyMessages").ToList();
            var grown = new HashSet<long>();
            foreach (var (item, _) in albums)
                if (await c.ExecuteScalarAsync<string>(SelectPayload, new { item.Id }, t) is { } current && current != item.Payload)
                {
                    var sentIds = AlbumPartsOf(item.Payload);
                    var left = AlbumPartsOf(current).Where(id => !sentIds.Contains(id)).ToList();
                    await c.ExecuteAsync(SetPayload, new { item.Id, Payload = WithIds(current, left) }, t);
                    grown.Add(item.Id);
                }
            await c.ExecuteAsync(MarkSent, sent.Where(s => !grown.Contains(s.Item.Id))
                .Select(s => new { s.Item.Id, MessageId = s.MessageIds.Count > 0 ? s.MessageIds[0] : (int?)null, Now = now }), t);
            var posts = sent.Where(s => s.Item.MessageId is not null)
                .SelectMany(s =>
                {
                    var parts = s.Item.Method == "copyMessages" ? AlbumPartsOf(s.Item.Payload) : [];
                    return s.MessageIds.Select((id, i) => new { s.Item.ChatId, TelegramMessageId = id, s.Item.MessageId, PartId = i < parts.Count ? parts[i] : (long?)null });
                })
                .ToList();
            if (posts.Count > 0) await c.ExecuteAsync(InsertPost, posts, t);
            await CopyReaddressedAsync(c, t, sent.Select(s => s.Item.Id).ToList());
            if (then is not null) await then(c, t, sent.Where(s => !grown.Contains(s.Item.Id)).Select(s => s.Item).ToList());
            return true;
        }, ct);
    }

    private const string SelectSentReaddressed = """
        SELECT id AS Id, payload AS Payload, readdress_to AS Target FROM outbox WHERE id IN @Ids AND readdress_to IS NOT NULL
        """;

    private const string SelectSentReaddressedPostgres = """
        SELECT id AS Id, payload AS Payload, readdress_to AS Target FROM outbox WHERE id = ANY(@Ids) AND readdress_to IS NOT NULL
        """;

    private const string InsertCopy = """
        INSERT INTO outbox (chat_id, method, payload, not_before, created_at, topic_project_id, message_id, lane, mergeable, priority, answer_by)
        SELECT @To, method, @Payload, @Now, created_at, topic_project_id, message_id, lane, mergeable, priority, answer_by FROM outbox WHERE id = @Id;
        UPDATE outbox SET readdress_to = NULL WHERE id = @Id;
        """;

    /// <summary>A row readdressed while it was on its way reached its old chat after all: it goes to the new one too.</summary>
    private async Task CopyReaddressedAsync(IDbConnection c, IDbTransaction t, IReadOnlyList<long> ids)
    {
        var sql = database.Provider == DatabaseProvider.Postgres ? SelectSentReaddressedPostgres : SelectSentReaddressed;
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var (id, payload, to) in await c.QueryAsync<(long Id, string Payload, long Target)>(sql, new { Ids = ids.ToArray() }, t))
            await c.ExecuteAsync(InsertCopy, new { Id = id, To = to, Payload = AddressedTo(payload, to), Now = now }, t);
    }

    private const string SelectRowsOfMessage = """
        SELECT id AS Id, chat_id AS ChatId, method AS Method, payload AS Payload, state AS State, telegram_message_id AS TelegramMessageId,
               answer_by AS AnswerBy
        FROM outbox WHERE message_id = @MessageId AND chat_id = @ChatId ORDER BY id
        """;

    /// <summary>Cancels the pending rows <paramref name="where"/> selects: at once those nobody has taken; a row the sender
    /// holds is withdrawn, so it is cancelled if Telegram does not take it, rather than tried again.</summary>
    private static string Cancel(string where) => $"""
        UPDATE outbox SET state = 'cancelled', last_error = @Why WHERE state = 'pending' AND claimed_at IS NULL AND {where};
        UPDATE outbox SET withdrawn = @Why WHERE state = 'pending' AND claimed_at IS NOT NULL AND {where};
        """;

    private static readonly string CancelOfMessage = Cancel("message_id = @MessageId AND chat_id = @ChatId");

    private static readonly string CancelOfProjectChat = Cancel("""
        chat_id = @ChatId AND message_id IN (SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.project_id = @ProjectId)
        """);

    /// <summary>Cancels what is queued to a chat for a project (the chat was taken off it).</summary>
    public static Task CancelOfProjectChatAsync(IDbConnection connection, IDbTransaction transaction, long chatId, long projectId, string why) =>
        connection.ExecuteAsync(CancelOfProjectChat, new { ChatId = chatId, ProjectId = projectId, Why = why }, transaction);

    /// <summary>A row that carried (or carries) a conversation message to a chat.</summary>
    public sealed record RowOfMessage(long Id, long ChatId, string Method, string Payload, string State, long? TelegramMessageId, long? AnswerBy);

    /// <summary>Every row that carried (or still carries) a conversation message to a chat, in order.</summary>
    public static async Task<IReadOnlyList<RowOfMessage>> RowsOfMessageAsync(IDbConnection connection, IDbTransaction transaction, long messageId, long chatId) =>
        (await connection.QueryAsync<RowOfMessage>(SelectRowsOfMessage, new { MessageId = messageId, ChatId = chatId }, transaction)).AsList();

    /// <summary>Cancels what is still queued of a conversation message to a chat (a row on its way is withdrawn); returns
    /// how many rows.</summary>
    public static Task<int> CancelOfMessageAsync(IDbConnection connection, IDbTransaction transaction, long messageId, long chatId, string why) =>
        connection.ExecuteAsync(CancelOfMessage, new { MessageId = messageId, ChatId = chatId, Why = why }, transaction);

    private const string SelectRecentSends = """
        SELECT chat_id AS ChatId, sent_at AS SentAt, method AS Method, payload AS Payload, telegram_message_id AS TelegramMessageId
        FROM outbox WHERE state = 'sent' AND sent_at > @Since
        """;

    /// <summary>How many messages a request makes in its chat, which is what Telegram's limits count: an album a message
    /// per part, a button's answer none.</summary>
    public static int PostsOf(string method, string payload) => method switch
    {
        "answerCallbackQuery" => 0,
        "copyMessages" => Math.Max(1, AlbumPartsOf(payload).Count),
        _ => 1,
    };

    /// <summary>Posts made since <paramref name="since"/>, per chat (an album counts a post per part, a callback answer none):
    /// what the buckets of a host that starts sending must be charged with.</summary>
    public async Task<IReadOnlyList<(long ChatId, DateTimeOffset At, int Posts)>> RecentSendsAsync(DateTimeOffset since, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        // Relays merged into one post are rows sharing its message id: one post, not one per row.
        return (await connection.QueryAsync<(long ChatId, long SentAt, string Method, string Payload, long? TelegramMessageId)>(SelectRecentSends,
                new { Since = since.ToUnixTimeMilliseconds() }))
            .DistinctBy(r => (r.ChatId, r.SentAt, Post: r.TelegramMessageId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? r.Payload))
            .Select(r => (r.ChatId, DateTimeOffset.FromUnixTimeMilliseconds(r.SentAt), PostsOf(r.Method, r.Payload)))
            .Where(r => r.Item3 > 0)
            .ToList();
    }

    /// <summary>Puts the row back for a later try (or cancels it, if it was withdrawn meanwhile). A 429 is not the
    /// message's fault, so it is not counted. The row is this sender's claim and the update is conditional on it, so on
    /// PostgreSQL it locks only the row's chat (a failing Telegram, rows put back by the hundred, holds up no other chat's
    /// handling). Rows readdressed meanwhile move with it: only a move of the staff chat, which runs alone, marks them.</summary>
    public Task RescheduleAsync(OutboxItem item, DateTimeOffset notBefore, string error, bool countAttempt, CancellationToken ct = default) =>
        database.WriteAsync(WriteScope.Of([item.ChatId], []), async (c, t) =>
        {
            await c.ExecuteAsync(Reschedule, new { item.Id, NotBefore = notBefore.ToUnixTimeMilliseconds(), Error = error, Counted = countAttempt ? 1 : 0 }, t);
            await MoveReaddressedAsync(c, t);
        }, ct);

    /// <summary>Telegram refused the row for good; <paramref name="then"/> runs in the same transaction, and
    /// <paramref name="scopeOf"/> says what it touches (by default, everything).</summary>
    public Task MarkFailedAsync(OutboxItem item, string error, Func<IDbConnection, IDbTransaction, Task>? then = null,
        Func<IDbConnection, IDbTransaction, IReadOnlyList<OutboxItem>, Task<WriteScope>>? scopeOf = null, CancellationToken ct = default) =>
        database.ClaimAndWriteAsync((_, _) => Task.FromResult(true),
            (c, t, _) => scopeOf?.Invoke(c, t, [item]) ?? Task.FromResult(WriteScope.Everything),
            async (c, t, _) =>
            {
                await c.ExecuteAsync(MarkFailed, new { item.Id, Error = error }, t);
                if (then is not null) await then(c, t);
                return true;
            }, ct);

    private const string RetryFailed = """
        UPDATE outbox SET state = 'pending', attempts = 0, not_before = @Now, last_error = NULL, claimed_at = NULL
        WHERE id = @Id AND state = 'failed' AND withdrawn IS NULL
        RETURNING chat_id
        """;

    private const string SelectRow = $"SELECT {RowColumns}, o.priority AS Priority FROM outbox o WHERE o.id = @Id";

    public static Task<OutboxItem?> RowAsync(IDbConnection connection, IDbTransaction transaction, long id) =>
        connection.QuerySingleOrDefaultAsync<OutboxItem>(SelectRow, new { Id = id }, transaction);

    /// <summary>Queues a refused row again (staff pressed Retry); its chat, or null when it was not failed.</summary>
    public static Task<long?> RetryFailedAsync(IDbConnection connection, IDbTransaction transaction, long id, DateTimeOffset now) =>
        connection.ExecuteScalarAsync<long?>(RetryFailed, new { Id = id, Now = now.ToUnixTimeMilliseconds() }, transaction);

    private const string Resume = "UPDATE outbox SET not_before = @Now WHERE chat_id = @ChatId AND state = 'pending' AND not_before > @Now";

    private const string MoveAnswer = "UPDATE outbox SET not_before = @At WHERE message_id = @MessageId AND state = 'pending' AND claimed_at IS NULL";

    /// <summary>What is still queued (and not being sent) of these recorded messages goes at <paramref name="at"/>
    /// instead; how many rows. None: they went already. (One statement per message: an answer has a few.)</summary>
    public static async Task<int> RescheduleAsync(IDbConnection connection, IDbTransaction transaction, IReadOnlyCollection<long> messageIds, DateTimeOffset at)
    {
        var moved = 0;
        foreach (var id in messageIds)
            moved += await connection.ExecuteAsync(MoveAnswer, new { MessageId = id, At = at.ToUnixTimeMilliseconds() }, transaction);
        return moved;
    }

    /// <summary>What waited out a pause of the chat goes now; returns how many rows.</summary>
    public static Task<int> ResumeChatAsync(IDbConnection connection, IDbTransaction transaction, long chatId, DateTimeOffset now) =>
        connection.ExecuteAsync(Resume, new { ChatId = chatId, Now = now.ToUnixTimeMilliseconds() }, transaction);

    /// <summary>Fails the row and marks the chat blocked; <paramref name="onNewlyBlocked"/> runs in the same
    /// transaction the first time only, so a blocked chat is reported once.</summary>
    public Task MarkBlockedAsync(long id, long chatId, string error, Func<IDbConnection, IDbTransaction, Task>? onNewlyBlocked,
        Func<IDbConnection, IDbTransaction, Task>? then = null, CancellationToken ct = default) =>
        database.WriteAsync(async (c, t) =>
        {
            await c.ExecuteAsync(MarkFailed, new { Id = id, Error = error }, t);
            var newly = await ClientChatStore.SetBlockedAsync(c, t, chatId, true, error, clock.GetUtcNow());
            if (newly && onNewlyBlocked is not null) await onNewlyBlocked(c, t);
            if (then is not null) await then(c, t);
        }, ct);
}
