using AgencyBot.Core.Clients;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Projects;
using AgencyBot.Core.StaffGroup;

namespace AgencyBot.Core.Conversations;

/// <summary>
/// A basic group upgraded to a supergroup gets a new chat id; Telegram says so twice, in separate chats: the old
/// group's last message carries migrate_to_chat_id and the new supergroup's first one migrate_from_chat_id. Either may
/// be handled first (they are in different chats, so on different workers), and a message in the new chat may already
/// have been seen. Moving is therefore a merge that runs once: the first of the two records the move and carries the
/// chat's bindings, conversations and queued posts over; the second finds it done.
/// </summary>
public sealed class ChatMigrations(StaffChatStore staffChats, TimeProvider clock, ILogger<ChatMigrations> logger)
{
    private const string Record = """
        INSERT INTO chat_migrations (from_chat_id, to_chat_id, migrated_at) VALUES (@From, @To, @Now) ON CONFLICT (from_chat_id) DO NOTHING
        """;


    /// <summary>Moves everything about chat <paramref name="from"/> to <paramref name="to"/> (the staff chat too); false
    /// when that move was already made.</summary>
    public async Task<bool> MigrateAsync(IDbConnection connection, IDbTransaction transaction, long from, long to)
    {
        if (from == to) return false;
        var staff = await staffChats.GetAsync(connection, transaction);
        var first = await connection.ExecuteAsync(Record, new { From = from, To = to, Now = clock.GetUtcNow().ToUnixTimeMilliseconds() }, transaction) == 1;
        if (first)
        {
            // Each store moves its own rows; each merges rather than renames, since the new id may already have rows
            // of its own (a message from it was seen first).
            await ChatBindingStore.MoveChatAsync(connection, transaction, from, to);
            await ConversationStore.MoveChatAsync(connection, transaction, from, to);
            await ClientChatStore.MoveChatAsync(connection, transaction, from, to);
            await StaffTopics.MoveStaffChatAsync(connection, transaction, from, to);
            await HeldMessages.MoveChatAsync(connection, transaction, from, to);
            await AnswerRecipients.MoveChatAsync(connection, transaction, from, to);
        }
        // Queued posts follow, also those queued for the old id after the move (Telegram then answers with the new id).
        await OutboxStore.ReaddressAsync(connection, transaction, from, to, anyRow: true, clock.GetUtcNow());
        if (!first) return false;
        logger.LogInformation("Chat {ChatId} became supergroup {NewChatId}; everything about it moved along", from, to);
        if (staff?.ChatId == from)
        {
            // The staff chat itself was upgraded. A configured one is followed through chat_migrations; a chosen one moves.
            if (staffChats.Configured)
                logger.LogWarning("The staff chat {ChatId} is now supergroup {NewChatId}: followed automatically; set Agency:StaffChatId to {NewChatId}",
                    from, to, to);
            else
                await staffChats.SetAsync(connection, transaction, new StaffChat(to, null));
        }
        return true;
    }
}
