using AgencyBot.Core.Data;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.StaffGroup;
using Telegram.Bot;
using Telegram.Bot.Types;

namespace AgencyBot.Host.Telegram;

/// <summary>
/// At start-up: the command menus people see when they type "/" (one for clients, one for the staff group), and
/// whether the configured staff chat is a forum. Retries in the background until Telegram answers.
/// </summary>
public sealed class BotMenu(ITelegramBotClient bot, BotUser botUser, Database database, StaffChatStore staffChats, TimeProvider clock, ILogger<BotMenu> logger)
    : BackgroundService
{
    private static readonly BotCommand[] ClientCommands =
    [
        new() { Command = "start", Description = "Connect this chat to your project" },
        new() { Command = "project", Description = "Choose the project you are writing about" },
        new() { Command = "help", Description = "How this chat works" },
    ];

    private static readonly BotCommand[] GroupCommands =
    [
        new() { Command = "link", Description = "Connect this group to your project (with your invite code)" },
        new() { Command = "project", Description = "Choose the project you are writing about" },
        new() { Command = "help", Description = "How this chat works" },
    ];

    private static readonly BotCommand[] StaffCommands =
    [
        new() { Command = "setup", Description = "Make this group the staff chat" },
    ];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 0; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                botUser.Username = (await bot.GetMe(stoppingToken)).Username;
                await bot.SetMyCommands(ClientCommands, BotCommandScope.AllPrivateChats(), cancellationToken: stoppingToken);
                await bot.SetMyCommands(GroupCommands, BotCommandScope.AllGroupChats(), cancellationToken: stoppingToken);
                await using (var connection = await database.OpenAsync(stoppingToken))
                {
                    if (await staffChats.GetAsync(connection) is { } staff)
                    {
                        await bot.SetMyCommands(StaffCommands, BotCommandScope.Chat(staff.ChatId), cancellationToken: stoppingToken);
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
                var delay = TimeSpan.FromSeconds(Math.Min(300, Math.Pow(2, attempt)));
                logger.LogWarning(ex, "Setting the bot menu failed; trying again in {Delay}", delay);
                await Task.Delay(delay, clock, stoppingToken);
            }
        }
    }
}
