using AgencyBot.Core.Messaging;
using Telegram.Bot;

namespace AgencyBot.Host.Telegram;

/// <summary>The bot's username for invite links: the one kept in <see cref="BotUser"/> (BotMenu learns it at start-up),
/// else asked of getMe now and kept there for everyone.</summary>
public sealed class BotIdentity(ITelegramBotClient bot, BotUser botUser)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<string> UsernameAsync(CancellationToken ct)
    {
        if (botUser.Username is { } known) return known;
        await _gate.WaitAsync(ct);
        try
        {
            return botUser.Username ??= (await bot.GetMe(ct)).Username
                ?? throw new InvalidOperationException("getMe returned a bot without a username");
        }
        finally
        {
            _gate.Release();
        }
    }
}
