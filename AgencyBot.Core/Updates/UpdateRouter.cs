using AgencyBot.Core.Clients;
using AgencyBot.Core.Conversations;
using AgencyBot.Core.Data;
using AgencyBot.Core.Deliverables;
using AgencyBot.Core.Inbox;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Staff;
using AgencyBot.Core.Tasks;
using AgencyBot.Core.Turns;
using Telegram.Bot.Types.Enums;

namespace AgencyBot.Core.Updates;

/// <summary>Routes each update by its shape: the staff chat to <see cref="StaffReplies"/>, client chats to
/// <see cref="ClientMessages"/>; everything else is logged and left alone.</summary>
public sealed class UpdateRouter(
    TurnFactory turns,
    ClientMessages clientMessages,
    StaffReplies staffReplies,
    StaffPrivateChat staffPrivateChat,
    StaffButtons staffButtons,
    StaffRoster staffRoster,
    StaffJoin staffJoin,
    ProjectDialog projectDialog,
    SavedAnswerDesk savedAnswers,
    RatingDesk ratings,
    StaffReactions staffReactions,
    FileDesk fileDesk,
    ApprovalDesk approvalDesk,
    ChatMigrations chatMigrations,
    StaffAnswers staffAnswers,
    InviteDesk inviteDesk,
    ReportDesk reportDesk,
    Deliveries deliveries,
    BotUser botUser,
    UpdateScopes scopes,
    ILogger<UpdateRouter> logger) : IInboxHandler
{
    /// <summary>Presses by the prefix of their callback data. A staff-chat button pressed while no staff chat is known
    /// has nothing to act on: it is answered as expired, as unknown data is.</summary>
    private readonly (string Prefix, bool NeedsStaffChat, Func<Turn, CallbackQuery, Task> Handle)[] _buttons =
    [
        (StaffButtons.Prefix, true, staffButtons.HandleAsync),
        (StaffAnswers.Prefix, false, staffAnswers.HandleChoiceAsync),
        (StaffAnswers.OpeningPrefix, false, staffAnswers.HandleOpeningChoiceAsync),
        (Deliveries.RetryPrefix, false, deliveries.HandleRetryAsync),
        (InviteDesk.Prefix, false, inviteDesk.HandleButtonAsync),
        (StaffReplies.SetupPrefix, false, staffReplies.ConfirmSetupAsync),
        (StaffRoster.Prefix, false, staffRoster.HandleButtonAsync),
        (ReportDrafts.Prefix, false, reportDesk.HandleButtonAsync),
        (ProjectDialog.Prefix, false, projectDialog.HandleButtonAsync),
        (Satisfaction.Ratings.Prefix, false, ratings.HandleButtonAsync),
        (FileDesk.Prefix, false, fileDesk.HandleButtonAsync),
        (ApprovalDesk.Prefix, false, approvalDesk.HandleButtonAsync),
        (ClientMessages.ProjectCallbackPrefix, false, clientMessages.HandleProjectChoiceAsync),
    ];

    public Task<WriteScope> ScopeAsync(IReadOnlyList<Update> updates, IDbConnection connection, IDbTransaction transaction) =>
        scopes.OfAsync(updates, connection, transaction);

    public async Task HandleAsync(Update update, IDbConnection connection, IDbTransaction transaction, CancellationToken ct)
    {
        // Everything the routing depends on, read once: the staff chat, and whether the author is active staff. The
        // switch below looks only at the update's shape and these two, so the order of its cases is the only rule.
        var turn = await turns.BeginAsync(connection, transaction, update);
        var staff = turn.StaffChat;
        var member = turn.Member;
        var inStaffChat = (Chat? chat) => staff is not null && chat?.Id == staff.ChatId;
        switch (update)
        {
            // Told in both chats, in either order: the first one handled moves the chat, the second finds it moved.
            case { Message: { MigrateToChatId: { } newId } message }:
                await chatMigrations.MigrateAsync(connection, transaction, message.Chat.Id, newId);
                break;
            case { Message: { MigrateFromChatId: { } oldId } message }:
                await chatMigrations.MigrateAsync(connection, transaction, oldId, message.Chat.Id);
                break;
            case { Message: { } message } when inStaffChat(message.Chat):
                await staffReplies.HandleAsync(turn, message);
                break;
            case { Message: { Text: { } text } message } when member is not null && message.Chat.Type is ChatType.Supergroup or ChatType.Group
                && botUser.ParseCommand(text) is { Name: "setup" }:
                await staffReplies.SetupAsync(turn, message);
                break;
            case { Message: { Text: { } text } message } when message.Chat.Type == ChatType.Private
                && botUser.ParseCommand(text) is { Name: "start" } start && StaffInviteStore.CodeOf(start.Args) is { } code:
                await staffJoin.HandleAsync(turn, message, code);
                break;
            case { Message: { } message } when member is not null && message.Chat.Type == ChatType.Private:
                await staffPrivateChat.HandleAsync(turn, message);
                break;
            case { Message: { From.IsBot: false } message } when IsClientChat(message.Chat):
                await clientMessages.HandleAsync(turn, message);
                break;
            case { EditedMessage: { } edited } when inStaffChat(edited.Chat):
                await staffReplies.HandleEditAsync(turn, edited);
                break;
            case { EditedMessage: { } edited } when IsClientChat(edited.Chat):
                await clientMessages.HandleEditAsync(turn, edited);
                break;
            case { CallbackQuery: { } query }:
                var button = _buttons.FirstOrDefault(b => query.Data?.StartsWith(b.Prefix, StringComparison.Ordinal) == true);
                if (button.Handle is not null && (staff is not null || !button.NeedsStaffChat))
                    await button.Handle(turn, query);
                else
                {
                    logger.LogInformation("Callback {CallbackId} with unknown data from {UserId}; answered as expired", query.Id, query.From.Id);
                    await turn.AnswerButtonAsync(query, ClientTexts.Get("ButtonExpired", ClientTexts.Pick(null, query.From.LanguageCode)));
                }
                break;
            case { MessageReaction: { } reaction } when inStaffChat(reaction.Chat):
                await staffReactions.HandleAsync(turn, reaction);
                break;
            case { InlineQuery: { } inline }:
                await savedAnswers.InlineAsync(turn, inline);
                break;
            case { MyChatMember: { NewChatMember: { } status } change } when inStaffChat(change.Chat):
                logger.LogInformation("Staff chat {ChatId}: the bot is now {Status}", change.Chat.Id, status.Status);
                await deliveries.StaffChatMembershipAsync(connection, transaction, change.Chat.Id, CanPost(status), status.Status.ToString().ToLowerInvariant());
                break;
            case { MyChatMember: { NewChatMember: { } status } change }:
                var gone = status.Status is ChatMemberStatus.Kicked or ChatMemberStatus.Left;
                logger.LogInformation("Chat {ChatId}: the bot is now {Status}", change.Chat.Id, status.Status);
                await ClientChatStore.SetBlockedAsync(connection, transaction, change.Chat.Id, gone, $"bot {status.Status}", turn.Now);
                break;
            default:
                logger.LogInformation("Update {UpdateId} of kind {Kind} is not used; ignored", update.Id, update.Type);
                break;
        }
    }

    private static bool CanPost(ChatMember member) => member switch
    {
        ChatMemberAdministrator or ChatMemberOwner or ChatMemberMember => true,
        ChatMemberRestricted restricted => restricted.IsMember && restricted.CanSendMessages,
        _ => false,
    };

    private static bool IsClientChat(Chat chat) => chat.Type is ChatType.Private or ChatType.Group or ChatType.Supergroup;
}
