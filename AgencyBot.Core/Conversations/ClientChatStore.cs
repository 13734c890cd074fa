using System.Data;
using Dapper;

namespace AgencyBot.Core.Conversations;

public sealed record ClientChat(long ChatId, string Kind, string Title, string? LanguageCode);

/// <summary>The client chats (private and group) the bot talks with, and whether one blocked the bot.</summary>
public sealed class ClientChatStore
{
    private const string Upsert = """
        INSERT INTO client_chats (chat_id, kind, title, language_code, created_at)
        VALUES (@ChatId, @Kind, @Title, @LanguageCode, @Now)
        ON CONFLICT (chat_id) DO UPDATE SET
            title = excluded.title,
            language_code = COALESCE(excluded.language_code, client_chats.language_code)
        """;

    private const string Select = """
        SELECT chat_id AS ChatId, kind AS Kind, title AS Title, language_code AS LanguageCode
        FROM client_chats WHERE chat_id = @ChatId
        """;

    private const string Unblock = "DELETE FROM blocked_chats WHERE chat_id = @ChatId";

    private const string Block = """
        INSERT INTO blocked_chats (chat_id, blocked_at, reason) VALUES (@ChatId, @Now, @Reason) ON CONFLICT (chat_id) DO NOTHING
        """;

    /// <summary>Remembers the chat; a message from it also means the bot can write there again.</summary>
    public static async Task SeenAsync(IDbConnection connection, IDbTransaction transaction, ClientChat chat, DateTimeOffset now)
    {
        await connection.ExecuteAsync(Upsert, new { chat.ChatId, chat.Kind, chat.Title, chat.LanguageCode, Now = now.ToUnixTimeMilliseconds() }, transaction);
        await connection.ExecuteAsync(Unblock, new { chat.ChatId }, transaction);
    }

    /// <summary>The bot was removed from, or blocked in, a chat (true) or let back in (false).</summary>
    public static Task SetBlockedAsync(IDbConnection connection, IDbTransaction transaction, long chatId, bool blocked, string reason, DateTimeOffset now) =>
        connection.ExecuteAsync(blocked ? Block : Unblock, new { ChatId = chatId, Now = now.ToUnixTimeMilliseconds(), Reason = reason }, transaction);

    public static Task<ClientChat?> FindAsync(IDbConnection connection, IDbTransaction transaction, long chatId) =>
        connection.QuerySingleOrDefaultAsync<ClientChat>(Select, new { ChatId = chatId }, transaction);
}
