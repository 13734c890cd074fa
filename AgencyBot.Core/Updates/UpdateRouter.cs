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
    StaffCommands staffCommands,
    ChatMigrations chatMigrations,
    StaffAnswers staffAnswers,
    InviteDesk inviteDesk,
    Deliveries deliveries,
    BotUser botUser,
    OutboxStore outbox,
    TimeProvider clock,
    ILogger<UpdateRouter> logger) : IInboxHandler
{
    public async Task HandleAsync(Update update, IDbConnection connection, IDbTransaction transaction, CancellationToken ct)
    {
        var staff = await staffChats.GetAsync(connection, transaction);
        switch (update)
        {
            // Told in both chats, in either order: the first one handled moves the chat, the second finds it moved.
            case { Message: { MigrateToChatId: { } newId } message }:
                await chatMigrations.MigrateAsync(connection, transaction, message.Chat.Id, newId);
                break;
            case { Message: { MigrateFromChatId: { } oldId } message }:
                await chatMigrations.MigrateAsync(connection, transaction, oldId, message.Chat.Id);
                break;
            case { Message: { } message } when staff is not null && message.Chat.Id == staff.ChatId:
                await staffReplies.HandleAsync(message, update.Id, staff, connection, transaction);
                break;
            case { Message: { Text: { } text } message } when message.Chat.Type is ChatType.Supergroup or ChatType.Group
                && botUser.ParseCommand(text) is { Name: "setup" }
                && message.From is { } from && await StaffStore.FindByTelegramUserAsync(connection, transaction, from.Id) is { } member:
                await staffReplies.SetupAsync(message, member, connection, transaction);
                break;
            case { Message: { From: { IsBot: false } from } message } when message.Chat.Type == ChatType.Private
                && await StaffStore.FindByTelegramUserAsync(connection, transaction, from.Id) is { } member:
                await staffPrivateChat.HandleAsync(message, member, staff, connection, transaction);
                break;
            case { Message: { From.IsBot: false } message } when IsClientChat(message.Chat):
                await clientMessages.HandleAsync(message, update.Id, connection, transaction);
                break;
            case { EditedMessage: { } edited } when staff is not null && edited.Chat.Id == staff.ChatId:
                await staffReplies.HandleEditAsync(edited, update.Id, staff, connection, transaction);
                break;
            case { EditedMessage: { } edited } when IsClientChat(edited.Chat):
                await clientMessages.HandleEditAsync(edited, update.Id, connection, transaction);
                break;
            case { CallbackQuery: { } query } when staff is not null && query.Data?.StartsWith(StaffButtons.Prefix, StringComparison.Ordinal) == true:
                await staffButtons.HandleAsync(query, staff, connection, transaction);
                break;
            case { CallbackQuery: { } query } when query.Data?.StartsWith(StaffAnswers.Prefix, StringComparison.Ordinal) == true:
                await staffAnswers.HandleChoiceAsync(connection, transaction, query, staff);
                break;
            case { CallbackQuery: { } query } when query.Data?.StartsWith(Deliveries.RetryPrefix, StringComparison.Ordinal) == true:
                await deliveries.HandleRetryAsync(connection, transaction, query, staff);
                break;
            case { CallbackQuery: { } query } when query.Data?.StartsWith(InviteDesk.Prefix, StringComparison.Ordinal) == true:
                await inviteDesk.HandleButtonAsync(query, staff, connection, transaction);
                break;
            case { CallbackQuery: { } query } when query.Data?.StartsWith(StaffReplies.SetupPrefix, StringComparison.Ordinal) == true:
                await staffReplies.ConfirmSetupAsync(query, connection, transaction);
                break;
            case { CallbackQuery: { } query } when query.Data?.StartsWith(StaffCommands.Prefix, StringComparison.Ordinal) == true:
                await staffCommands.HandleButtonAsync(connection, transaction, query, staff?.ChatId);
                break;
            case { CallbackQuery: { } query } when query.Data?.StartsWith(ClientMessages.ProjectCallbackPrefix, StringComparison.Ordinal) == true:
                await clientMessages.HandleProjectChoiceAsync(query, connection, transaction);
                break;
            case { CallbackQuery: { } query }:
                logger.LogInformation("Callback {CallbackId} with unknown data from {UserId}; answered as expired", query.Id, query.From.Id);
                await outbox.AnswerButtonAsync(connection, transaction, query, ClientTexts.Get("ButtonExpired", ClientTexts.Pick(null, query.From.LanguageCode)));
                break;
            case { MyChatMember: { NewChatMember: { } member } change } when staff is not null && change.Chat.Id == staff.ChatId:
                logger.LogInformation("Staff chat {ChatId}: the bot is now {Status}", change.Chat.Id, member.Status);
                await deliveries.StaffChatMembershipAsync(connection, transaction, change.Chat.Id, CanPost(member), member.Status.ToString().ToLowerInvariant());
                break;
            case { MyChatMember: { NewChatMember: { } } change }:
                var gone = change.NewChatMember.Status is ChatMemberStatus.Kicked or ChatMemberStatus.Left;
                logger.LogInformation("Chat {ChatId}: the bot is now {Status}", change.Chat.Id, change.NewChatMember.Status);
                await ClientChatStore.SetBlockedAsync(connection, transaction, change.Chat.Id, gone, $"bot {change.NewChatMember.Status}", clock.GetUtcNow());
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
