using AgencyBot.Core.Data;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.StaffGroup;
using Telegram.Bot.Types.Enums;

namespace AgencyBot.Core.Updates;

/// <summary>
/// What handling updates may touch, for PostgreSQL's locks (<see cref="WriteScope"/>). A client's ordinary message or
/// its edit, outside the staff chat and a staff member's private chat, reads and writes only that chat's rows and its
/// projects' (conversations, waiting periods, held messages, the topic's posts): it locks the chat and those projects,
/// so the clients of other projects are handled beside it. Everything else runs alone: a command (a /start binds a
/// chat), anything in the staff chat or from staff in private, buttons, reactions, membership changes, chat migrations.
/// </summary>
public sealed class UpdateScopes(StaffChatStore staffChats, BotUser botUser)
{
    // PostgreSQL only (the scope means nothing to SQLite, which is never asked): a list is one array parameter.
    private const string ProjectsOfChats = "SELECT DISTINCT project_id FROM chat_bindings WHERE chat_id = ANY(@Chats)";

    private const string StaffAmong = "SELECT COUNT(*) FROM staff WHERE active = 1 AND telegram_user_id = ANY(@Users)";

    public async Task<WriteScope> OfAsync(IReadOnlyList<Update> updates, IDbConnection c, IDbTransaction t)
    {
        var messages = new List<Message>();
        foreach (var update in updates)
        {
            if (ClientMessageOf(update) is not { } message) return WriteScope.Everything;
            messages.Add(message);
        }
        if (messages.Count == 0) return WriteScope.AddsOnly; // nothing of these is ours to handle (another host has them)
        var chats = messages.Select(m => m.Chat.Id).Distinct().ToArray();
        if (await staffChats.GetAsync(c, t) is { } staff && chats.Contains(staff.ChatId)) return WriteScope.Everything;
        var privateChats = messages.Where(m => m.Chat.Type == ChatType.Private).Select(m => m.Chat.Id).Distinct().ToArray();
        if (privateChats.Length > 0 && await c.ExecuteScalarAsync<long>(StaffAmong, new { Users = privateChats }, t) > 0) return WriteScope.Everything;
        return WriteScope.Of(chats, await c.QueryAsync<long>(ProjectsOfChats, new { Chats = chats }, t));
    }

    private Message? ClientMessageOf(Update update) => update switch
    {
        { Message: { } message } when Ordinary(message) => message,
        { EditedMessage: { } edited } when Ordinary(edited) => edited,
        _ => null,
    };

    /// <summary>Written by a person in a private chat or a group, and no command (a service message is no ordinary one either).</summary>
    private bool Ordinary(Message message) =>
        message.Chat.Type is ChatType.Private or ChatType.Group or ChatType.Supergroup
        && message.From is { IsBot: false }
        && message.MigrateToChatId is null && message.MigrateFromChatId is null
        && (message.Text is { } text ? botUser.ParseCommand(text) is null : MessageContent.IsRelayable(message));
}
