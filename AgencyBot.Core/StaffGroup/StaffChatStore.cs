using AgencyBot.Core.Agency;

namespace AgencyBot.Core.StaffGroup;

/// <summary>The staff supergroup and whether it has forum topics (null: not known yet).</summary>
public sealed record StaffChat(long ChatId, bool? IsForum);

/// <summary>
/// Where the staff chat is. Agency:StaffChatId, when set, always wins (followed through the group's upgrade to a
/// supergroup, which changes its id); only without it does a manager's confirmed /setup choose one (kept in settings).
/// Whether it is a forum is learned from Telegram (getChat at start-up, or any message from it).
/// </summary>
public sealed class StaffChatStore(IOptions<AgencyOptions> agency, TimeProvider clock)
{
    private const string ChatKey = "staff_chat_id";

    private const string MigratedKey = "migrated_to";

    // Read for every update (each turn begins with it), so in one round trip: the settings, and where the configured
    // chat moved if it was upgraded to a supergroup (the first hop; a second is as good as unheard of).
    private const string Select = $"""
        SELECT key, value FROM settings WHERE key = '{ChatKey}' OR key LIKE 'forum:%'
        UNION ALL
        SELECT '{MigratedKey}', CAST(to_chat_id AS TEXT) FROM chat_migrations WHERE from_chat_id = @Configured
        """;

    private const string SelectMigratedTo = "SELECT to_chat_id FROM chat_migrations WHERE from_chat_id = @ChatId";

    private const string Upsert = """
        INSERT INTO settings (key, value, updated_at) VALUES (@Key, @Value, @Now)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
        """;

    /// <summary>Whether the configuration names the staff chat (then /setup cannot move it).</summary>
    public bool Configured => agency.Value.StaffChatId is not null;

    public async Task<StaffChat?> GetAsync(IDbConnection connection, IDbTransaction? transaction = null)
    {
        var configured = agency.Value.StaffChatId;
        var values = (await connection.QueryAsync<(string Key, string Value)>(Select, new { Configured = configured ?? 0 }, transaction))
            .ToDictionary(r => r.Key, r => r.Value);
        long? chatId = configured is null
            ? values.TryGetValue(ChatKey, out var id) ? long.Parse(id, CultureInfo.InvariantCulture) : null
            : values.TryGetValue(MigratedKey, out var moved) ? await CurrentIdAsync(connection, transaction, long.Parse(moved, CultureInfo.InvariantCulture))
            : configured;
        if (chatId is null) return null;
        return new StaffChat(chatId.Value, values.TryGetValue(ForumKey(chatId.Value), out var forum) ? forum == "1" : null);
    }

    /// <summary>Makes <paramref name="chat"/> the staff chat (a manager's confirmed /setup, or the chosen staff chat's
    /// upgrade to a supergroup).</summary>
    public async Task SetAsync(IDbConnection connection, IDbTransaction transaction, StaffChat chat)
    {
        if (Configured) throw new InvalidOperationException("The staff chat is set by Agency:StaffChatId");
        await connection.ExecuteAsync(Upsert, new { Key = ChatKey, Value = chat.ChatId.ToString(CultureInfo.InvariantCulture), Now = Now() }, transaction);
        if (chat.IsForum is { } isForum) await SetForumAsync(connection, transaction, chat.ChatId, isForum);
    }

    /// <summary>Remembers whether a chat has topics on, as Telegram last said.</summary>
    public Task SetForumAsync(IDbConnection connection, IDbTransaction transaction, long chatId, bool isForum) =>
        connection.ExecuteAsync(Upsert, new { Key = ForumKey(chatId), Value = isForum ? "1" : "0", Now = Now() }, transaction);

    /// <summary>The id a chat has now: a basic group upgraded to a supergroup (perhaps more than once) has a new one.</summary>
    public static async Task<long> CurrentIdAsync(IDbConnection connection, IDbTransaction? transaction, long chatId)
    {
        for (var hops = 0; hops < 5; hops++)
        {
            if (await connection.ExecuteScalarAsync<long?>(SelectMigratedTo, new { ChatId = chatId }, transaction) is not { } next) break;
            chatId = next;
        }
        return chatId;
    }

    private static string ForumKey(long chatId) => $"forum:{chatId.ToString(CultureInfo.InvariantCulture)}";

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();
}
