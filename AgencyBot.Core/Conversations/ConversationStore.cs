using AgencyBot.Core.Agency;
using AgencyBot.Core.Data;
using AgencyBot.Core.Messaging;

namespace AgencyBot.Core.Conversations;

public sealed record Conversation
{
    public long Id { get; init; }
    public long ProjectId { get; init; }
    public long ChatId { get; init; }
    [System.Text.Json.Serialization.JsonConverter(typeof(IsoTime))]
    public long CreatedAt { get; init; }
    [System.Text.Json.Serialization.JsonConverter(typeof(IsoTime))]
    public long LastMessageAt { get; init; }
    [System.Text.Json.Serialization.JsonConverter(typeof(IsoTimeOrNull))]
    public long? WaitingSince { get; init; }
}

public enum Direction { Client, Staff, Note }

/// <summary>What a long wait sets off, each once per waiting period.</summary>
public enum WaitLevel { Reminder, Breach, Escalation }

/// <summary>A recorded message, and the project of its conversation.</summary>
public sealed record MessageOfProject(long Id, string? Text, long ConversationId, long ProjectId);

public sealed record NewMessage(
    long ConversationId, Direction Direction, long SenderUserId, string SenderName, string Kind, string? Text,
    long ChatId, long TelegramMessageId, string? MediaGroupId, DateTimeOffset At)
{
    /// <summary>A Telegram message as the record keeps it: its sender, kind, text and Telegram's time.</summary>
    public static NewMessage Of(long conversationId, Direction direction, Message message, DateTimeOffset now) => new(
        conversationId, direction, message.From?.Id ?? 0, MessageContent.SenderName(message.From), MessageContent.Kind(message),
        MessageContent.TextOf(message), message.Chat.Id, message.Id, message.MediaGroupId, message.Date == default ? now : message.Date)
    {
        File = MessageContent.FileOf(message),
    };

    /// <summary>The file it carries (a document, photo, video, voice note…): its name and size, as Telegram gave them.</summary>
    public SentFile? File { get; init; }
}

/// <summary>A later version of a message: an edit (its new text) or "unsent" (staff took the answer back).</summary>
public sealed record MessageVersion
{
    public long MessageId { get; init; }
    public string Kind { get; init; } = "";
    public string? Text { get; init; }
    [System.Text.Json.Serialization.JsonConverter(typeof(IsoTime))]
    public long At { get; init; }
}

public sealed record ConversationMessage
{
    public long Id { get; init; }
    public long ConversationId { get; init; }
    public string Direction { get; init; } = "";
    public long SenderUserId { get; init; }
    public string SenderName { get; init; } = "";
    public string Kind { get; init; } = "";
    public string? Text { get; init; }
    public long ChatId { get; init; }
    public long TelegramMessageId { get; init; }
    public string? MediaGroupId { get; init; }
    [System.Text.Json.Serialization.JsonConverter(typeof(IsoTime))]
    public long CreatedAt { get; init; }
    [System.Text.Json.Serialization.JsonConverter(typeof(IsoTimeOrNull))]
    public long? EditedAt { get; init; }
    /// <summary>Every edit and unsend after the original (<see cref="Text"/>), oldest first.</summary>
    public IReadOnlyList<MessageVersion> Versions { get; init; } = [];
}

/// <summary>Conversations, their messages, waiting periods and the response log.</summary>
public sealed class ConversationStore(Database database)
{
    private const string Columns = """
        id AS Id, project_id AS ProjectId, chat_id AS ChatId, created_at AS CreatedAt,
        last_message_at AS LastMessageAt, waiting_since AS WaitingSince
        """;

    private const string MessageColumns = """
        id AS Id, conversation_id AS ConversationId, direction AS Direction, sender_user_id AS SenderUserId,
        sender_name AS SenderName, kind AS Kind, text AS Text, chat_id AS ChatId, telegram_message_id AS TelegramMessageId,
        media_group_id AS MediaGroupId, created_at AS CreatedAt, edited_at AS EditedAt
        """;

