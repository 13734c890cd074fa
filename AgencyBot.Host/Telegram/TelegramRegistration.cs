using AgencyBot.Core.Agency;
using AgencyBot.Core.Conversations;
using AgencyBot.Core.Data;
using AgencyBot.Core.Digest;
using AgencyBot.Core.Escalation;
using AgencyBot.Core.Inbox;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Sending;
using AgencyBot.Core.StaffGroup;
using AgencyBot.Core.Tasks;
using AgencyBot.Core.TimeTracking;
using AgencyBot.Core.Updates;
using AgencyBot.Host.Settings;
using Microsoft.Extensions.Options;
using Telegram.Bot;

namespace AgencyBot.Host.Telegram;

public static class TelegramRegistration
{
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
        services.AddSingleton<BotUser>();

        services.AddSingleton<InboxSignal>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<SendStatistics>();
        services.AddSingleton<SendLimits>();
        services.AddSingleton<IntakeStatus>();

        services.AddSingleton<StaffChatStore>();
        services.AddSingleton<StaffTopics>();
        services.AddSingleton<StaffRelay>();
        services.AddSingleton<Deliveries>();
        services.AddSingleton<IDeliveryListener>(sp => sp.GetRequiredService<Deliveries>());
        services.AddSingleton<ClientRelay>();
        services.AddSingleton<ClientMessages>();
        services.AddSingleton<StaffReplies>();
        services.AddSingleton<ReplyInPlace>();
        services.AddSingleton<StaffPrivateChat>();
        services.AddSingleton<StaffChanges>();
        services.AddSingleton<StaffCommands>();
        services.AddSingleton<ChatMigrations>();
        services.AddSingleton<AnswerRecipients>();
        services.AddSingleton<StaffAnswers>();
        services.AddSingleton<AnswerEdits>();
        services.AddSingleton<InviteDesk>();
        services.AddSingleton<Retention>();
        services.AddSingleton<TaskWork>();
        services.AddSingleton<TaskCommands>();
        services.AddSingleton<ClientStatus>();
        services.AddSingleton<StaffButtons>();
        services.AddSingleton(sp =>
        {
            var agency = sp.GetRequiredService<IOptions<AgencyOptions>>().Value;
            return new BusinessCalendar(agency.BusinessHours, agency.Zone, agency.Holidays);
        });
        services.AddSingleton<Escalations>();
        services.AddSingleton<TimeCommand>();
        services.AddSingleton<OverheadReport>();
        services.AddSingleton<DigestBuilder>();
        services.AddSingleton<DigestSender>();
        services.AddSingleton<IInboxHandler, UpdateRouter>();

        services.AddHostedService<BotMenu>();
        // Updates arrive one way or the other: the bot polls, or Telegram calls the webhook (WebhookIntake).
        if (configuration.GetValue<TelegramMode>("Telegram:Mode") == TelegramMode.Webhook)
            services.AddHostedService<WebhookRegistration>();
        else
            services.AddHostedService<PollingIntake>();
        services.AddHostedService<InboxProcessor>();
        services.AddSingleton<SendingLease>();
        services.AddHostedService<OutboxSender>();
        return services;
    }
}
