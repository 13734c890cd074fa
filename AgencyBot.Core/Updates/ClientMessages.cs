using AgencyBot.Core.Agency;
using AgencyBot.Core.Clients;
using AgencyBot.Core.Conversations;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Projects;
using AgencyBot.Core.StaffGroup;
using AgencyBot.Core.Tasks;
using AgencyBot.Core.Turns;
using Telegram.Bot.Types.Enums;
using Telegram.Bot.Types.ReplyMarkups;

namespace AgencyBot.Core.Updates;

/// <summary>
/// What happens to a message a client writes to the bot, in a private chat or a group shared with the agency:
/// onboarding commands link the chat to a project; every other message is filed on the conversation of the project it
/// is about (opening a waiting period if none runs) and relayed to the staff chat. A message is never filed under a
/// project the client did not choose: in a chat linked to several projects it waits until the client picks one, and
/// in a chat that joined with a team invite until staff approve the chat.
/// </summary>
public sealed class ClientMessages(
    StaffRelay staffRelay,
    ClientStatus clientStatus,
    ApprovalDesk approvals,
    BotUser botUser,
    IOptions<AgencyOptions> agency,
    IOptions<SlaOptions> sla,
    IOptions<ConversationOptions> options,
    BusinessCalendar calendar,
    ILogger<ClientMessages> logger)
{
    public const string ProjectCallbackPrefix = "project:";

    public async Task HandleAsync(Turn turn, Message message)
    {
        var (c, t) = turn;
        var (now, updateId) = (turn.Now, turn.UpdateId!.Value);
        var chat = ChatOf(message);
        await ClientChatStore.SeenAsync(c, t, chat, now);
        var projects = await ChatBindingStore.ProjectsOfChatAsync(c, t, chat.ChatId);
        var language = ClientTexts.Pick(projects.FirstOrDefault()?.Language, message.From?.LanguageCode);

        if (botUser.ParseCommand(message.Text) is { } command)
        {
            switch (command.Name)
            {
                case "start":
                    await LinkAsync(turn, chat, message, command.Args, projects, "StartWithoutCode", language);
                    return;
                case "link":
                    await LinkAsync(turn, chat, message, command.Args, projects, "LinkUsage", language);
                    return;
                case "project" or "help" or "status" or "files" when projects.Count == 0:
                    await TellStrangerAsync(turn, chat.ChatId, ClientTexts.Get("NotLinked", language));
                    return;
                case "project" when projects.Count == 1:
                    await turn.SendAsync(chat.ChatId, ClientTexts.Get("OneProject", language, projects[0].ProjectName));
                    return;
                case "project":
                    await OfferProjectsAsync(turn, chat.ChatId, projects, "ChooseProject", language);
                    return;
                case "help":
                    await turn.SendAsync(chat.ChatId, ClientTexts.Get("ClientHelp", language));
                    return;
                case "status":
                    if (Chosen(projects, now) is { } current) await clientStatus.SendAsync(turn, chat.ChatId, current, language);
                    else await OfferProjectsAsync(turn, chat.ChatId, projects, "ChooseProject", language);
                    return;
                case "files":
                    await FileDesk.ListAsync(turn, chat.ChatId, language);
                    return;
                case var staffOnly when BotCommands.Staff(staffOnly) is not null:
                    // A client typing a staff command gets the client help, and nothing happens.
                    if (projects.Count == 0) await TellStrangerAsync(turn, chat.ChatId, ClientTexts.Get("NotLinked", language));
                    else await turn.SendAsync(chat.ChatId, ClientTexts.Get("ClientHelp", language));
                    return;
            }
            // Any other command is a message like the rest: clients type "/urgent" too.
        }

        if (projects.Count == 0)
        {
            await UnlinkedAsync(turn, chat, message, language);
            return;
        }
        if (!MessageContent.IsRelayable(message))
        {
            logger.LogInformation("Chat {ChatId}: service message {MessageId} ({Type}) not relayed", chat.ChatId, message.Id, message.Type);
            return;
        }
        // Agency staff who share a client's group answer there directly: that is an answer, not a client message.
        if (chat.Kind == "group" && message.From is { } from && turn.Member is { } staffMember)
        {
            // Filed under the project it is about, else the one whose client waits in this group, else the latest.
            var of = await AboutAsync(turn, chat, message, projects)
                ?? await WaitingProjectAsync(c, t, chat.ChatId, projects) ?? projects[0];
            var conversation = await ConversationStore.GetOrCreateAsync(c, t, of.ProjectId, chat.ChatId, now);
            await ConversationStore.AddMessageAsync(c, t, NewMessage.Of(conversation.Id, Direction.Staff, message, now));
            await ConversationStore.CloseWaitingAsync(c, t, conversation.Id, staffMember.Id, message.Date, calendar, sla.Value.FirstResponse);
            return;
        }

        if (await AboutAsync(turn, chat, message, projects) is { } project)
        {
            // A reply to one project's message is a pick too: what waited for a pick goes first.
            if (projects.Count > 1) await FileHeldAsync(turn, chat.ChatId, HoldReason.Project, project);
            await FileAsync(turn, chat, project, message);
            return;
        }
        // Several projects and no telling which: the message waits for the client's pick (asked once per wait).
        var waiting = (await HeldMessages.OpenOfChatAsync(c, t, chat.ChatId, HoldReason.Project)).Count;
        await HeldMessages.HoldAsync(c, t, HoldReason.Project, chat.ChatId, message.Id, updateId, message.MediaGroupId, null, null, now);
        logger.LogInformation("Chat {ChatId}: message {MessageId} waits for the client to pick one of {Count} projects", chat.ChatId, message.Id, projects.Count);
        if (waiting == 0) await OfferProjectsAsync(turn, chat.ChatId, projects, "ChooseProjectFirst", language);
    }

    public async Task HandleEditAsync(Turn turn, Message edited)
    {
        var (c, t) = turn;
        var updateId = turn.UpdateId!.Value;
        var original = await ConversationStore.FindByOriginalAsync(c, t, edited.Chat.Id, edited.Id);
        if (original is null && await HeldMessages.RepointAsync(c, t, edited.Chat.Id, edited.Id, updateId))
        {
            logger.LogInformation("Chat {ChatId}: message {MessageId}, still waiting to be filed, edited; it is filed as edited", edited.Chat.Id, edited.Id);
            return;
        }
        if (original is null || original.Direction != "client")
        {
            logger.LogInformation("Chat {ChatId}: edit of message {MessageId} that was never relayed; ignored", edited.Chat.Id, edited.Id);
            return;
        }
        var now = turn.Now;
        await ConversationStore.AddVersionAsync(c, t, original.Id, "edit", MessageContent.TextOf(edited), edited.EditDate ?? now.UtcDateTime, now);
        var conversation = await ConversationStore.GetAsync(c, t, original.ConversationId);
        var project = (await ChatBindingStore.ProjectsOfChatAsync(c, t, edited.Chat.Id)).FirstOrDefault(p => p.ProjectId == conversation.ProjectId);
        if (project is null || turn.StaffChat is not { } staff) return; // chat removed from the project since
        await staffRelay.RelayEditAsync(c, t, staff, project, ChatOf(edited), edited, original);
    }

    /// <summary>The client picked a project on the inline keyboard: it becomes the chat's project, and whatever waited
    /// for the pick is filed under it, in order.</summary>
    public async Task HandleProjectChoiceAsync(Turn turn, CallbackQuery query)
    {
        var (c, t) = turn;
        var chatId = query.Message?.Chat.Id ?? query.From.Id;
        var now = turn.Now;
        var projects = await ChatBindingStore.ProjectsOfChatAsync(c, t, chatId);
        var language = ClientTexts.Pick(projects.FirstOrDefault()?.Language, query.From.LanguageCode);
        // Callback data comes from the client's device: only a project bound to this very chat may be chosen.
        var chosen = long.TryParse(query.Data?[ProjectCallbackPrefix.Length..], out var projectId)
            ? projects.FirstOrDefault(p => p.ProjectId == projectId)
            : null;
        if (chosen is null || !await ChatBindingStore.ChooseAsync(c, t, chatId, chosen.ProjectId, now))
        {
            logger.LogWarning("Chat {ChatId}: refused project choice {Data}", chatId, query.Data);
            await turn.AnswerButtonAsync(query, ClientTexts.Get("ProjectNotAvailable", language), alert: true);
            return;
        }
        await turn.AnswerButtonAsync(query, null);
        await turn.SendAsync(chatId, ClientTexts.Get("ProjectChosen", language, chosen.ProjectName));
        await FileHeldAsync(turn, chatId, HoldReason.Project, chosen);
    }

    /// <summary>Staff approved a chat that joined with a team invite: it is welcomed, and what it wrote meanwhile is
    /// filed (or, if the chat has several projects, waits for its pick).</summary>
    public async Task ApprovedAsync(Turn turn, long chatId, BoundProject project)
    {
        var (c, t) = turn;
        var language = ClientTexts.Pick(project.Language, (await ClientChatStore.FindAsync(c, t, chatId))?.LanguageCode);
        await turn.SendAsync(chatId, ClientTexts.Get("Welcome", language, project.ProjectName, agency.Value.Name, (int)sla.Value.FirstResponse.TotalMinutes));
        await ReconsiderHeldAsync(turn, chatId, "approved");
    }

    /// <summary>Staff refused such a chat: it is told; what it wrote waits on if another project may still take it, and
    /// otherwise stays recorded as held, never relayed.</summary>
    public async Task RefusedAsync(Turn turn, long chatId, BoundProject project)
    {
        var (c, t) = turn;
        var language = ClientTexts.Pick(project.Language, (await ClientChatStore.FindAsync(c, t, chatId))?.LanguageCode);
        await turn.SendAsync(chatId, ClientTexts.Get("Refused", language, project.ProjectName));
        await ReconsiderHeldAsync(turn, chatId, "refused");
    }

    /// <summary>
    /// The chat's projects changed (approved, refused, removed): what it has waiting is decided again, so nothing waits
    /// for a pick or an approval that can no longer come. One project: everything is filed under it. Several: the
    /// client picks (asked now if anything waited for an approval). None, but one awaiting approval: it waits on.
    /// None at all: the holds end with <paramref name="outcome"/>, kept on record and never relayed.
    /// </summary>
    public async Task ReconsiderHeldAsync(Turn turn, long chatId, string outcome)
    {
        var (c, t) = turn;
        var now = turn.Now;
        var held = (await HeldMessages.OpenOfChatAsync(c, t, chatId, HoldReason.Approval))
            .Concat(await HeldMessages.OpenOfChatAsync(c, t, chatId, HoldReason.Project)).OrderBy(h => h.Id).ToList();
        if (held.Count == 0) return;
        var projects = await ChatBindingStore.ProjectsOfChatAsync(c, t, chatId);
        if (projects.Count == 0)
        {
            var waitsForApproval = (await ChatBindingStore.PendingProjectsOfChatAsync(c, t, chatId)).Count > 0;
            foreach (var message in held)
                if (waitsForApproval) await HeldMessages.HoldForAsync(c, t, message.Id, HoldReason.Approval);
                else await HeldMessages.ReleaseAsync(c, t, message.Id, outcome, now);
            return;
        }
        if (Chosen(projects, now) is { } project)
        {
            foreach (var message in held.Where(h => h.Reason == "approval")) await HeldMessages.HoldForAsync(c, t, message.Id, HoldReason.Project);
            await FileHeldAsync(turn, chatId, HoldReason.Project, project);
            return;
        }
        var asked = held.Any(h => h.Reason == "project");
        foreach (var message in held.Where(h => h.Reason == "approval")) await HeldMessages.HoldForAsync(c, t, message.Id, HoldReason.Project);
        if (!asked)
            await OfferProjectsAsync(turn, chatId, projects, "ChooseProjectFirst",
                ClientTexts.Pick(projects[0].Language, (await ClientChatStore.FindAsync(c, t, chatId))?.LanguageCode));
    }

    /// <summary>Records a client message on its project's conversation, opens a waiting period if none runs, and relays
    /// it to the staff chat.</summary>
    private async Task FileAsync(Turn turn, ClientChat chat, BoundProject project, Message message)
    {
        var (c, t) = turn;
        var now = turn.Now;
        var conversation = await ConversationStore.GetOrCreateAsync(c, t, project.ProjectId, chat.ChatId, now);
        var messageId = await ConversationStore.AddMessageAsync(c, t, NewMessage.Of(conversation.Id, Direction.Client, message, now));
        // Right after asking for changes, what they write says what should change.
        if (MessageContent.TextOf(message) is { Length: > 0 } words) await approvals.CommentAsync(turn, chat.ChatId, words);
        var firstOfWait = await ConversationStore.OpenWaitingAsync(c, t, conversation.Id, message.Date);
        await ConversationStore.ClientWroteAsync(c, t, conversation.Id, message.Date);
        // Out of hours, say honestly when the team will answer (once per waiting period).
        if (firstOfWait && !calendar.IsOpen(now))
            await turn.SendAsync(chat.ChatId, ClientTexts.OutOfHours(now, calendar.NextOpening(now), calendar.Zone,
                ClientTexts.Pick(project.Language, message.From?.LanguageCode)));
        if (turn.StaffChat is { } staff)
            await staffRelay.RelayAsync(c, t, staff, project, chat, message, messageId, firstOfWait);
        else
            logger.LogWarning("Chat {ChatId}: message {MessageId} recorded but not relayed: no staff chat is set up (Agency:StaffChatId or /setup)",
                chat.ChatId, message.Id);
    }

    /// <summary>Files, in order, what a chat had waiting for <paramref name="reason"/>.</summary>
    private async Task FileHeldAsync(Turn turn, long chatId, HoldReason reason, BoundProject project)
    {
        var (c, t) = turn;
        var now = turn.Now;
        foreach (var held in await HeldMessages.OpenOfChatAsync(c, t, chatId, reason))
        {
            if (!await HeldMessages.ReleaseAsync(c, t, held.Id, "filed", now)) continue;
            if (await HeldMessages.MessageOfAsync(c, t, held) is not { } message)
            {
                logger.LogError("Chat {ChatId}: held message {MessageId} has no stored update {UpdateId}; it cannot be filed", chatId, held.TelegramMessageId, held.UpdateId);
                continue;
            }
            logger.LogInformation("Chat {ChatId}: held message {MessageId} filed under project {ProjectId}", chatId, message.Id, project.ProjectId);
            // The chat as it is now (a group upgraded meanwhile has a new id), the message as it was written.
            await FileAsync(turn, ChatOf(message) with { ChatId = chatId }, project, message);
        }
    }

    /// <summary>
    /// The project a message is about: the project of the bot's message it replies to, the chat's only project, or the
    /// one the client picked recently (renewed by this message); null when that cannot be told.
    /// </summary>
    private async Task<BoundProject?> AboutAsync(Turn turn, ClientChat chat, Message message,
        IReadOnlyList<BoundProject> projects)
    {
        var (c, t) = turn;
        var now = turn.Now;
        if (message.ReplyToMessage is { } repliedTo && await ConversationStore.FindByPostAsync(c, t, chat.ChatId, repliedTo.Id) is { } answered)
        {
            var of = await ConversationStore.GetAsync(c, t, answered.ConversationId);
            if (projects.FirstOrDefault(p => p.ProjectId == of.ProjectId) is { } replied)
            {
                if (projects.Count > 1) await ChatBindingStore.ChooseAsync(c, t, chat.ChatId, replied.ProjectId, now);
                return replied;
            }
        }
        if (projects.Count == 1) return projects[0];
        if (Chosen(projects, now) is not { } chosen) return null;
        await ChatBindingStore.ChooseAsync(c, t, chat.ChatId, chosen.ProjectId, now);
        return chosen;
    }

    /// <summary>The one project whose client waits for an answer in this chat, if exactly one does.</summary>
    private static async Task<BoundProject?> WaitingProjectAsync(IDbConnection c, IDbTransaction t, long chatId, IReadOnlyList<BoundProject> projects)
    {
        var waiting = new List<BoundProject>();
        foreach (var project in projects)
            if (await ConversationStore.WaitingOfChatAsync(c, t, project.ProjectId, chatId)) waiting.Add(project);
        return waiting.Count == 1 ? waiting[0] : null;
    }

    /// <summary>The chat's only project, or the one the client picked within <see cref="ConversationOptions.ProjectChoiceLasts"/>.</summary>
    private BoundProject? Chosen(IReadOnlyList<BoundProject> projects, DateTimeOffset now) =>
        projects.Count == 1 ? projects[0]
        : projects.FirstOrDefault(p => p.ChosenAt is { } at && now - DateTimeOffset.FromUnixTimeMilliseconds(at) < options.Value.ProjectChoiceLasts);

    /// <summary>A message in a chat with no approved project: kept for staff approval when it joined with a team invite,
    /// else answered with how to link the chat.</summary>
    private async Task UnlinkedAsync(Turn turn, ClientChat chat, Message message, string language)
    {
        var (c, t) = turn;
        var now = turn.Now;
        var updateId = turn.UpdateId!.Value;
        if ((await ChatBindingStore.PendingProjectsOfChatAsync(c, t, chat.ChatId)).FirstOrDefault() is { } pending)
        {
            // Agency staff in a group that waits for approval are no client writing.
            if (!MessageContent.IsRelayable(message) || turn.Member is not null)
                return;
            var waiting = (await HeldMessages.OpenOfChatAsync(c, t, chat.ChatId, HoldReason.Approval)).Count;
            await HeldMessages.HoldAsync(c, t, HoldReason.Approval, chat.ChatId, message.Id, updateId, message.MediaGroupId, null, pending.ProjectId, now);
            logger.LogInformation("Chat {ChatId}: message {MessageId} kept until staff approve the chat", chat.ChatId, message.Id);
            if (waiting == 0) await turn.SendAsync(chat.ChatId, ClientTexts.Get("AwaitingApproval", ClientTexts.Pick(pending.Language, message.From?.LanguageCode), pending.ProjectName));
            return;
        }
        logger.LogInformation("Chat {ChatId}: message {MessageId} from a chat nobody linked", chat.ChatId, message.Id);
        // In a group the bot only speaks when spoken to, so it does not talk over people.
        if (chat.Kind == "private" || botUser.ParseCommand(message.Text) is not null)
            await TellStrangerAsync(turn, chat.ChatId, ClientTexts.Get("NotLinked", language));
    }

    private async Task LinkAsync(Turn turn, ClientChat chat, Message message, string code,
        IReadOnlyList<BoundProject> before, string usage, string language)
    {
        var (c, t) = turn;
        if (code.Length == 0)
        {
            if (before.Count > 0) await turn.SendAsync(chat.ChatId, ClientTexts.Get("ClientHelp", language));
            else await TellStrangerAsync(turn, chat.ChatId, ClientTexts.Get(usage, language));
            return;
        }
        var now = turn.Now;
        if (code.Length > 64 || await InviteStore.RedeemAsync(c, t, code, chat.ChatId, now) is not { } invite)
        {
            logger.LogInformation("Chat {ChatId}: unknown, expired, revoked or spent invite code", chat.ChatId);
            await turn.SendAsync(chat.ChatId, ClientTexts.Get("InvalidCode", language));
            return;
        }
        var pending = invite.Kind == InviteKind.Team;
        var isNew = await ChatBindingStore.BindChatAsync(c, t, chat.ChatId, invite.ProjectId, now, pending, code);
        var project = await ProjectOfAsync(c, t, chat.ChatId, invite.ProjectId);
        language = ClientTexts.Pick(project.Language, message.From?.LanguageCode);
        var who = MessageContent.SenderName(message.From);
        var where = chat.Kind == "group" ? $"the group “{chat.Title}”" : "their private chat";
        if (!isNew)
        {
            var stillPending = (await ChatBindingStore.PendingProjectsOfChatAsync(c, t, chat.ChatId)).Any(p => p.ProjectId == invite.ProjectId);
            await turn.SendAsync(chat.ChatId, stillPending
                ? ClientTexts.Get("AwaitingApproval", language, project.ProjectName)
                : ClientTexts.Get("AlreadyLinked", language, project.ProjectName));
            return;
        }
        if (pending)
        {
            logger.LogInformation("Chat {ChatId} asks to join project {ProjectId} with a team invite", chat.ChatId, invite.ProjectId);
            await turn.SendAsync(chat.ChatId, ClientTexts.Get("AwaitingApproval", language, project.ProjectName));
            await turn.NoticeAsync(invite.ProjectId,
                    $"🔗 {who} wants to link {where} to {project.ClientName} / {project.ProjectName} with the team invite. Nothing is relayed to or from it until someone approves.",
                    buttons: InviteDesk.Approval(invite.ProjectId, chat.ChatId));
            return;
        }
        logger.LogInformation("Chat {ChatId} bound to project {ProjectId}", chat.ChatId, invite.ProjectId);
        await turn.SendAsync(chat.ChatId, ClientTexts.Get("Welcome", language, project.ProjectName, agency.Value.Name,
            (int)sla.Value.FirstResponse.TotalMinutes));
        var projects = await ChatBindingStore.ProjectsOfChatAsync(c, t, chat.ChatId);
        if (projects.Count > 1) await OfferProjectsAsync(turn, chat.ChatId, projects, "ChooseProject", language);
        await turn.NoticeAsync(invite.ProjectId, $"🔗 {who} linked {where} to {project.ClientName} / {project.ProjectName}.");
    }

    private static async Task<BoundProject> ProjectOfAsync(IDbConnection c, IDbTransaction t, long chatId, long projectId) =>
        (await ChatBindingStore.ProjectsOfChatAsync(c, t, chatId)).Concat(await ChatBindingStore.PendingProjectsOfChatAsync(c, t, chatId))
            .First(p => p.ProjectId == projectId);

    private async Task OfferProjectsAsync(Turn turn, long chatId, IReadOnlyList<BoundProject> projects, string question,
        string language)
    {
        if (projects.Count == 0)
        {
            await turn.SendAsync(chatId, ClientTexts.Get("NotLinked", language));
            return;
        }
        var keyboard = new InlineKeyboardMarkup(projects.Select(p =>
            new[] { InlineKeyboardButton.WithCallbackData(p.ProjectName, $"{ProjectCallbackPrefix}{p.ProjectId}") }));
        await turn.SendAsync(chatId, new SendMessageRequest { ChatId = chatId, Text = ClientTexts.Get(question, language), ReplyMarkup = keyboard });
    }

    /// <summary>A chat linked to nothing hears how to link it once a while (<see cref="ConversationOptions.StrangerReplyEvery"/>),
    /// however often it writes.</summary>
    private async Task TellStrangerAsync(Turn turn, long chatId, string text)
    {
        if (await ClientChatStore.TellStrangerAsync(turn.Connection, turn.Transaction, chatId, turn.Now, options.Value.StrangerReplyEvery)) await turn.SendAsync(chatId, text);
    }

    private static ClientChat ChatOf(Message message) => new(
        message.Chat.Id,
        message.Chat.Type == ChatType.Private ? "private" : "group",
        message.Chat.Type == ChatType.Private ? MessageContent.SenderName(message.From) : message.Chat.Title ?? $"Group {message.Chat.Id}",
        message.Chat.Type == ChatType.Private ? message.From?.LanguageCode : null);

}