    private const string GetOrCreate = $"""
        INSERT INTO conversations (project_id, chat_id, created_at, last_message_at) VALUES (@ProjectId, @ChatId, @Now, @Now)
        ON CONFLICT (project_id, chat_id) DO UPDATE SET last_message_at = excluded.last_message_at
        RETURNING {Columns}
        """;

    private const string InsertMessage = """
        INSERT INTO messages (conversation_id, direction, sender_user_id, sender_name, kind, text, chat_id,
                              telegram_message_id, media_group_id, created_at, file_name, file_size)
        VALUES (@ConversationId, @Direction, @SenderUserId, @SenderName, @Kind, @Text, @ChatId,
                @TelegramMessageId, @MediaGroupId, @At, @FileName, @FileSize)
        RETURNING id
        """;

    // A new waiting period starts with none of its escalation levels fired.
    private const string OpenWaiting = """
        UPDATE conversations
        SET waiting_since = @Since, reminded_at = NULL, breached_at = NULL, escalated_at = NULL, acked_at = NULL, acked_by = NULL
        WHERE id = @Id AND waiting_since IS NULL
        """;

    private const string ClientWrote = "UPDATE conversations SET last_client_message_at = @At WHERE id = @Id";

    private const string SelectWaiting = """
        SELECT c.waiting_since AS WaitingSince,
               COALESCE(c.taken_by, c.acked_by,
                        (SELECT tm.staff_id FROM team_members tm WHERE tm.project_id = c.project_id AND tm.role = 'assistant'),
                        (SELECT MIN(s.id) FROM staff s WHERE s.role = 'assistant' AND s.active = 1)) AS HeldBy
        FROM conversations c WHERE c.id = @Id AND c.waiting_since IS NOT NULL
        """;

    // The first answer closes the waiting period and is logged with who gave it, how long it took (on the wall
    // clock and in business time), whether that broke the promise, and who held the conversation.
    private const string CloseWaiting = """
        INSERT INTO response_log (conversation_id, project_id, waiting_since, answered_at, answered_by, seconds, business_seconds, breached, held_by)
        SELECT id, project_id, waiting_since, @AnsweredAt, @StaffId, CASE WHEN @AnsweredAt > waiting_since THEN (@AnsweredAt - waiting_since) / 1000 ELSE 0 END, @BusinessSeconds, @Breached, @HeldBy
        FROM conversations WHERE id = @Id AND waiting_since IS NOT NULL;
        UPDATE conversations SET waiting_since = NULL WHERE id = @Id;
        """;

    // /ack: someone is on it. The reminder is no longer needed; the clock keeps running.
    private const string Ack = """
        UPDATE conversations SET acked_at = @Now, acked_by = @StaffId, taken_by = COALESCE(taken_by, @StaffId)
        WHERE id = @Id AND waiting_since IS NOT NULL AND acked_at IS NULL
        """;

    private const string SelectByOriginal = $"""
        SELECT {MessageColumns} FROM messages WHERE chat_id = @ChatId AND telegram_message_id = @TelegramMessageId
        ORDER BY id LIMIT 1
        """;

    private const string SelectByPost = $"""
        SELECT {MessageColumns} FROM messages
        WHERE id = (SELECT MAX(message_id) FROM relay_posts WHERE chat_id = @ChatId AND telegram_message_id = @TelegramMessageId)
        """;

    private const string SelectCarried = $"""
        SELECT {MessageColumns} FROM messages
        WHERE id IN (SELECT message_id FROM relay_posts WHERE chat_id = @ChatId AND telegram_message_id = @TelegramMessageId)
        ORDER BY id
        """;

    // What became of an album's earlier parts a staff member wrote: notes, or answers to which chats.
    private const string SelectAlbumParts = """
        SELECT m.direction AS Direction, c.chat_id AS ChatId FROM messages m JOIN conversations c ON c.id = m.conversation_id
        WHERE m.chat_id = @ChatId AND m.media_group_id = @MediaGroupId
        """;

