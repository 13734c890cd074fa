using System.Data;
using AgencyBot.Core.Escalation;
using AgencyBot.Core.Outbox;
using Microsoft.Extensions.Options;
using AgencyBot.Core.Projects;
using AgencyBot.Core.Staff;
using AgencyBot.Core.Tasks;
using AgencyBot.Core.Telegram;
using Microsoft.Extensions.Logging;
using Telegram.Bot.Requests;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;
using Telegram.Bot.Types.ReplyMarkups;

namespace AgencyBot.Core.Conversations;

/// <summary>
/// What happens to a message in the staff chat. A registered staff member's message in a project's topic, or a reply
/// to a relayed post, goes to every client chat bound to that project and closes their waiting periods; one that
/// starts with // is an internal note, recorded and never sent. Everyone else is ignored.
/// </summary>
public sealed class StaffReplies(
    StaffChatStore staffChats,
    StaffRelay staffRelay,
    ClientRelay clientRelay,
    TaskCommands taskCommands,
    StaffCommands staffCommands,
    ReplyInPlace replyInPlace,
    BotUser botUser,
    BusinessCalendar calendar,
    IOptions<SlaOptions> sla,
    OutboxStore outbox,
    TimeProvider clock,
    ILogger<StaffReplies> logger)
{
    public const string NotePrefix = "//";

    /// <summary>Callback data of /setup's confirmation buttons: "setup:go", "setup:no".</summary>
    public const string SetupPrefix = "setup:";

    /// <summary>Staff commands about the desk itself rather than a project's work.</summary>
    public static readonly IReadOnlySet<string> DeskCommands = new HashSet<string>(["setup", "staff"]);

    /// <summary>How long after a post its Telegram id may still be on its way into relay_posts.</summary>
    private static readonly TimeSpan RecordingGrace = TimeSpan.FromSeconds(10);

    public async Task HandleAsync(Message message, StaffChat staff, IDbConnection c, IDbTransaction t)
    {
        // Topics can be switched on or off at any time; every message says which it is now.
        if (message.Chat.IsForum != staff.IsForum)
        {
            staff = staff with { IsForum = message.Chat.IsForum };
            await staffChats.SetForumAsync(c, t, staff.ChatId, message.Chat.IsForum);
        }
        if (message.From is not { IsBot: false } from || await StaffStore.FindByTelegramUserAsync(c, t, from.Id) is not { } member)
        {
            logger.LogInformation("Staff chat: message {MessageId} from {UserId}, who is not registered staff; ignored", message.Id, message.From?.Id);
            return;
        }
        var command = botUser.ParseCommand(message.Text);
        if (command is { Name: "setup" })
        {
            await SetupAsync(message, member, c, t);
            return;
        }
        if (command is { Name: "staff" })
        {
            await staffCommands.ListAsync(c, t, message, member);
            return;
        }
        if (!MessageContent.IsRelayable(message) || message.ForumTopicCreated is not null) return;

        var target = await TargetOfAsync(message, staff, c, t);
        if (command is not null)
        {
            // Nothing that looks like a command is ever relayed to a client: a mistyped one gets the help.
            if (TaskCommands.Names.Contains(command.Name))
                await taskCommands.HandleAsync(message, command, member, staff, target is { } known ? new StaffTarget(known.ProjectId, known.ConversationId) : null, c, t);
            else
                await replyInPlace.SendAsync(c, t, message, $"/{command.Name} is not a command I know. Nothing was sent to the client.\n\n{TaskCommands.Help}");
            return;
        }
        if (target is null)
        {
            // A reply to one of the bot's own posts that names no conversation must not vanish silently.
            if (message.ReplyToMessage is { From.IsBot: true } post && botUser.Username is { } me
                && string.Equals(post.From.Username, me, StringComparison.OrdinalIgnoreCase))
            {
                // The post may be so new that its Telegram id is not recorded yet (a relay still pending in the outbox):
                // try again shortly; the inbox retries it.
                if (clock.GetUtcNow() - post.Date < RecordingGrace && await OutboxStore.HasUnrecordedPostsAsync(c, t, staff.ChatId))
                    throw new PostNotRecordedYetException(post.Id);
                await replyInPlace.SendAsync(c, t, message,
                    "⚠️ Not sent: I cannot tell which client this reply is for. Reply to the client's message itself, or write in the project's topic.");
                return;
            }
            logger.LogDebug("Staff chat: message {MessageId} is not about a project; not relayed", message.Id);
            return;
        }
        var (projectId, conversationId) = target.Value;
        var now = clock.GetUtcNow();

        if (MessageContent.TextOf(message) is { } text && text.StartsWith(NotePrefix, StringComparison.Ordinal))
        {
            var noteOn = conversationId ?? (await ConversationStore.LatestOfProjectAsync(c, t, projectId))?.Id;
            if (noteOn is { } id)
                await ConversationStore.AddMessageAsync(c, t, ClientMessages.Record(id, Direction.Note, message, now));
            else
                await staffRelay.NoticeAsync(c, t, staff, projectId, "📝 Not recorded: this project has no conversation yet.", message.Id);
            return;
        }

        var chats = (await ChatBindingStore.ChatsOfProjectAsync(c, t, projectId)).Where(b => !b.Blocked).ToList();
        if (chats.Count == 0)
        {
            await staffRelay.NoticeAsync(c, t, staff, projectId,
                "⚠️ Not sent: no client chat is linked to this project (or every linked chat blocked the bot). Create an invite with POST /api/projects/{id}/invites.",
                message.Id);
            return;
        }
        foreach (var chat in chats)
        {
            var conversation = await ConversationStore.GetOrCreateAsync(c, t, projectId, chat.ChatId, now);
            var messageId = await ConversationStore.AddMessageAsync(c, t, ClientMessages.Record(conversation.Id, Direction.Staff, message, now));
            await clientRelay.RelayAsync(c, t, message, chat.ChatId, messageId);
            await ConversationStore.CloseWaitingAsync(c, t, conversation.Id, member.Id, message.Date, calendar, sla.Value.FirstResponse);
        }
    }

    /// <summary>The project (and, for a reply, the conversation) a staff message is about.</summary>
    private static async Task<(long ProjectId, long? ConversationId)?> TargetOfAsync(Message message, StaffChat staff, IDbConnection c, IDbTransaction t)
    {
        // A reply to a relayed post points at one conversation; in a forum, Telegram also sets reply_to_message to the
        // topic's first message, which is no relay, so the lookup simply finds nothing.
        if (message.ReplyToMessage is { } replyTo && await ConversationStore.FindByPostAsync(c, t, staff.ChatId, replyTo.Id) is { } relayed)
        {
            var conversation = await ConversationStore.GetAsync(c, t, relayed.ConversationId);
            return (conversation.ProjectId, conversation.Id);
        }
        if (message.Chat.IsForum && message.MessageThreadId is { } thread &&
            await StaffTopics.ProjectOfThreadAsync(c, t, staff.ChatId, thread) is { } projectId)
            return (projectId, null);
        return null;
    }

    /// <summary>/setup in a group: a manager asks to make it the staff chat. Moving the staff chat moves every client's
    /// messages, so it is refused where configuration decides, by anyone but a manager, outside a supergroup and in a
    /// group a client is in; otherwise it waits for a confirmation button.</summary>
    public async Task SetupAsync(Message message, StaffMember member, IDbConnection c, IDbTransaction t)
    {
        var current = await staffChats.GetAsync(c, t);
        if (await SetupRefusalAsync(message.Chat, member, current, c, t) is { } refusal)
        {
            logger.LogWarning("Refused /setup by staff {StaffId} ({Role}) in chat {ChatId}: {Refusal}", member.Id, member.Role, message.Chat.Id, refusal);
            await replyInPlace.SendAsync(c, t, message, refusal);
            return;
        }
        await outbox.EnqueueAsync(c, t, message.Chat.Id, new SendMessageRequest
        {
            ChatId = message.Chat.Id, MessageThreadId = message.MessageThreadId,
            Text = $"Make “{message.Chat.Title}” the staff chat? Every client message will arrive here, and answers written here reach clients as the agency."
                   + (current is null ? "" : " The current staff chat stops receiving them; everyone there and every manager is told."),
            ReplyMarkup = new InlineKeyboardMarkup([[
                InlineKeyboardButton.WithCallbackData("✅ Make this the staff chat", $"{SetupPrefix}go"),
                InlineKeyboardButton.WithCallbackData("✖ Cancel", $"{SetupPrefix}no")]]),
        });
    }

    /// <summary>The confirmation button under /setup's question, checked again at the press.</summary>
    public async Task ConfirmSetupAsync(CallbackQuery query, IDbConnection c, IDbTransaction t)
    {
        async Task AnswerAsync(string text) =>
            await outbox.EnqueueAsync(c, t, query.From.Id, new AnswerCallbackQueryRequest { CallbackQueryId = query.Id, Text = text });

        var member = await StaffStore.FindByTelegramUserAsync(c, t, query.From.Id);
        var chat = query.Message?.Chat;
        var current = await staffChats.GetAsync(c, t);
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
        if (await SetupRefusalAsync(chat, member, current, c, t) is { } refusal)
        {
            logger.LogWarning("Refused /setup confirmation by staff {StaffId} in chat {ChatId}: {Refusal}", member.Id, chat.Id, refusal);
            await AnswerAsync(refusal);
            return;
        }
        var chosen = new StaffChat(chat.Id, chat.IsForum);
        await staffChats.SetAsync(c, t, chosen);
        logger.LogWarning("Staff chat moved from {OldChatId} to {ChatId} (forum: {IsForum}) by staff {StaffId}", current?.ChatId, chat.Id, chat.IsForum, member.Id);
        await AnswerAsync("This group is now the staff chat.");
        await outbox.EnqueueAsync(c, t, chat.Id, new SendMessageRequest
        {
            ChatId = chat.Id, MessageThreadId = query.Message!.MessageThreadId,
            Text = chat.IsForum
                ? "✅ This group is now the staff chat. Each client project gets its own topic; answer in a topic and the client receives it. Start a message with // for an internal note."
                : "✅ This group is now the staff chat. Client messages arrive here with a header; reply to one and the client receives your answer. Start a message with // for an internal note. Tip: turn Topics on to get one topic per project.",
        });
        var announcement = $"🔀 {member.Name} made “{chat.Title}” the staff chat: client messages arrive there from now on.";
        if (current is not null)
            await outbox.EnqueueAsync(c, t, current.ChatId, new SendMessageRequest { ChatId = current.ChatId, Text = announcement });
        foreach (var manager in await StaffStore.ManagersAsync(c, t))
            if (manager.StartedBot)
                await outbox.EnqueueAsync(c, t, manager.TelegramUserId, new SendMessageRequest { ChatId = manager.TelegramUserId, Text = announcement });
    }

    private async Task<string?> SetupRefusalAsync(Chat chat, StaffMember member, StaffChat? current, IDbConnection c, IDbTransaction t)
    {
        if (staffChats.Configured)
            return "The staff chat is set in the agency's configuration (Agency:StaffChatId), so /setup cannot move it.";
        if (member.Role != StaffRole.Manager) return "Only a manager can choose the staff chat.";
        if (current?.ChatId == chat.Id) return "This group already is the staff chat.";
        if (chat.Type != ChatType.Supergroup)
            return "The staff chat must be a supergroup (with topics on, each client project gets its own topic). Upgrade the group, then send /setup again.";
        if ((await ChatBindingStore.ProjectsOfChatAsync(c, t, chat.Id)).Count > 0)
            return "This group is linked to a client's project, so it cannot be the staff chat.";
        return null;
    }
}

/// <summary>A staff reply arrived before the post it answers was recorded; the inbox tries it again a moment later.</summary>
public sealed class PostNotRecordedYetException(int postId)
    : Exception($"The bot's post {postId} is not recorded yet; the reply is tried again");
