using AgencyBot.Core.Clients;
using AgencyBot.Core.Data;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.StaffGroup;
using Telegram.Bot;
using Telegram.Bot.Types;

namespace AgencyBot.Host.Telegram;

/// <summary>
/// At start-up: the command menus people see when they type "/" (BotCommands' tables: client chats and groups in
/// each client language, the staff group), and
/// whether the configured staff chat is a forum. Retries in the background until Telegram answers.
/// </summary>
public sealed class BotMenu(ITelegramBotClient bot, BotUser botUser, Database database, StaffChatStore staffChats, IntakeStatus status, TimeProvider clock,
    ILogger<BotMenu> logger)
    : BackgroundService
{
    /// <summary>A client table's menu in one language (Telegram shows the one matching the user's app language).</summary>
    private static BotCommand[] ClientMenu(IReadOnlyList<string> commands, string language) =>
        [.. commands.Select(name => new BotCommand { Command = name, Description = ClientTexts.Get($"Command_{name}", language) })];

    private async Task SetClientMenusAsync(CancellationToken ct)
    {
        foreach (var language in ClientTexts.Languages)
        {
            // English also for every language without texts of its own.
            var code = language == "en" ? null : language;
            await bot.SetMyCommands(ClientMenu(BotCommands.ClientPrivate, language), BotCommandScope.AllPrivateChats(), code, ct);
            await bot.SetMyCommands(ClientMenu(BotCommands.ClientGroup, language), BotCommandScope.AllGroupChats(), code, ct);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 0; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                if ((await bot.GetMe(stoppingToken)).Username is { } username)
                    await database.WriteAsync((c, t) => botUser.LearnedAsync(c, t, username, clock.GetUtcNow()), stoppingToken);
                await SetClientMenusAsync(stoppingToken);
                await using (var connection = await database.OpenAsync(stoppingToken))
                {
                    if (await staffChats.GetAsync(connection) is { } staff)
                    {
                        await bot.SendRequest(BotCommands.MenuFor(staff.ChatId, BotCommands.StaffChat), stoppingToken);
                        var chat = await bot.GetChat(staff.ChatId, stoppingToken);
                        if (chat.IsForum != staff.IsForum)
                            await database.WriteAsync((c, t) => staffChats.SetForumAsync(c, t, staff.ChatId, chat.IsForum), stoppingToken);
                    }
                }
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                var delay = Backoff.After(attempt + 1, Backoff.StartupCap);
                if (!status.Rejected(ex, logger)) logger.LogWarning(ex, "Setting the bot menu failed; trying again in {Delay}", delay);
                await Task.Delay(delay, clock, stoppingToken);
            }
        }
    }
}
