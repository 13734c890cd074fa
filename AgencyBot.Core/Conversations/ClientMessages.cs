using System.Data;
using AgencyBot.Core.Agency;
using AgencyBot.Core.Escalation;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Projects;
using AgencyBot.Core.Staff;
using AgencyBot.Core.Tasks;
using AgencyBot.Core.Telegram;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telegram.Bot.Requests;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;
using Telegram.Bot.Types.ReplyMarkups;

namespace AgencyBot.Core.Conversations;

/// <summary>
/// What happens to a message a client writes to the bot, in a private chat or a group shared with the agency:
/// onboarding commands bind the chat to a project; every other message is recorded on the conversation of the
/// chat's current project, opens a waiting period if none runs, and is relayed to the staff chat.
/// </summary>
public sealed class ClientMessages(
    StaffChatStore staffChats,
    StaffRelay staffRelay,
    ClientStatus clientStatus,
    BotUser botUser,
    OutboxStore outbox,
    IOptions<AgencyOptions> agency,
    IOptions<SlaOptions> sla,
    BusinessCalendar calendar,
    TimeProvider clock,
    ILogger<ClientMessages> logger)
{
    public const string ProjectCallbackPrefix = "project:";

    public async Task HandleAsync(Message message, IDbConnection c, IDbTransaction t)
    {
        var chat = ChatOf(message);
        await ClientChatStore.SeenAsync(c, t, chat, clock.GetUtcNow());
        var projects = await ChatBindingStore.ProjectsOfChatAsync(c, t, chat.ChatId);
        var language = ClientTexts.Pick(projects.FirstOrDefault()?.Language, message.From?.LanguageCode);

        if (botUser.ParseCommand(message.Text) is { } command)
        {
            switch (command.Name)
            {
                case "start":
                    await LinkAsync(c, t, chat, message, command.Args, projects, "StartWithoutCode", language);
                    return;
                case "link":
                    await LinkAsync(c, t, chat, message, command.Args, projects, "LinkUsage", language);
                    return;
                case "project":
                    await OfferProjectsAsync(c, t, chat, projects, language);
                    return;
                case "help":
                    await ReplyAsync(c, t, chat, ClientTexts.Get(projects.Count == 0 ? "NotLinked" : "ClientHelp", language));
                    return;
                case "status":
                    if (projects.Count == 0) await ReplyAsync(c, t, chat, ClientTexts.Get("NotLinked", language));
                    else await clientStatus.SendAsync(c, t, chat.ChatId, projects[0], language);
                    return;
                case var staffOnly when TaskCommands.Names.Contains(staffOnly) || StaffReplies.DeskCommands.Contains(staffOnly):
                    // A client typing a staff command gets the client help, and nothing happens.
                    await ReplyAsync(c, t, chat, ClientTexts.Get(projects.Count == 0 ? "NotLinked" : "ClientHelp", language));
                    return;
            }
            // Any other command is a message like the rest: clients type "/urgent" too.
        }

        if (projects.Count == 0)
        {
            logger.LogInformation("Chat {ChatId}: message {MessageId} from a chat nobody bound", chat.ChatId, message.Id);
            // In a group the bot only speaks when spoken to, so it does not talk over people.
            if (chat.Kind == "private" || botUser.ParseCommand(message.Text) is not null)
                await ReplyAsync(c, t, chat, ClientTexts.Get("NotLinked", language));
            return;
        }
        if (!MessageContent.IsRelayable(message))
        {
            logger.LogInformation("Chat {ChatId}: service message {MessageId} ({Type}) not relayed", chat.ChatId, message.Id, message.Type);
            return;
        }

        // A reply to one of the bot's posts belongs to that post's project (if the chat still has it); anything else
        // goes to the project the chat used last.
        var project = projects[0];
        if (message.ReplyToMessage is { } repliedTo && await ConversationStore.FindByPostAsync(c, t, chat.ChatId, repliedTo.Id) is { } answered)
        {
            var of = await ConversationStore.GetAsync(c, t, answered.ConversationId);
            project = projects.FirstOrDefault(p => p.ProjectId == of.ProjectId) ?? project;
        }
        var now = clock.GetUtcNow();
        var conversation = await ConversationStore.GetOrCreateAsync(c, t, project.ProjectId, chat.ChatId, now);
        // Agency staff who share a client's group answer there directly: that is an answer, not a client message.
        if (chat.Kind == "group" && message.From is { } from && await StaffStore.FindByTelegramUserAsync(c, t, from.Id) is { } staffMember)
        {
            await ConversationStore.AddMessageAsync(c, t, Record(conversation.Id, Direction.Staff, message, now));
            await ConversationStore.CloseWaitingAsync(c, t, conversation.Id, staffMember.Id, message.Date, calendar, sla.Value.FirstResponse);
            return;
        }

        var messageId = await ConversationStore.AddMessageAsync(c, t, Record(conversation.Id, Direction.Client, message, now));
        var firstOfWait = await ConversationStore.OpenWaitingAsync(c, t, conversation.Id, message.Date);
        await ConversationStore.ClientWroteAsync(c, t, conversation.Id, message.Date);
        // Out of hours, say honestly when the team will answer (once per waiting period).
        if (firstOfWait && !calendar.IsOpen(now))
            await ReplyAsync(c, t, chat, ClientTexts.OutOfHours(now, calendar.NextOpening(now), calendar.Zone,
                ClientTexts.Pick(project.Language, message.From?.LanguageCode)));
        if (await staffChats.GetAsync(c, t) is { } staff)
            await staffRelay.RelayAsync(c, t, staff, project, chat, message, messageId, firstOfWait);
        else
            logger.LogWarning("Chat {ChatId}: message {MessageId} recorded but not relayed: no staff chat is set up (Agency:StaffChatId or /setup)",
                chat.ChatId, message.Id);
    }

    public async Task HandleEditAsync(Message edited, IDbConnection c, IDbTransaction t)
    {
        var original = await ConversationStore.FindByOriginalAsync(c, t, edited.Chat.Id, edited.Id);
        if (original is null || original.Direction != "client")
        {
            logger.LogInformation("Chat {ChatId}: edit of message {MessageId} that was never relayed; ignored", edited.Chat.Id, edited.Id);
            return;
        }
        await ConversationStore.RecordEditAsync(c, t, original.Id, MessageContent.TextOf(edited), edited.EditDate ?? clock.GetUtcNow().UtcDateTime);
        var conversation = await ConversationStore.GetAsync(c, t, original.ConversationId);
        var project = (await ChatBindingStore.ProjectsOfChatAsync(c, t, edited.Chat.Id)).FirstOrDefault(p => p.ProjectId == conversation.ProjectId);
        if (project is null || await staffChats.GetAsync(c, t) is not { } staff) return; // chat removed from the project since
        await staffRelay.RelayEditAsync(c, t, staff, project, ChatOf(edited), edited, original);
    }

    /// <summary>The client picked a project on the inline keyboard.</summary>
    public async Task HandleProjectChoiceAsync(CallbackQuery query, IDbConnection c, IDbTransaction t)
    {
        var chatId = query.Message?.Chat.Id ?? query.From.Id;
        var projects = await ChatBindingStore.ProjectsOfChatAsync(c, t, chatId);
        var language = ClientTexts.Pick(projects.FirstOrDefault()?.Language, query.From.LanguageCode);
        // Callback data comes from the client's device: only a project bound to this very chat may be chosen.
        var chosen = long.TryParse(query.Data?[ProjectCallbackPrefix.Length..], out var projectId)
            ? projects.FirstOrDefault(p => p.ProjectId == projectId)
            : null;
        if (chosen is null || !await ChatBindingStore.TouchAsync(c, t, chatId, chosen.ProjectId, clock.GetUtcNow()))
        {
            logger.LogWarning("Chat {ChatId}: refused project choice {Data}", chatId, query.Data);
            await outbox.EnqueueAsync(c, t, query.From.Id, new AnswerCallbackQueryRequest
            {
                CallbackQueryId = query.Id, Text = ClientTexts.Get("ProjectNotAvailable", language), ShowAlert = true,
            });
            return;
        }
        // Callback answers are keyed by the presser, so they never wait behind a group's posts.
        await outbox.EnqueueAsync(c, t, query.From.Id, new AnswerCallbackQueryRequest { CallbackQueryId = query.Id });
        await ReplyAsync(c, t, new ClientChat(chatId, "private", "", null), ClientTexts.Get("ProjectChosen", language, chosen.ProjectName));
    }

    private async Task LinkAsync(IDbConnection c, IDbTransaction t, ClientChat chat, Message message, string code,
        IReadOnlyList<BoundProject> before, string usage, string language)
    {
        if (code.Length == 0)
        {
            await ReplyAsync(c, t, chat, ClientTexts.Get(before.Count > 0 ? "ClientHelp" : usage, language));
            return;
        }
        var now = clock.GetUtcNow();
        if (code.Length > 64 || await Projects.InviteStore.RedeemAsync(c, t, code, chat.ChatId, now) is not { } projectId)
        {
            logger.LogInformation("Chat {ChatId}: unknown or expired invite code", chat.ChatId);
            await ReplyAsync(c, t, chat, ClientTexts.Get("InvalidCode", language));
            return;
        }
        var isNew = await ChatBindingStore.BindChatAsync(c, t, chat.ChatId, projectId, now);
        var projects = await ChatBindingStore.ProjectsOfChatAsync(c, t, chat.ChatId);
        var project = projects.First(p => p.ProjectId == projectId);
        language = ClientTexts.Pick(project.Language, message.From?.LanguageCode);
        if (!isNew)
        {
            await ReplyAsync(c, t, chat, ClientTexts.Get("AlreadyLinked", language, project.ProjectName));
            return;
        }
        logger.LogInformation("Chat {ChatId} bound to project {ProjectId}", chat.ChatId, projectId);
        await ReplyAsync(c, t, chat, ClientTexts.Get("Welcome", language, project.ProjectName, agency.Value.Name,
            (int)sla.Value.FirstResponse.TotalMinutes));
        if (projects.Count > 1) await OfferProjectsAsync(c, t, chat, projects, language);
        if (await staffChats.GetAsync(c, t) is { } staff)
            await staffRelay.NoticeAsync(c, t, staff, projectId,
                $"🔗 {MessageContent.SenderName(message.From)} linked {(chat.Kind == "group" ? $"the group “{chat.Title}”" : "their private chat")} to {project.ClientName} / {project.ProjectName}.");
    }

    private async Task OfferProjectsAsync(IDbConnection c, IDbTransaction t, ClientChat chat, IReadOnlyList<BoundProject> projects, string language)
    {
        if (projects.Count == 0)
        {
            await ReplyAsync(c, t, chat, ClientTexts.Get("NotLinked", language));
            return;
        }
        var keyboard = new InlineKeyboardMarkup(projects.Select(p =>
            new[] { InlineKeyboardButton.WithCallbackData(p.ProjectName, $"{ProjectCallbackPrefix}{p.ProjectId}") }));
        await outbox.EnqueueAsync(c, t, chat.ChatId, new SendMessageRequest
        {
            ChatId = chat.ChatId, Text = ClientTexts.Get("ChooseProject", language), ReplyMarkup = keyboard,
        });
    }

    private Task ReplyAsync(IDbConnection c, IDbTransaction t, ClientChat chat, string text) =>
        outbox.EnqueueAsync(c, t, chat.ChatId, new SendMessageRequest { ChatId = chat.ChatId, Text = text });

    private static ClientChat ChatOf(Message message) => new(
        message.Chat.Id,
        message.Chat.Type == ChatType.Private ? "private" : "group",
        message.Chat.Type == ChatType.Private ? MessageContent.SenderName(message.From) : message.Chat.Title ?? $"Group {message.Chat.Id}",
        message.Chat.Type == ChatType.Private ? message.From?.LanguageCode : null);

    internal static NewMessage Record(long conversationId, Direction direction, Message message, DateTimeOffset now) => new(
        conversationId, direction, message.From?.Id ?? 0, MessageContent.SenderName(message.From), MessageContent.Kind(message),
        MessageContent.TextOf(message), message.Chat.Id, message.Id, message.MediaGroupId, message.Date == default ? now : message.Date);
}
