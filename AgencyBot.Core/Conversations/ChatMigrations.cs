using AgencyBot.Core.Outbox;
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

    // Merges rather than renames: the new id may already have a row of its own (a message from it was seen first).
    private const string Move = """
        INSERT INTO chat_bindings (chat_id, project_id, bound_at, last_used_at, status, invite_code, chosen_at)
        SELECT @To, project_id, bound_at, last_used_at, status, invite_code, chosen_at FROM chat_bindings WHERE chat_id = @From
        ON CONFLICT (chat_id, project_id) DO NOTHING;
        DELETE FROM chat_bindings WHERE chat_id = @From;
        UPDATE conversations SET chat_id = @To
        WHERE chat_id = @From AND NOT EXISTS (SELECT 1 FROM conversations n WHERE n.chat_id = @To AND n.project_id = conversations.project_id);
        INSERT INTO client_chats (chat_id, kind, title, language_code, created_at)
        SELECT @To, kind, title, language_code, created_at FROM client_chats WHERE chat_id = @From
        ON CONFLICT (chat_id) DO NOTHING;
        DELETE FROM client_chats WHERE chat_id = @From;
        DELETE FROM blocked_chats WHERE chat_id = @From;
        UPDATE staff_topics SET staff_chat_id = @To WHERE staff_chat_id = @From;
        UPDATE held_messages SET chat_id = @To WHERE chat_id = @From AND released_at IS NULL;
        UPDATE recipient_choices SET chat_id = @To WHERE chat_id = @From;
        """;

    /// <summary>Moves everything about chat <paramref name="from"/> to <paramref name="to"/> (the staff chat too); false
    /// when that move was already made.</summary>
    public async Task<bool> MigrateAsync(IDbConnection connection, IDbTransaction transaction, long from, long to)
    {
        if (from == to) return false;
        var staff = await staffChats.GetAsync(connection, transaction);
        var first = await connection.ExecuteAsync(Record, new { From = from, To = to, Now = clock.GetUtcNow().ToUnixTimeMilliseconds() }, transaction) == 1;
        if (first) await connection.ExecuteAsync(Move, new { From = from, To = to }, transaction);
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