    private const string SelectPosts = """
        SELECT telegram_message_id FROM relay_posts WHERE message_id = @MessageId AND chat_id = @ChatId ORDER BY telegram_message_id
        """;

    private const string SelectConversation = $"SELECT {Columns} FROM conversations WHERE id = @Id";

    private const string SelectLatestOfProject = $"""
        SELECT {Columns} FROM conversations WHERE project_id = @ProjectId ORDER BY last_message_at DESC LIMIT 1
        """;

    // The original stays as it was written; each change is added.
    private const string InsertVersion = """
        INSERT INTO message_versions (message_id, kind, text, entities, at, recorded_at) VALUES (@Id, @Kind, @Text, @Entities, @At, @Now);
        UPDATE messages SET edited_at = @At WHERE id = @Id;
        """;

    private const string SelectVersions = """
        SELECT v.message_id AS MessageId, v.kind AS Kind, v.text AS Text, v.at AS At
        FROM message_versions v JOIN messages m ON m.id = v.message_id WHERE m.conversation_id = @Id ORDER BY v.id
        """;

    private const string SelectVersionsOf = """
        SELECT v.message_id AS MessageId, v.kind AS Kind, v.text AS Text, v.at AS At
        FROM message_versions v JOIN messages m ON m.id = v.message_id
        WHERE m.chat_id = @ChatId AND m.telegram_message_id = @TelegramMessageId ORDER BY v.id
        """;

    private const string SelectAlbumAnswers = """
        SELECT id, telegram_message_id FROM messages WHERE chat_id = @ChatId AND media_group_id = @MediaGroupId AND direction = 'staff' ORDER BY id
        """;

    private const string SelectAlbumInConversation = $"""
        SELECT {MessageColumns} FROM messages
        WHERE conversation_id = @ConversationId AND media_group_id = @MediaGroupId AND direction = 'staff' ORDER BY id
        """;

    // The answers a staff message became (one per client chat it went to).
    private const string SelectAnswersOf = $"""
        SELECT {MessageColumns} FROM messages WHERE chat_id = @ChatId AND telegram_message_id = @TelegramMessageId AND direction IN ('staff', 'note')
        ORDER BY id
        """;

    private const string SelectOfProject = $"SELECT {Columns} FROM conversations WHERE project_id = @ProjectId ORDER BY last_message_at DESC";

    private const string SelectMessages = $"SELECT {MessageColumns} FROM messages WHERE conversation_id = @Id ORDER BY id";

    public static Task<Conversation> GetOrCreateAsync(IDbConnection connection, IDbTransaction transaction, long projectId, long chatId, DateTimeOffset now) =>
        connection.QuerySingleAsync<Conversation>(GetOrCreate, new { ProjectId = projectId, ChatId = chatId, Now = now.ToUnixTimeMilliseconds() }, transaction);

    public static Task<long> AddMessageAsync(IDbConnection connection, IDbTransaction transaction, NewMessage m) =>
        connection.ExecuteScalarAsync<long>(InsertMessage, new
        {
            m.ConversationId, Direction = m.Direction.ToString().ToLowerInvariant(), m.SenderUserId, m.SenderName, m.Kind, m.Text,
            m.ChatId, m.TelegramMessageId, m.MediaGroupId, At = m.At.ToUnixTimeMilliseconds(), FileName = m.File?.Name, FileSize = m.File?.Size,
        }, transaction);

    /// <summary>Starts a waiting period unless one is already running; true when it started one.</summary>
    public static async Task<bool> OpenWaitingAsync(IDbConnection connection, IDbTransaction transaction, long conversationId, DateTimeOffset since) =>
        await connection.ExecuteAsync(OpenWaiting, new { Id = conversationId, Since = since.ToUnixTimeMilliseconds() }, transaction) == 1;

