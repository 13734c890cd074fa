using AgencyBot.Core.Messaging;
using AgencyBot.Host.Settings;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Types.Enums;

namespace AgencyBot.Host.Telegram;

public static class TelegramRegistration
{
    /// <summary>The updates the bot asks Telegram for, polling or by webhook: messages and their edits, button presses,
    /// inline queries (staff finding saved answers), reactions (staff's 👍 and 👌 on relayed messages), and changes of the bot's own membership.</summary>
    public static readonly UpdateType[] Wanted =
    [
        UpdateType.Message, UpdateType.EditedMessage, UpdateType.CallbackQuery,
        UpdateType.InlineQuery, UpdateType.MessageReaction, UpdateType.MyChatMember,
    ];

    /// <summary>The Bot API client behind the messenger port, the bot's identity and menus, and intake: polling, or
    /// the webhook (Telegram:Mode).</summary>
    public static IServiceCollection AddTelegram(this IServiceCollection services, IConfiguration configuration)
    {
        // No request logging: every Bot API URL carries the token (/bot<token>/method), whatever the log levels say.
        services.AddHttpClient(nameof(TelegramBotClient), http => http.Timeout = TimeSpan.FromSeconds(75)).RemoveAllLoggers();
        services.AddSingleton<ITelegramBotClient>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<TelegramOptions>>().Value;
            var http = sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(TelegramBotClient));
            // RetryCount 0: 429s are handled by the outbox per chat, never by blocking inside the client.
            return new TelegramBotClient(new TelegramBotClientOptions(options.BotToken, options.ApiBaseUrl) { RetryCount = 0 }, http);
        });
        services.AddSingleton<IMessenger, TelegramMessenger>();
        services.AddSingleton<BotIdentity>();
        services.AddSingleton<IntakeStatus>();

        services.AddHostedService<BotMenu>();
        // Updates arrive one way or the other: the bot polls, or Telegram calls the webhook (WebhookIntake).
        if (configuration.GetValue<TelegramMode>("Telegram:Mode") == TelegramMode.Webhook)
        {
            services.AddHostedService<WebhookRegistration>();
            services.AddSingleton<WebhookCommits>();
            services.AddHostedService(sp => sp.GetRequiredService<WebhookCommits>());
        }
        else
            services.AddHostedService<PollingIntake>();
        return services;
    }
}
