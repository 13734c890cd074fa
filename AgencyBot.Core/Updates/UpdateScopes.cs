using AgencyBot.Core.Data;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Onboarding;
using AgencyBot.Core.StaffGroup;
using Telegram.Bot.Types.Enums;

namespace AgencyBot.Core.Updates;

/// <summary>
/// What handling updates may touch, for PostgreSQL's locks (<see cref="WriteScope"/>). A client's ordinary message or
/// its edit, outside the staff chat and a staff member's private chat, reads and writes only that chat's rows and its
/// projects' (conversations, waiting periods, held messages, the topic's posts): it locks the chat and those projects,
/// so the clients of other projects are handled beside it. A staff member's answer in the staff chat (no command, no
/// dialog of theirs open) reads and writes only its project's rows and those of the project's client chats: it locks
/// those. Everything else runs alone: a command (a /start binds a chat), an edit in the staff chat, anything from staff
/// in private, buttons, reactions, membership changes, chat migrations.
/// </summary>
public sealed class UpdateScopes(StaffChatStore staffChats, BotUser botUser)
{
    // PostgreSQL only (the scope means nothing to SQLite, which is never asked): a list is one array parameter.
    private const string ProjectsOfChats = "SELECT DISTINCT project_id FROM chat_bindings WHERE chat_id = ANY(@Chats)";

    private const string ChatsOfProjects = "SELECT DISTINCT chat_id FROM chat_bindings WHERE project_id = ANY(@Projects)";

    private const string StaffAmong = "SELECT COUNT(*) FROM staff WHERE active = 1 AND telegram_user_id = ANY(@Users)";

    public async Task<WriteScope> OfAsync(IReadOnlyList<Update> updates, IDbConnection c, IDbTransaction t)
    {
        var messages = new List<(Message Message, bool Edited)>();
        foreach (var update in updates)
        {
            if (ClientMessageOf(update) is not { } message) return WriteScope.Everything;
            messages.Add(message);
        }
        if (messages.Count == 0) return WriteScope.AddsOnly; // nothing of these is ours to handle (another host has them)
        var staff = await staffChats.GetAsync(c, t);
        var clientChats = new HashSet<long>();
        var answeredProjects = new HashSet<long>();
        foreach (var (message, edited) in messages)
        {
            if (staff is null || message.Chat.Id != staff.ChatId) clientChats.Add(message.Chat.Id);
            else if (edited || await ProjectOfStaffAnswerAsync(c, t, staff, message) is not { } project) return WriteScope.Everything;
            else answeredProjects.Add(project);
        }
        var privateChats = messages.Where(m => m.Message.Chat.Type == ChatType.Private).Select(m => m.Message.Chat.Id).Distinct().ToArray();
        if (privateChats.Length > 0 && await c.ExecuteScalarAsync<long>(StaffAmong, new { Users = privateChats }, t) > 0) return WriteScope.Everything;
        // Each lookup only when it has something to look up: a chunk of staff answers alone has no client chat.
        var projects = clientChats.Count == 0 ? answeredProjects
            : answeredProjects.Concat(await c.QueryAsync<long>(ProjectsOfChats, new { Chats = clientChats.ToArray() }, t));
        var chats = answeredProjects.Count == 0 ? clientChats
            : clientChats.Concat(await c.QueryAsync<long>(ChatsOfProjects, new { Projects = answeredProjects.ToArray() }, t));
        return WriteScope.Of(chats, projects);
    }

    /// <summary>The project an ordinary answer in the staff chat is for (<see cref="StaffReplies.HandleAsync"/>), or null
    /// when the message may do more than answer: a command (in a caption too), an answer to its author's open dialog, a
    /// message from someone not on staff, a forum switched on or off, no project to be about.</summary>
    private async Task<long?> ProjectOfStaffAnswerAsync(IDbConnection c, IDbTransaction t, StaffChat staff, Message message)
    {
        if (message.Chat.IsForum != staff.IsForum || botUser.ParseCommand(message.Caption) is not null
            || !MessageContent.IsRelayable(message) || message.IsTopicStart())
            return null;
        var author = message.From!.Id;
        if (await c.ExecuteScalarAsync<long>(StaffAmong, new { Users = new[] { author } }, t) == 0
            || await DialogStore.AnyAsync(c, t, staff.ChatId, author))
            return null;
        return (await StaffReplies.ProjectOfAsync(c, t, staff, message))?.ProjectId;
    }

    private (Message, bool Edited)? ClientMessageOf(Update update) => update switch
    {
        { Message: { } message } when Ordinary(message) => (message, false),
        { EditedMessage: { } edited } when Ordinary(edited) => (edited, true),
        _ => null,
    };

    /// <summary>Written by a person in a private chat or a group, and no command (a service message is no ordinary one either).</summary>
    private bool Ordinary(Message message) =>
        message.Chat.Type is ChatType.Private or ChatType.Group or ChatType.Supergroup
        && message.From is { IsBot: false }
        && message.MigrateToChatId is null && message.MigrateFromChatId is null
        && (message.Text is { } text ? botUser.ParseCommand(text) is null : MessageContent.IsRelayable(message));
}