    public static Task ClientWroteAsync(IDbConnection connection, IDbTransaction transaction, long conversationId, DateTimeOffset at) =>
        connection.ExecuteAsync(ClientWrote, new { Id = conversationId, At = at.ToUnixTimeMilliseconds() }, transaction);

    /// <summary>Closes the waiting period (if one runs) with its response-log row; true when this closed one.
    /// <paramref name="writtenAt"/>: when the answer was written; an answer written before the client's question does
    /// not answer it.</summary>
    public static async Task<bool> CloseWaitingAsync(IDbConnection connection, IDbTransaction transaction, long conversationId, long staffId,
        DateTimeOffset answeredAt, BusinessCalendar calendar, TimeSpan promise, DateTimeOffset? writtenAt = null)
    {
        var waiting = await connection.QuerySingleOrDefaultAsync<(long WaitingSince, long? HeldBy)?>(SelectWaiting, new { Id = conversationId }, transaction);
        if (waiting is not { } open || (writtenAt is { } written && open.WaitingSince > written.ToUnixTimeMilliseconds())) return false;
        var business = calendar.BusinessTime(DateTimeOffset.FromUnixTimeMilliseconds(open.WaitingSince), answeredAt);
        await connection.ExecuteAsync(CloseWaiting, new
        {
            Id = conversationId, StaffId = staffId, AnsweredAt = answeredAt.ToUnixTimeMilliseconds(),
            BusinessSeconds = (long)business.TotalSeconds, Breached = Database.Flag(business > promise), open.HeldBy,
        }, transaction);
        return true;
    }

    private const string Take = "UPDATE conversations SET taken_by = @StaffId WHERE id = @Id";

    private const string CloseUnanswered = "UPDATE conversations SET waiting_since = NULL WHERE id = @Id AND waiting_since IS NOT NULL";

    private const string IsBreached = "SELECT breached_at IS NOT NULL FROM conversations WHERE id = @Id AND waiting_since IS NOT NULL";

    private const string InsertTag = """
        INSERT INTO conversation_tags (conversation_id, tag, tagged_at) VALUES (@ConversationId, @Tag, @Now) ON CONFLICT DO NOTHING
        """;

    private const string SelectMessageOfProject = """
        SELECT m.id AS Id, m.text AS Text, m.conversation_id AS ConversationId, c.project_id AS ProjectId
        FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = @Id
        """;

    private const string SelectLastClientMessage = """
        SELECT id AS Id, text AS Text, chat_id AS ChatId, telegram_message_id AS TelegramMessageId FROM messages
        WHERE conversation_id = @ConversationId AND direction = 'client' ORDER BY id DESC LIMIT 1
        """;

    private const string MoveChat = """
        UPDATE conversations SET chat_id = @To
        WHERE chat_id = @From AND NOT EXISTS (SELECT 1 FROM conversations n WHERE n.chat_id = @To AND n.project_id = conversations.project_id)
        """;

    /// <summary>A group became a supergroup: its conversations go with it (unless the new id already has its own).</summary>
    public static Task MoveChatAsync(IDbConnection connection, IDbTransaction transaction, long from, long to) =>
        connection.ExecuteAsync(MoveChat, new { From = from, To = to }, transaction);

    // Each claim succeeds once per waiting period: the row must still be waiting since the same moment.
    private const string ClaimReminder = """
        UPDATE conversations SET reminded_at = @Now WHERE id = @Id AND waiting_since = @Since AND reminded_at IS NULL AND acked_at IS NULL
        """;

    private const string ClaimBreach = """
        UPDATE conversations SET breached_at = @Now WHERE id = @Id AND waiting_since = @Since AND breached_at IS NULL
        """;

    private const string ClaimEscalation = """
        UPDATE conversations SET escalated_at = @Now WHERE id = @Id AND waiting_since = @Since AND escalated_at IS NULL
        """;

    private const string LetGoOf = "UPDATE conversations SET taken_by = NULL WHERE taken_by = @StaffId AND waiting_since IS NOT NULL";

