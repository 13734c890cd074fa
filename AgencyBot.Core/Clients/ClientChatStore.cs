namespace AgencyBot.Core.Clients;

public sealed record ClientChat(long ChatId, string Kind, string Title, string? LanguageCode);

/// <summary>The client chats (private and group) the bot talks with, and whether one blocked the bot.</summary>
public sealed class ClientChatStore
{
    private const string Upsert = """
        INSERT INTO client_chats (chat_id, kind, title, language_code, created_at, last_seen_at)
        VALUES (@ChatId, @Kind, @Title, @LanguageCode, @Now, @Now)
        ON CONFLICT (chat_id) DO UPDATE SET
            title = excluded.title,
            language_code = COALESCE(excluded.language_code, client_chats.language_code),
            last_seen_at = excluded.last_seen_at
        """;

    private const string Select = """
        SELECT chat_id AS ChatId, kind AS Kind, title AS Title, language_code AS LanguageCode
        FROM client_chats WHERE chat_id = @ChatId
        """;

    private const string Unblock = "DELETE FROM blocked_chats WHERE chat_id = @ChatId";

    private const string TellStranger = """
        UPDATE client_chats SET not_linked_told_at = @Now
        WHERE chat_id = @ChatId AND (not_linked_told_at IS NULL OR not_linked_told_at <= @Before)
        """;

    // Strangers: chats linked to nothing (not even waiting for approval), with no conversation, silent since the cutoff
    // (InboxStore's pruning counts a stranger's updates the same way).
    private const string ForgetStrangers = """
        DELETE FROM blocked_chats WHERE chat_id IN (SELECT chat_id FROM client_chats cc WHERE cc.last_seen_at < @Before
            AND NOT EXISTS (SELECT 1 FROM chat_bindings b WHERE b.chat_id = cc.chat_id)
            AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.chat_id = cc.chat_id));
        DELETE FROM client_chats WHERE last_seen_at < @Before
            AND NOT EXISTS (SELECT 1 FROM chat_bindings b WHERE b.chat_id = client_chats.chat_id)
            AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.chat_id = client_chats.chat_id);
        """;

    private const string Block = """
        INSERT INTO blocked_chats (chat_id, blocked_at, reason) VALUES (@ChatId, @Now, @Reason) ON CONFLICT (chat_id) DO NOTHING
        """;

    // Both in one round trip: this runs for every client message.
    private const string Seen = $"{Upsert};\n{Unblock}";

    /// <summary>Remembers the chat; a message from it also means the bot can write there again.</summary>
    public static Task SeenAsync(IDbConnection connection, IDbTransaction transaction, ClientChat chat, DateTimeOffset now) =>
        connection.ExecuteAsync(Seen, new { chat.ChatId, chat.Kind, chat.Title, chat.LanguageCode, Now = now.ToUnixTimeMilliseconds() }, transaction);

    /// <summary>The bot was removed from, or blocked in, a chat (true) or let back in (false): marks the chat blocked
    /// (or not); true when that changed something.</summary>
    public static async Task<bool> SetBlockedAsync(IDbConnection connection, IDbTransaction transaction, long chatId, bool blocked, string reason,
        DateTimeOffset now) =>
        await connection.ExecuteAsync(blocked ? Block : Unblock, new { ChatId = chatId, Now = now.ToUnixTimeMilliseconds(), Reason = reason }, transaction) == 1;

    private const string MoveChat = """
        INSERT INTO client_chats (chat_id, kind, title, language_code, created_at)
        SELECT @To, kind, title, language_code, created_at FROM client_chats WHERE chat_id = @From
        ON CONFLICT (chat_id) DO NOTHING;
        DELETE FROM client_chats WHERE chat_id = @From;
        DELETE FROM blocked_chats WHERE chat_id = @From;
        """;

    /// <summary>A group became a supergroup: the chat is known by its new id (and not blocked under the old one).</summary>
    public static Task MoveChatAsync(IDbConnection connection, IDbTransaction transaction, long from, long to) =>
        connection.ExecuteAsync(MoveChat, new { From = from, To = to }, transaction);

    /// <summary>Whether a stranger may be told how to link the chat now (at most once per <paramref name="every"/>);
    /// true claims it.</summary>
    public static async Task<bool> TellStrangerAsync(IDbConnection connection, IDbTransaction transaction, long chatId, DateTimeOffset now, TimeSpan every) =>
        await connection.ExecuteAsync(TellStranger, new { ChatId = chatId, Now = now.ToUnixTimeMilliseconds(), Before = (now - every).ToUnixTimeMilliseconds() },
            transaction) == 1;

    /// <summary>Forgets strangers silent since <paramref name="before"/>; returns how many chats.</summary>
    public static Task<int> ForgetStrangersAsync(IDbConnection connection, IDbTransaction transaction, DateTimeOffset before) =>
        connection.ExecuteAsync(ForgetStrangers, new { Before = before.ToUnixTimeMilliseconds() }, transaction);

    /// <summary>How staff see a chat named: its title (a group's name, a private chat's person), else its id.</summary>
    public static string TitleOf(ClientChat? chat, long chatId) => chat?.Title is { Length: > 0 } title ? title : $"chat {chatId}";

    public static Task<ClientChat?> FindAsync(IDbConnection connection, IDbTransaction transaction, long chatId) =>
        connection.QuerySingleOrDefaultAsync<ClientChat>(Select, new { ChatId = chatId }, transaction);
}
