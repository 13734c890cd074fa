using AgencyBot.Core.Conversations;
using AgencyBot.Core.Inbox;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Projects;
using AgencyBot.Core.Staff;
using AgencyBot.Core.StaffGroup;
using AgencyBot.Core.Tasks;
using AgencyBot.Core.Turns;
using Telegram.Bot.Types.Enums;
using Telegram.Bot.Types.ReplyMarkups;

namespace AgencyBot.Core.Updates;

/// <summary>
/// What happens to a message in the staff chat. Only active staff are heard. A message in a project's topic, or a reply
/// to a relayed post, is an answer for that project's clients (<see cref="StaffAnswers"/> sends it to exactly the chats
/// it is for, or records it as an internal note); commands are answered where they were typed and never relayed.
/// </summary>
public sealed class StaffReplies(
    StaffChatStore staffChats,
    StaffAnswers answers,
    AnswerEdits edits,
    StaffCommands staffCommands,
    StaffRoster staffRoster,
    InviteDesk invites,
    InvoiceDesk invoices,
    ReportDesk reports,
    ProjectDialog dialogs,
    ImportDesk imports,
    SavedAnswerDesk saved,
    FileDesk files,
    ApprovalDesk approvals,
    BotUser botUser,
    ILogger<StaffReplies> logger)
{
    /// <summary>Callback data of /setup's confirmation buttons: "setup:go", "setup:no".</summary>
    public const string SetupPrefix = "setup:";

    /// <summary>How long after a post its Telegram id may still be on its way into relay_posts.</summary>
    public static readonly TimeSpan RecordingGrace = TimeSpan.FromSeconds(10);

    public async Task HandleAsync(Turn turn, Message message)
    {
        var staff = turn.StaffChat!;
        // Topics can be switched on or off at any time; every message says which it is now.
        if (message.Chat.IsForum != staff.IsForum)
        {
            turn.StaffChatIs(staff = staff with { IsForum = message.Chat.IsForum });
            await staffChats.SetForumAsync(turn.Connection, turn.Transaction, staff.ChatId, message.Chat.IsForum);
        }
        if (turn.Member is not { } member)
        {
            logger.LogInformation("Staff chat: message {MessageId} from {UserId}, who is not registered staff; ignored", message.Id, message.From?.Id);
            return;
        }
        // The answer to a guided dialog's question (a name, a date) is for the bot, never for a client.
        if (await dialogs.AnswerAsync(turn, message)) return;
        // A command is a command in a caption too (a photo captioned "/all …", a PDF captioned "/invoice").
        var command = botUser.ParseCommand(message.Text ?? message.Caption);
        switch (command?.Name)
        {
            case "newproject":
                await dialogs.StartProjectAsync(turn, message);
                return;
            case "newclient":
                await dialogs.StartClientAsync(turn, message, command.Args);
                return;
            case "import":
                await imports.RequestAsync(turn, message);
                return;
            case "saved":
                await saved.ManageAsync(turn, message, command);
                return;
            case "setup":
                await SetupAsync(turn, message);
                return;
            case "staff":
                await staffRoster.ListAsync(turn, message);
                return;
            case "invite_staff":
                await staffRoster.InviteAsync(turn, message, command);
                return;
            case "unsend":
                await edits.UnsendAsync(turn, message);
                return;
        }
        if (!MessageContent.IsRelayable(message) || message.IsTopicStart()) return;

        var target = await TargetOfAsync(turn, message);
        if (target is null)
        {
            if (command is null) await NoTargetAsync(turn, message);
            else if (BotCommands.IsStaff(command.Name, CommandDesk.Tasks)) await staffCommands.HandleAsync(turn, message, command, null);
            else await turn.ReplyAsync(message, $"Use /{command.Name} in a project's topic, or as a reply to a client's message.");
            return;
        }
        switch (command?.Name)
        {
            case null:
                await answers.HandleAsync(turn, message, target);
                return;
            case "all" when command.Args.Length == 0:
                await turn.ReplyAsync(message, "/all <text>: sends the text to every client chat of this project.");
                return;
            case "all":
                // Everyone on purpose: the words after the command, with their formatting.
                await answers.HandleAsync(turn, message, target, MessageContent.FormattedOf(message)!.AfterFirstWord());
                return;
            case "invites":
                await invites.ListAsync(turn, target.ProjectId, message);
                return;
            case "invite":
                await invites.InviteAsync(turn, target.ProjectId, message);
                return;
            case "later":
                await answers.LaterAsync(turn, message, target, command);
                return;
            case "r":
                await saved.SendAsync(turn, message, target, command);
                return;
            case "file":
                await files.MarkAsync(turn, message, target.ProjectId, command.Args);
                return;
            case "approve":
                await approvals.RequestAsync(turn, message, target.ProjectId);
                return;
            case "invoice":
                await invoices.SendAsync(turn, message, command, target);
                return;
            case "report":
                await reports.CommandAsync(turn, message, command, target.ProjectId);
                return;
            case var name when BotCommands.IsStaff(name, CommandDesk.Tasks):
                await staffCommands.HandleAsync(turn, message, command, new StaffTarget(target.ProjectId, target.ConversationId));
                return;
            default:
                // Nothing that looks like a command is ever relayed to a client: a mistyped one gets the help.
                await turn.ReplyAsync(message, $"/{command.Name} is not a command I know. Nothing was sent to the client.\n\n{BotCommands.StaffHelp}");
                return;
        }
    }

    /// <summary>A staff member edited a message in the staff chat: an answer's client copies follow, and the record keeps
    /// both versions.</summary>
    public async Task HandleEditAsync(Turn turn, Message edited)
    {
        if (turn.Member is null)
        {
            logger.LogInformation("Staff chat: edit of message {MessageId} by {UserId}, who is not registered staff; ignored", edited.Id, edited.From?.Id);
            return;
        }
        await edits.HandleEditAsync(turn, edited);
    }

    /// <summary>A staff message about no project: a reply to one of the bot's own posts must not vanish silently.</summary>
    private async Task NoTargetAsync(Turn turn, Message message)
    {
        if (IsReplyToTheBot(message))
        {
            await WaitForThePostAsync(turn, message);
            await turn.ReplyAsync(message,
                "⚠️ Not sent: I cannot tell which client this reply is for. Reply to the client's message itself, or write in the project's topic.");
            return;
        }
        logger.LogDebug("Staff chat: message {MessageId} is not about a project; not relayed", message.Id);
    }

    /// <summary>A reply to one of the bot's posts (not the topic's own first message, which every message in a topic
    /// points at).</summary>
    private bool IsReplyToTheBot(Message message) =>
        message.ReplyToMessage is { From.IsBot: true } post && !post.IsTopicStart() && botUser.Username is { } me
        && string.Equals(post.From.Username, me, StringComparison.OrdinalIgnoreCase);

    /// <summary>The replied-to post may be so new that its Telegram id is not recorded yet (a relay still on its way back
    /// from Telegram): the inbox tries this reply again shortly, for as long as the grace lasts.</summary>
    private static async Task WaitForThePostAsync(Turn turn, Message message)
    {
        var post = message.ReplyToMessage!;
        if (RecordingGrace - (turn.Now - post.Date) > TimeSpan.Zero
            && await OutboxStore.HasUnrecordedPostsAsync(turn.Connection, turn.Transaction, turn.StaffChat!.ChatId))
            throw new PostNotRecordedYetException(post.Id);
    }

    /// <summary>The project a staff message is about: for a reply to a relayed post, the messages that post carried; for a
    /// reply to a colleague's answer, the chats it went to.</summary>
    private async Task<AnswerTarget?> TargetOfAsync(Turn turn, Message message)
    {
        var (c, t) = turn;
        var staff = turn.StaffChat!;
        if (await ProjectOfAsync(c, t, staff, message) is not (var projectId, var carried)) return null;
        if (carried is not null) return new AnswerTarget(projectId, carried);
        if (IsReplyToTheBot(message))
        {
            await WaitForThePostAsync(turn, message);
            return new AnswerTarget(projectId, null, RepliesToTheBot: true);
        }
        if (message.ReplyToMessage is { From.IsBot: false } colleague && !colleague.IsTopicStart())
        {
            var answered = (await ConversationStore.AnswersOfAsync(c, t, staff.ChatId, colleague.Id)).Where(r => r.Direction == "staff").ToList();
            var chats = new List<long>();
            foreach (var record in answered) chats.Add((await ConversationStore.GetAsync(c, t, record.ConversationId)).ChatId);
            if (chats.Count > 0) return new AnswerTarget(projectId, null, AnsweredChats: chats);
        }
        return new AnswerTarget(projectId, null);
    }

    /// <summary>The project a message in the staff chat is about, read the same way for handling it and for knowing
    /// beforehand what handling it locks (<see cref="UpdateScopes"/>): a reply to a relayed post is about the post's
    /// conversations (returned), a message in a project's topic about that project.</summary>
    public static async Task<(long ProjectId, IReadOnlyList<ConversationMessage>? Carried)?> ProjectOfAsync(IDbConnection c, IDbTransaction t,
        StaffChat staff, Message message)
    {
        // A reply to a relayed post points at the conversations it carried; in a forum, Telegram also sets
        // reply_to_message to the topic's first message, which is no relay, so the lookup simply finds nothing.
        if (message.ReplyToMessage is { } replyTo && await ConversationStore.CarriedByPostAsync(c, t, staff.ChatId, replyTo.Id) is { Count: > 0 } carried)
            return ((await ConversationStore.GetAsync(c, t, carried[^1].ConversationId)).ProjectId, carried);
        if (message.Chat.IsForum && message.TopicOf() is { } thread && await StaffTopics.ProjectOfThreadAsync(c, t, staff.ChatId, thread) is { } projectId)
            return (projectId, null);
        return null;
    }

    /// <summary>/setup in a group: a manager asks to make it the staff chat. Moving the staff chat moves every client's
    /// messages, so it is refused where configuration decides, by anyone but a manager, outside a supergroup and in a
    /// group a client is in; otherwise it waits for a confirmation button.</summary>
    public async Task SetupAsync(Turn turn, Message message)
    {
        var member = turn.Member!;
        if (await SetupRefusalAsync(turn, message.Chat, member) is { } refusal)
        {
            logger.LogWarning("Refused /setup by staff {StaffId} ({Role}) in chat {ChatId}: {Refusal}", member.Id, member.Role, message.Chat.Id, refusal);
            await turn.ReplyAsync(message, refusal);
            return;
        }
        var current = turn.StaffChat;
        await turn.SendAsync(message.Chat.Id, new SendMessageRequest
        {
            ChatId = message.Chat.Id, MessageThreadId = message.TopicOf(),
            Text = $"Make “{message.Chat.Title}” the staff chat? Every client message will arrive here, and answers written here reach clients as the agency."
                   + (current is null ? "" : " The current staff chat stops receiving them; everyone there and every manager is told."),
            ReplyMarkup = new InlineKeyboardMarkup([[
                InlineKeyboardButton.WithCallbackData("✅ Make this the staff chat", $"{SetupPrefix}go"),
                InlineKeyboardButton.WithCallbackData("✖ Cancel", $"{SetupPrefix}no")]]),
        });
    }

    /// <summary>The confirmation button under /setup's question, checked again at the press.</summary>
    public async Task ConfirmSetupAsync(Turn turn, CallbackQuery query)
    {
        Task AnswerAsync(string text) => turn.AnswerButtonAsync(query, text);

        var (c, t) = turn;
        var member = turn.Member;
        var chat = query.Message?.Chat;
        var current = turn.StaffChat;
        if (member is null || chat is null)
        {
            await AnswerAsync("Only a manager can choose the staff chat.");
            return;
        }
        if (query.Data == $"{SetupPrefix}no")
        {
            await AnswerAsync("Nothing changed.");
            return;
        }
        if (await SetupRefusalAsync(turn, chat, member) is { } refusal)
        {
            logger.LogWarning("Refused /setup confirmation by staff {StaffId} in chat {ChatId}: {Refusal}", member.Id, chat.Id, refusal);
            await AnswerAsync(refusal);
            return;
        }
        var chosen = new StaffChat(chat.Id, chat.IsForum);
        await staffChats.SetAsync(c, t, chosen);
        turn.StaffChatIs(chosen);
        // What waited for the old staff chat (it may have shut the bot out) goes to the new one.
        var moved = current is null ? 0 : await OutboxStore.ReaddressAsync(c, t, current.ChatId, chat.Id, anyRow: false, turn.Now);
        logger.LogWarning("Staff chat moved from {OldChatId} to {ChatId} (forum: {IsForum}) by staff {StaffId}; {Moved} queued posts follow",
            current?.ChatId, chat.Id, chat.IsForum, member.Id, moved);
        await AnswerAsync("This group is now the staff chat.");
        await turn.SendAsync(chat.Id, BotCommands.MenuFor(chat.Id, BotCommands.StaffChat));
        await turn.SendAsync(chat.Id, new SendMessageRequest
        {
            ChatId = chat.Id, MessageThreadId = query.Message!.TopicOf(),
            Text = chat.IsForum
                ? "✅ This group is now the staff chat. Each client project gets its own topic; answer in a topic and the client receives it. Start a message with // for an internal note."
                : "✅ This group is now the staff chat. Client messages arrive here with a header; reply to one and the client receives your answer. Start a message with // for an internal note. Tip: turn Topics on to get one topic per project.",
        });
        var announcement = $"🔀 {member.Name} made “{chat.Title}” the staff chat: client messages arrive there from now on.";
        if (current is not null)
            await turn.SendAsync(current.ChatId, announcement);
        await turn.TellManagersAsync(announcement);
    }

    private async Task<string?> SetupRefusalAsync(Turn turn, Chat chat, StaffMember member)
    {
        var current = turn.StaffChat;
        if (staffChats.Configured)
            return "The staff chat is set in the agency's configuration (Agency:StaffChatId), so /setup cannot move it.";
        if (member.Role != StaffRole.Manager) return "Only a manager can choose the staff chat.";
        if (current?.ChatId == chat.Id) return "This group already is the staff chat.";
        if (chat.Type != ChatType.Supergroup)
            return "The staff chat must be a supergroup (with topics on, each client project gets its own topic). Upgrade the group, then send /setup again.";
        if (await ChatBindingStore.IsClientChatAsync(turn.Connection, turn.Transaction, chat.Id))
            return "This group is linked to a client's project (or asked to be), so it cannot be the staff chat.";
        return null;
    }
}

/// <summary>A staff reply arrived before the post it answers was recorded; the inbox tries it again a moment later,
/// without counting it as a failed attempt.</summary>
public sealed class PostNotRecordedYetException(int postId) : RetryLaterException($"The bot's post {postId} is not recorded yet; the reply is tried again");