    /// <summary>Claims a level of the wait that began at <paramref name="waitingSince"/> (ms); false when it was claimed
    /// already, or that wait is over.</summary>
    public static async Task<bool> ClaimLevelAsync(IDbConnection connection, IDbTransaction transaction, long conversationId, long waitingSince,
        WaitLevel level, DateTimeOffset now) =>
        await connection.ExecuteAsync(level switch
        {
            WaitLevel.Reminder => ClaimReminder,
            WaitLevel.Breach => ClaimBreach,
            _ => ClaimEscalation,
        }, new { Id = conversationId, Since = waitingSince, Now = now.ToUnixTimeMilliseconds() }, transaction) == 1;

    /// <summary>Someone left the staff: the waiting clients they held are held by nobody in particular again.</summary>
    public static Task LetGoOfAsync(IDbConnection connection, IDbTransaction transaction, long staffId) =>
        connection.ExecuteAsync(LetGoOf, new { StaffId = staffId }, transaction);

    private const string MarkVersionsApplied = "UPDATE message_versions SET applied_at = @Now WHERE message_id = @MessageId AND applied_at IS NULL";

    /// <summary>Every version of the message is now what its client copies show.</summary>
    public static Task MarkVersionsAppliedAsync(IDbConnection connection, IDbTransaction transaction, long messageId, DateTimeOffset now) =>
        connection.ExecuteAsync(MarkVersionsApplied, new { MessageId = messageId, Now = now.ToUnixTimeMilliseconds() }, transaction);

    /// <summary>A staff member takes the conversation: they hold it (reminders and escalations name them).</summary>
    public static Task TakeAsync(IDbConnection connection, IDbTransaction transaction, long conversationId, long staffId) =>
        connection.ExecuteAsync(Take, new { StaffId = staffId, Id = conversationId }, transaction);

    /// <summary>Closes the waiting period with no answer needed; false when nothing was waiting. Closing after the
    /// promise was broken still leaves the breach in the response log (and the digest).</summary>
    public static async Task<bool> CloseUnansweredAsync(IDbConnection connection, IDbTransaction transaction, long conversationId, long staffId,
        DateTimeOffset now, BusinessCalendar calendar, TimeSpan promise)
    {
        if (await connection.ExecuteScalarAsync<long?>(IsBreached, new { Id = conversationId }, transaction) != 1)
            return await connection.ExecuteAsync(CloseUnanswered, new { Id = conversationId }, transaction) == 1;
        await CloseWaitingAsync(connection, transaction, conversationId, staffId, now, calendar, promise);
        return true;
    }

    /// <summary>Tags a conversation (a tag given twice is kept once).</summary>
    public static Task TagAsync(IDbConnection connection, IDbTransaction transaction, long conversationId, string tag, DateTimeOffset now) =>
        connection.ExecuteAsync(InsertTag, new { ConversationId = conversationId, Tag = tag, Now = now.ToUnixTimeMilliseconds() }, transaction);

    /// <summary>A recorded message with the project its conversation is about.</summary>
    public static Task<MessageOfProject?> MessageOfProjectAsync(IDbConnection connection, IDbTransaction transaction, long messageId) =>
        connection.QuerySingleOrDefaultAsync<MessageOfProject>(SelectMessageOfProject, new { Id = messageId }, transaction);

    /// <summary>The conversation's last client message: its record, its text, and where it is in the client's chat.</summary>
    public static Task<(long Id, string? Text, long ChatId, long TelegramMessageId)?> LastClientMessageAsync(IDbConnection connection, IDbTransaction transaction,
        long conversationId) =>
        connection.QuerySingleOrDefaultAsync<(long Id, string? Text, long ChatId, long TelegramMessageId)?>(SelectLastClientMessage,
            new { ConversationId = conversationId }, transaction);

    private const string SelectOldestWaiting = """
        SELECT id AS Id, project_id AS ProjectId, chat_id AS ChatId, created_at AS CreatedAt, last_message_at AS LastMessageAt,
               waiting_since AS WaitingSince
        FROM conversations WHERE waiting_since IS NOT NULL ORDER BY waiting_since LIMIT 1
        """;

