using AgencyBot.Core.Agency;
using AgencyBot.Core.Budgets;
using AgencyBot.Core.Clients;
using AgencyBot.Core.Conversations;
using AgencyBot.Core.Data;
using AgencyBot.Core.Deliverables;
using AgencyBot.Core.Digest;
using AgencyBot.Core.Escalation;
using AgencyBot.Core.Exports;
using AgencyBot.Core.Inbox;
using AgencyBot.Core.Measurement;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Onboarding;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Projects;
using AgencyBot.Core.Satisfaction;
using AgencyBot.Core.Sending;
using AgencyBot.Core.Staff;
using AgencyBot.Core.StaffGroup;
using AgencyBot.Core.Tasks;
using AgencyBot.Core.TimeTracking;
using AgencyBot.Core.Turns;
using AgencyBot.Core.Updates;
using Microsoft.Extensions.DependencyInjection;

namespace AgencyBot.Core;

public static class CoreRegistration
{
    /// <summary>Everything the bot does, folder by folder from the bottom up, and the two loops that run it: the inbox
    /// processor (update → router → handlers) and the outbox sender. The host adds the database, the options, the
    /// Telegram client behind <see cref="IMessenger"/> and intake.</summary>
    public static IServiceCollection AddAgencyCore(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var agency = sp.GetRequiredService<IOptions<AgencyOptions>>().Value;
            return new BusinessCalendar(agency.BusinessHours, agency.Zone(), agency.Holidays);
        });
        services.AddSingleton<BotUser>();
        services.AddSingleton<AttachmentStore>();

        services.AddSingleton<InboxSignal>();
        services.AddSingleton<InboxStore>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<OutboxStore>();

        services.AddSingleton<ClientStore>();
        services.AddSingleton<ProjectStore>();
        services.AddSingleton<InviteStore>();
        services.AddSingleton<ChatBindingStore>();
        services.AddSingleton<StaffStore>();
        services.AddSingleton<TimeEntryStore>();
        services.AddSingleton<TimeCommand>();

        services.AddSingleton<StaffChatStore>();
        services.AddSingleton<StaffTopics>();
        services.AddSingleton<StaffNotices>();
        services.AddSingleton<TurnFactory>();

        services.AddSingleton<ConversationStore>();
        services.AddSingleton<ResponseTimes>();
        services.AddSingleton<StaffRelay>();
        services.AddSingleton<ClientRelay>();
        services.AddSingleton<AnswerRecipients>();
        services.AddSingleton<AnswerEdits>();
        services.AddSingleton<ChatMigrations>();
        services.AddSingleton<Retention>();
        services.AddSingleton<Deliveries>();
        services.AddSingleton<IDeliveryListener>(sp => sp.GetRequiredService<Deliveries>());

        services.AddSingleton<BudgetStore>();
        services.AddSingleton<BudgetUse>();
        services.AddSingleton<BudgetAlerts>();
        services.AddSingleton<BudgetCommand>();

        services.AddSingleton<MeasuredDays>();

        services.AddSingleton<Ratings>();
        services.AddSingleton<Approvals.ClientWaits>();
        services.AddSingleton<ProjectSetup>();
        services.AddSingleton<ProjectImport>();
        services.AddSingleton<CsvExports>();

        services.AddSingleton<ReportWriter>();
        services.AddSingleton<ReportDrafts>();

        services.AddSingleton<OverheadReport>();
        services.AddSingleton<DigestBuilder>();
        services.AddSingleton<DigestSender>();
        services.AddSingleton<Escalations>();
        services.AddSingleton<TaskStore>();
        services.AddSingleton<TeamStore>();
        services.AddSingleton<TemplateStore>();
        services.AddSingleton<TaskWork>();
        services.AddSingleton<StaffCommands>();
        services.AddSingleton<ClientStatus>();
        services.AddSingleton<StaffButtons>();
        services.AddSingleton<StaffChanges>();

        services.AddSingleton<SendStatistics>();
        services.AddSingleton<SendLimits>();
        services.AddSingleton<SendingLease>();

        services.AddSingleton<ClientMessages>();
        services.AddSingleton<StaffReplies>();
        services.AddSingleton<StaffAnswers>();
        services.AddSingleton<InviteDesk>();
        services.AddSingleton<InvoiceDesk>();
        services.AddSingleton<ReportDesk>();
        services.AddSingleton<StaffPrivateChat>();
        services.AddSingleton<StaffRoster>();
        services.AddSingleton<StaffJoin>();
        services.AddSingleton<ProjectDialog>();
        services.AddSingleton<ImportDesk>();
        services.AddSingleton<SavedAnswerDesk>();
        services.AddSingleton<RatingDesk>();
        services.AddSingleton<StaffReactions>();
        services.AddSingleton<FileDesk>();
        services.AddSingleton<ApprovalDesk>();
        services.AddSingleton<UpdateScopes>();
        services.AddSingleton<IInboxHandler, UpdateRouter>();

        services.AddHostedService<InboxProcessor>();
        services.AddHostedService<OutboxSender>();
        services.AddHostedService<MissingTopics>(); // at start-up: a topic for every open project that has none
        services.AddSingleton<ImportSignal>();
        services.AddHostedService<ImportRequests>(); // files sent with /import: downloaded and imported after the update
        return services;
    }
}
