namespace AgencyBot.Core.Messaging;

/// <summary>The bot's own username, learned from getMe at start-up: commands addressed to another bot
/// (<c>/help@other_bot</c> in a shared group) are not ours, and invite links are t.me/&lt;username&gt;. The last one
/// Telegram gave is kept in bot_profile, so links can still be made while Telegram cannot be reached.</summary>
public sealed class BotUser
{
    private const string Save = """
        INSERT INTO bot_profile (id, username, updated_at) VALUES (1, @Username, @Now)
        ON CONFLICT (id) DO UPDATE SET username = excluded.username, updated_at = excluded.updated_at
        """;

    private const string Load = "SELECT username FROM bot_profile WHERE id = 1";

    public string? Username { get; set; }

    public Command? ParseCommand(string? text) =>
        Command.Parse(text) is { } command && (command.Bot is null || Username is null || command.Bot.Equals(Username, StringComparison.OrdinalIgnoreCase))
            ? command
            : null;

    /// <summary>What getMe said: kept here and in the database.</summary>
    public async Task LearnedAsync(IDbConnection c, IDbTransaction t, string username, DateTimeOffset now)
    {
        Username = username;
        await c.ExecuteAsync(Save, new { Username = username, Now = now.ToUnixTimeMilliseconds() }, t);
    }

    /// <summary>The username known now, else the one the last getMe gave (kept in the database); null when getMe never
    /// answered.</summary>
    public async Task<string?> UsernameAsync(IDbConnection c, IDbTransaction? t) =>
        Username ??= await c.ExecuteScalarAsync<string?>(Load, transaction: t);

    /// <summary>The deep link that opens a chat with the bot and sends /start &lt;payload&gt;.</summary>
    public static string Link(string username, string payload) => $"https://t.me/{username}?start={payload}";
}