    public async Task<Conversation?> OldestWaitingAsync(CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<Conversation>(SelectOldestWaiting);
    }

    private const string SelectWaitingOfProject = "SELECT id FROM conversations WHERE project_id = @ProjectId AND waiting_since IS NOT NULL";

    private const string SelectWaitingOfChat = """
        SELECT COUNT(*) FROM conversations WHERE project_id = @ProjectId AND chat_id = @ChatId AND waiting_since IS NOT NULL
        """;

    /// <summary>Whether the client of that project waits for an answer in that chat.</summary>
    public static async Task<bool> WaitingOfChatAsync(IDbConnection connection, IDbTransaction transaction, long projectId, long chatId) =>
        await connection.ExecuteScalarAsync<long>(SelectWaitingOfChat, new { ProjectId = projectId, ChatId = chatId }, transaction) > 0;

    public static async Task<IReadOnlyList<long>> WaitingOfProjectAsync(IDbConnection connection, IDbTransaction transaction, long projectId) =>
        (await connection.QueryAsync<long>(SelectWaitingOfProject, new { ProjectId = projectId }, transaction)).AsList();

    /// <summary>/ack on a conversation; false when nothing was waiting or it was already acknowledged.</summary>
    public static async Task<bool> AckAsync(IDbConnection connection, IDbTransaction transaction, long conversationId, long staffId, DateTimeOffset now) =>
        await connection.ExecuteAsync(Ack, new { Id = conversationId, StaffId = staffId, Now = now.ToUnixTimeMilliseconds() }, transaction) == 1;

    public static Task<ConversationMessage?> FindByOriginalAsync(IDbConnection connection, IDbTransaction transaction, long chatId, long telegramMessageId) =>
        connection.QuerySingleOrDefaultAsync<ConversationMessage>(SelectByOriginal, new { ChatId = chatId, TelegramMessageId = telegramMessageId }, transaction);

    /// <summary>The conversation message a bot post (relay or answer) carried.</summary>
    public static Task<ConversationMessage?> FindByPostAsync(IDbConnection connection, IDbTransaction transaction, long chatId, long telegramMessageId) =>
        connection.QuerySingleOrDefaultAsync<ConversationMessage>(SelectByPost, new { ChatId = chatId, TelegramMessageId = telegramMessageId }, transaction);

    /// <summary>Every conversation message a bot post carried (several when relays were merged into one post).</summary>
    public static async Task<IReadOnlyList<ConversationMessage>> CarriedByPostAsync(IDbConnection connection, IDbTransaction transaction, long chatId,
        long telegramMessageId) =>
        (await connection.QueryAsync<ConversationMessage>(SelectCarried, new { ChatId = chatId, TelegramMessageId = telegramMessageId }, transaction)).AsList();

    /// <summary>How the parts of an album already recorded were taken: "note", or "staff" with the client chat it went to.</summary>
    public static async Task<IReadOnlyList<(string Direction, long ChatId)>> AlbumPartsAsync(IDbConnection connection, IDbTransaction transaction,
        long chatId, string mediaGroupId) =>
        (await connection.QueryAsync<(string, long)>(SelectAlbumParts, new { ChatId = chatId, MediaGroupId = mediaGroupId }, transaction)).AsList();

    public static async Task<IReadOnlyList<long>> PostsOfAsync(IDbConnection connection, IDbTransaction transaction, long messageId, long chatId) =>
        (await connection.QueryAsync<long>(SelectPosts, new { MessageId = messageId, ChatId = chatId }, transaction)).AsList();

    public static Task<Conversation> GetAsync(IDbConnection connection, IDbTransaction transaction, long id) =>
        connection.QuerySingleAsync<Conversation>(SelectConversation, new { Id = id }, transaction);

    public static Task<Conversation?> LatestOfProjectAsync(IDbConnection connection, IDbTransaction transaction, long projectId) =>
        connection.QuerySingleOrDefaultAsync<Conversation>(SelectLatestOfProject, new { ProjectId = projectId }, transaction);

