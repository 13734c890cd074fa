using AgencyBot.Core.Data;
using AgencyBot.Core.Messaging;
using Telegram.Bot;

namespace AgencyBot.Host.Telegram;

/// <summary>The bot's username for invite links: the one <see cref="BotUser"/> knows (from this start's getMe, or the
/// last one kept in the database), else asked of getMe now. Only a bot that never reached Telegram has none.</summary>
public sealed class BotIdentity(ITelegramBotClient bot, BotUser botUser, Database database, TimeProvider clock)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<string> UsernameAsync(CancellationToken ct)
    {
        if (botUser.Username is { } learned) return learned;
        await using (var connection = await database.OpenAsync(ct))
            if (await botUser.UsernameAsync(connection, null) is { } kept) return kept;
        await _gate.WaitAsync(ct);
        try
        {
            if (botUser.Username is { } meanwhile) return meanwhile;
            var username = (await bot.GetMe(ct)).Username ?? throw new InvalidOperationException("getMe returned a bot without a username");
            await database.WriteAsync((c, t) => botUser.LearnedAsync(c, t, username, clock.GetUtcNow()), ct);
            return username;
        }
        finally
        {
            _gate.Release();
        }
    }
}
