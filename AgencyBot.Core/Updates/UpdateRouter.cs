using AgencyBot.Core.Clients;
using AgencyBot.Core.Conversations;
using AgencyBot.Core.Inbox;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Staff;
using AgencyBot.Core.StaffGroup;
using AgencyBot.Core.Tasks;
using Telegram.Bot.Types.Enums;

namespace AgencyBot.Core.Updates;

/// <summary>Routes each update by its shape: the staff chat to <see cref="StaffReplies"/>, client chats to
/// <see cref="ClientMessages"/>; everything else is logged and left alone.</summary>
public sealed class UpdateRouter(
    StaffChatStore staffChats,
    ClientMessages clientMessages,
    StaffReplies staffReplies,
    StaffPrivateChat staffPrivateChat,
    StaffButtons staffButtons,
    StaffRoster staffRoster,
    ChatMigrations chatMigrations,
    StaffAnswers staffAnswers,
    InviteDesk inviteDesk,
    Deliveries deliveries,
    BotUser botUser,
    OutboxStore outbox,
    TimeProvider clock,
    ILogger<UpdateRouter> logger) : IInboxHandler
{
    /// <summary>Presses by the prefix of their callback data. A staff-chat button pressed while no staff chat is known
    /// has nothing to act on: it is answered as expired, as unknown data is.</summary>
    private readonly (string Prefix, bool NeedsStaffChat, Func<CallbackQuery, StaffChat?, IDbConnection, IDbTransaction, Task> Handle)[] _buttons =
    [
        (StaffButtons.Prefix, true, (q, staff, c, t) => staffButtons.HandleAsync(q, staff!, c, t)),
        (StaffAnswers.Prefix, false, (q, staff, c, t) => staffAnswers.HandleChoiceAsync(c, t, q, staff)),
        (Deliveries.RetryPrefix, false, (q, staff, c, t) => deliveries.HandleRetryAsync(c, t, q, staff)),
        (InviteDesk.Prefix, false, (q, staff, c, t) => inviteDesk.HandleButtonAsync(q, staff, c, t)),
        (StaffReplies.SetupPrefix, false, (q, _, c, t) => staffReplies.ConfirmSetupAsync(q, c, t)),
        (StaffRoster.Prefix, false, (q, staff, c, t) => staffRoster.HandleButtonAsync(c, t, q, staff?.ChatId)),
        (ClientMessages.ProjectCallbackPrefix, false, (q, _, c, t) => clientMessages.HandleProjectChoiceAsync(q, c, t)),
    ];

    public async Task HandleAsync(Update update, IDbConnection connection, IDbTransaction transaction, CancellationToken ct)
    {
        // Everything the routing depends on, read once: the staff chat, and whether a message's author is on staff. The
        // switch below looks only at the update's shape and these two, so the order of its cases is the only rule.
        var staff = await staffChats.GetAsync(connection, transaction);
        var member = update.Message?.From is { IsBot: false } person ? await StaffStore.FindByTelegramUserAsync(connection, transaction, person.Id) : null;
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
                await staffReplies.HandleAsync(message, update.Id, staff!, connection, transaction);
                break;
            case { Message: { Text: { } text } message } when member is not null && message.Chat.Type is ChatType.Supergroup or ChatType.Group
                && botUser.ParseCommand(text) is { Name: "setup" }:
                await staffReplies.SetupAsync(message, member, connection, transaction);
                break;
            case { Message: { } message } when member is not null && message.Chat.Type == ChatType.Private:
                await staffPrivateChat.HandleAsync(message, member, staff, connection, transaction);
                break;
            case { Message: { From.IsBot: false } message } when IsClientChat(message.Chat):
                await clientMessages.HandleAsync(message, update.Id, connection, transaction);
                break;
            case { EditedMessage: { } edited } when inStaffChat(edited.Chat):
                await staffReplies.HandleEditAsync(edited, update.Id, staff!, connection, transaction);
                break;
            case { EditedMessage: { } edited } when IsClientChat(edited.Chat):
                await clientMessages.HandleEditAsync(edited, update.Id, connection, transaction);
                break;
            case { CallbackQuery: { } query }:
                var button = _buttons.FirstOrDefault(b => query.Data?.StartsWith(b.Prefix, StringComparison.Ordinal) == true);
                if (button.Handle is not null && (staff is not null || !button.NeedsStaffChat))
                    await button.Handle(query, staff, connection, transaction);
                else
                {
                    logger.LogInformation("Callback {CallbackId} with unknown data from {UserId}; answered as expired", query.Id, query.From.Id);
                    await outbox.AnswerButtonAsync(connection, transaction, query, ClientTexts.Get("ButtonExpired", ClientTexts.Pick(null, query.From.LanguageCode)));
                }
                break;
            case { MyChatMember: { NewChatMember: { } status } change } when inStaffChat(change.Chat):
                logger.LogInformation("Staff chat {ChatId}: the bot is now {Status}", change.Chat.Id, status.Status);
                await deliveries.StaffChatMembershipAsync(connection, transaction, change.Chat.Id, CanPost(status), status.Status.ToString().ToLowerInvariant());
                break;
            case { MyChatMember: { NewChatMember: { } status } change }:
                var gone = status.Status is ChatMemberStatus.Kicked or ChatMemberStatus.Left;
                logger.LogInformation("Chat {ChatId}: the bot is now {Status}", change.Chat.Id, status.Status);
                await ClientChatStore.SetBlockedAsync(connection, transaction, change.Chat.Id, gone, $"bot {status.Status}", clock.GetUtcNow());
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