    private const string MarkEditsApplied = "UPDATE message_versions SET applied_at = @Now WHERE message_id = @Id AND kind = 'edit' AND applied_at IS NULL";

    /// <summary>The message's edits need nothing done to the client's copy (an edit that made it a note, say); a
    /// takeback still waiting for the copy to arrive stays to be done.</summary>
    public static Task MarkEditsAppliedAsync(IDbConnection connection, IDbTransaction transaction, long messageId, DateTimeOffset now) =>
        connection.ExecuteAsync(MarkEditsApplied, new { Id = messageId, Now = now.ToUnixTimeMilliseconds() }, transaction);

    /// <summary>Adds a version to a message: its edited text, or that it was unsent. The original stays.</summary>
    public static Task AddVersionAsync(IDbConnection connection, IDbTransaction transaction, long messageId, string kind, string? text, DateTimeOffset at,
        DateTimeOffset now, string? entities = null) =>
        connection.ExecuteAsync(InsertVersion, new
        {
            Id = messageId, Kind = kind, Text = text, Entities = entities, At = at.ToUnixTimeMilliseconds(), Now = now.ToUnixTimeMilliseconds(),
        }, transaction);

    /// <summary>The records of a staff message written in <paramref name="chatId"/>: one per client chat it was answered to
    /// (or the note it was).</summary>
    public static async Task<IReadOnlyList<ConversationMessage>> AnswersOfAsync(IDbConnection connection, IDbTransaction transaction, long chatId,
        long telegramMessageId)
    {
        var records = (await connection.QueryAsync<ConversationMessage>(SelectAnswersOf, new { ChatId = chatId, TelegramMessageId = telegramMessageId }, transaction)).AsList();
        if (records.Count == 0) return records;
        var versions = (await connection.QueryAsync<MessageVersion>(SelectVersionsOf, new { ChatId = chatId, TelegramMessageId = telegramMessageId }, transaction))
            .ToLookup(v => v.MessageId);
        return records.Select(r => r with { Versions = versions[r.Id].ToList() }).ToList();
    }

    /// <summary>The records of every part of an album a staff member wrote in <paramref name="chatId"/>, to every chat.</summary>
    public static async Task<IReadOnlyList<(long Id, long TelegramMessageId)>> AlbumAnswersAsync(IDbConnection connection, IDbTransaction transaction,
        long chatId, string mediaGroupId) =>
        (await connection.QueryAsync<(long Id, long TelegramMessageId)>(SelectAlbumAnswers, new { ChatId = chatId, MediaGroupId = mediaGroupId }, transaction)).AsList();

    /// <summary>In one client conversation, the record of an album's first part (the one its copyMessages row carries),
    /// and the records of all its parts.</summary>
    public static async Task<IReadOnlyList<ConversationMessage>> AlbumInConversationAsync(IDbConnection connection, IDbTransaction transaction,
        long conversationId, string mediaGroupId) =>
        (await connection.QueryAsync<ConversationMessage>(SelectAlbumInConversation, new { ConversationId = conversationId, MediaGroupId = mediaGroupId }, transaction))
            .AsList();

    public async Task<IReadOnlyList<Conversation>> OfProjectAsync(long projectId, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<Conversation>(SelectOfProject, new { ProjectId = projectId })).AsList();
    }

    public async Task<Conversation?> FindAsync(long id, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<Conversation>(SelectConversation, new { Id = id });
    }

    public async Task<IReadOnlyList<ConversationMessage>> MessagesAsync(long conversationId, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        var versions = (await connection.QueryAsync<MessageVersion>(SelectVersions, new { Id = conversationId })).ToLookup(v => v.MessageId);
        return (await connection.QueryAsync<ConversationMessage>(SelectMessages, new { Id = conversationId }))
            .Select(m => m with { Versions = versions[m.Id].ToList() }).ToList();
    }
}
