using System.Data;
using System.Globalization;
using AgencyBot.Core.Agency;
using Dapper;
using Microsoft.Extensions.Options;

namespace AgencyBot.Core.Staff;

/// <summary>The staff supergroup and whether it has forum topics.</summary>
public sealed record StaffChat(long ChatId, bool IsForum);

/// <summary>
/// Where the staff chat is: chosen with /setup (kept in settings), else Agency:StaffChatId.
/// Whether it is a forum is learned from Telegram (getChat at start-up, or any message from it).
/// </summary>
public sealed class StaffChatStore(IOptions<AgencyOptions> agency, TimeProvider clock)
{
    private const string ChatKey = "staff_chat_id";
    private const string ForumKey = "staff_chat_is_forum";

    private const string Select = "SELECT key, value FROM settings WHERE key IN ('staff_chat_id', 'staff_chat_is_forum')";

    private const string Upsert = """
        INSERT INTO settings (key, value, updated_at) VALUES (@Key, @Value, @Now)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
        """;

    public async Task<StaffChat?> GetAsync(IDbConnection connection, IDbTransaction? transaction = null)
    {
        var values = (await connection.QueryAsync<(string Key, string Value)>(Select, transaction: transaction))
            .ToDictionary(r => r.Key, r => r.Value);
        long? chatId = values.TryGetValue(ChatKey, out var id) ? long.Parse(id, CultureInfo.InvariantCulture) : agency.Value.StaffChatId;
        if (chatId is null) return null;
        return new StaffChat(chatId.Value, values.TryGetValue(ForumKey, out var forum) && forum == "1");
    }

    public async Task SetAsync(IDbConnection connection, IDbTransaction transaction, StaffChat chat)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await connection.ExecuteAsync(Upsert, new[]
        {
            new { Key = ChatKey, Value = chat.ChatId.ToString(CultureInfo.InvariantCulture), Now = now },
            new { Key = ForumKey, Value = chat.IsForum ? "1" : "0", Now = now },
        }, transaction);
    }
}
