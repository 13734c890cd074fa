using Telegram.Bot;

namespace AgencyBot.Host.Telegram;

/// <summary>The bot's own username (from getMe), asked once and remembered; invite links need it.</summary>
public sealed class BotIdentity(ITelegramBotClient bot)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _username;

    public async Task<string> UsernameAsync(CancellationToken ct)
    {
        if (_username is not null) return _username;
        await _gate.WaitAsync(ct);
        try
        {
            return _username ??= (await bot.GetMe(ct)).Username
                ?? throw new InvalidOperationException("getMe returned a bot without a username");
        }
        finally
        {
            _gate.Release();
        }
    }
}
