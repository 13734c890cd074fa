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
    ReplyInPlace replyInPlace,
    BotUser botUser,
    BusinessCalendar calendar,
    IOptions<SlaOptions> sla,
    OutboxStore outbox,
    TimeProvider clock,
    ILogger<StaffReplies> logger)
{
    public const string NotePrefix = "//";

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

    private async Task SetupAsync(Message message, StaffMember member, IDbConnection c, IDbTransaction t)
    {
        // Moving the staff chat moves every client's messages: only managers and assistants may, and never into a
        // group a client is in.
        if (member.Role == StaffRole.Employee || (await ChatBindingStore.ProjectsOfChatAsync(c, t, message.Chat.Id)).Count > 0)
        {
            logger.LogWarning("Refused /setup by {StaffId} ({Role}) in chat {ChatId}", member.Id, member.Role, message.Chat.Id);
            await replyInPlace.SendAsync(c, t, message, member.Role == StaffRole.Employee
                ? "Only a manager or an assistant can make a group the staff chat."
                : "This group is linked to a client's project, so it cannot be the staff chat.");
            return;
        }
        if (message.Chat.Type != ChatType.Supergroup)
        {
            await outbox.EnqueueAsync(c, t, message.Chat.Id, new SendMessageRequest
            {
                ChatId = message.Chat.Id,
                Text = "The staff chat must be a supergroup (with topics on, each client project gets its own topic). Upgrade the group, then send /setup again.",
            });
            return;
        }
        var staff = new StaffChat(message.Chat.Id, message.Chat.IsForum);
        await staffChats.SetAsync(c, t, staff);
        logger.LogInformation("Staff chat set to {ChatId} (forum: {IsForum}) by {StaffId}", staff.ChatId, staff.IsForum, member.Id);
        await outbox.EnqueueAsync(c, t, staff.ChatId, new SendMessageRequest
        {
            ChatId = staff.ChatId, MessageThreadId = message.MessageThreadId,
            Text = message.Chat.IsForum
                ? "✅ This group is now the staff chat. Each client project gets its own topic; answer in a topic and the client receives it. Start a message with // for an internal note."
                : "✅ This group is now the staff chat. Client messages arrive here with a header; reply to one and the client receives your answer. Start a message with // for an internal note. Tip: turn Topics on to get one topic per project.",
        });
    }
}

/// <summary>A staff reply arrived before the post it answers was recorded; the inbox tries it again a moment later.</summary>
public sealed class PostNotRecordedYetException(int postId)
    : Exception($"The bot's post {postId} is not recorded yet; the reply is tried again");
