using AgencyBot.Core.Conversations;
using AgencyBot.Core.Data;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Onboarding;
using AgencyBot.Core.Projects;
using AgencyBot.Core.Satisfaction;
using AgencyBot.Core.Staff;
using AgencyBot.Core.StaffGroup;
using AgencyBot.Core.Tasks;
using Telegram.Bot.Types.Enums;

namespace AgencyBot.Core.Updates;

/// <summary>
/// What handling updates may touch, for PostgreSQL's locks (<see cref="WriteScope"/>). A client's ordinary message or
/// its edit, outside the staff chat and a staff member's private chat, reads and writes only that chat's rows and its
/// projects' (conversations, waiting periods, held messages, the topic's posts): it locks the chat and those projects,
/// so the clients of other projects are handled beside it. So does a client's command other than /setup (/help,
/// /project, /status, /files read and answer; any other is filed as a message: see <see cref="ClientMessages.HandleAsync"/>),
/// and a press of a client's button (an approval, a rating, a file, the project to file under) in a client chat. A
/// /start or /link with an invite code also locks the invite's project, which it links the chat to (a single-use
/// invite is spent under that lock). A staff member's answer in the staff chat (no dialog of theirs open) reads and
/// writes only its project's rows and those of the project's client chats: it locks those. So do a task, time or
/// budget command there, an answer by /all, /r or /later, an /approve, /file or /invoice (<see cref="ProjectCommands"/>),
/// a staff member's reaction on a relayed client message (for the projects of the messages it is on), and a press of
/// the buttons under a relayed message (take, task, tag, close: <see cref="StaffButtons"/>), of a "who is this for?"
/// button or of an out-of-hours one (at opening, now: <see cref="StaffProjectButtons"/>), for the project of the
/// message or answer the press names; and a staff member's edit of an answer or note, or /unsend of an answer, for
/// the project it was recorded in. The bot blocked or let
/// back in by a client, or removed from or added to a client's group, marks only that chat: it locks the chat and its
/// projects. An inline query (answered from the saved answers) and a reaction outside the staff chat (left alone) only
/// read: they lock nothing, so no one outside can hold up the hosts by sending them. Everything else runs alone:
/// /setup, a /start with a staff invite, any other command in the staff chat, another edit there, anything from staff
/// in private, staff's other buttons, other reactions in the staff chat, the bot's membership of the staff chat or a
/// staff member's private chat, chat migrations.
/// </summary>
public sealed class UpdateScopes(StaffChatStore staffChats, BotUser botUser)
{
    // PostgreSQL only (the scope means nothing to SQLite, which is never asked): a list is one array parameter.
    private const string ProjectsOfChats = "SELECT DISTINCT project_id FROM chat_bindings WHERE chat_id = ANY(@Chats)";

    private const string ChatsOfProjects = "SELECT DISTINCT chat_id FROM chat_bindings WHERE project_id = ANY(@Projects)";

    private const string StaffAmong = "SELECT COUNT(*) FROM staff WHERE active = 1 AND telegram_user_id = ANY(@Users)";

    public async Task<WriteScope> OfAsync(IReadOnlyList<Update> updates, IDbConnection c, IDbTransaction t)
    {
        var acts = new List<Act>();
        foreach (var update in updates)
        {
            if (update.InlineQuery is not null) continue; // answered from the saved answers: a read, and the answer queued
            if (ActOf(update) is not { } act) return WriteScope.Everything;
            acts.Add(act);
        }
        if (acts.Count == 0) return WriteScope.AddsOnly; // nothing of these is ours to handle (another host has them)
        var staff = await staffChats.GetAsync(c, t);
        var clientChats = new HashSet<long>();
        var answeredProjects = new HashSet<long>();
        var invitedProjects = new HashSet<long>();
        foreach (var (chat, message, edited, reaction, press) in acts)
        {
            var inStaffChat = staff is not null && chat.Id == staff.ChatId;
            if (reaction is not null)
            {
                if (!inStaffChat) continue; // the router leaves reactions outside the staff chat alone: nothing to lock
                if (await ProjectsOfStaffReactionAsync(c, t, reaction) is not [_, ..] reacted) return WriteScope.Everything;
                answeredProjects.UnionWith(reacted);
            }
            else if (press is not null)
            {
                if (!inStaffChat || !await IsActiveStaffAsync(c, t, press.From.Id)
                    || await StaffProjectButtons.First(b => press.Data!.StartsWith(b.Prefix, StringComparison.Ordinal)).ProjectOf(c, t, staff!, press.Data!) is not { } pressed)
                    return WriteScope.Everything;
                answeredProjects.Add(pressed);
            }
            else if (!inStaffChat)
            {
                clientChats.Add(chat.Id);
                if (InviteCodeOf(message) is not { } code) continue;
                if (StaffInviteStore.CodeOf(code) is not null) return WriteScope.Everything; // a staff member joining
                if (await InviteStore.ProjectOfCodeAsync(c, t, code) is { } invited) invitedProjects.Add(invited);
            }
            else if (message is null
                     || await (edited ? ProjectOfStaffEditAsync(c, t, staff!, message) : ProjectOfStaffMessageAsync(c, t, staff!, message)) is not { } project)
                return WriteScope.Everything;
            else answeredProjects.Add(project);
        }
        var privateChats = acts.Where(a => a.Chat.Type == ChatType.Private).Select(a => a.Chat.Id).Distinct().ToArray();
        if (privateChats.Length > 0 && await c.ExecuteScalarAsync<long>(StaffAmong, new { Users = privateChats }, t) > 0) return WriteScope.Everything;
        // Each lookup only when it has something to look up: a chunk of staff answers alone has no client chat.
        var projects = clientChats.Count == 0 ? answeredProjects.Concat(invitedProjects)
            : answeredProjects.Concat(invitedProjects).Concat(await c.QueryAsync<long>(ProjectsOfChats, new { Chats = clientChats.ToArray() }, t));
        var chats = answeredProjects.Count == 0 ? clientChats
            : clientChats.Concat(await c.QueryAsync<long>(ChatsOfProjects, new { Projects = answeredProjects.ToArray() }, t));
        return WriteScope.Of(chats, projects);
    }

    /// <summary>The code of a /start or /link (as <see cref="ClientMessages.HandleAsync"/> reads it), which links the chat
    /// to the invite's project: that project is locked too.</summary>
    private string? InviteCodeOf(Message? message) =>
        botUser.ParseCommand(message?.Text) is { Name: "start" or "link", Args: { Length: > 0 } code } ? code : null;

    private static async Task<bool> IsActiveStaffAsync(IDbConnection c, IDbTransaction t, long userId) =>
        await c.ExecuteScalarAsync<long>(StaffAmong, new { Users = new[] { userId } }, t) > 0;

    /// <summary>The staff commands that, in a project's topic or as a reply to a relayed post, act on that project alone
    /// (<see cref="StaffCommands"/>; audited down to their SQL): tasks numbered per project under its unique key,
    /// checklist items per task, the project's notes, tags, acknowledgements and time entries, budget alerts claimed
    /// per project; clients and assignees are told by outbox rows. And the answers that are commands (<see
    /// cref="StaffAnswers"/>): /all to every chat of the project, /r a saved answer, /later one scheduled, each decided
    /// and sent as an ordinary answer is, to the project's chats (a scheduled one also acknowledges their
    /// conversations). And the desk's commands on one project's deliverables: /approve (the project's task waits for
    /// its client chats' approval: <see cref="ApprovalDesk.RequestAsync"/>), /file (one of the project's files), /invoice
    /// (sent as an answer, recorded with its time and the project's budget alert). Without a target (/time naming any
    /// project, say) they have no project to be about, and run alone. Every other command, and any added later, runs
    /// alone.</summary>
    private static readonly HashSet<string> ProjectCommands =
    [
        "task", "itask", "sub", "check", "title", "wait", "assign", "due", "done", "tag", "tasks", "ack", "time", "budget", "help",
        "all", "r", "later",
        "approve", "file", "invoice",
    ];

    /// <summary>The project an ordinary answer in the staff chat, or one of <see cref="ProjectCommands"/>, is for
    /// (<see cref="StaffReplies.HandleAsync"/>), or that of the answer an /unsend takes back, or null when the message may do more: another command (in a caption
    /// too, as the handler reads it), an answer to its author's open dialog, a message from someone not on staff, a forum
    /// switched on or off, no project to be about.</summary>
    private async Task<long?> ProjectOfStaffMessageAsync(IDbConnection c, IDbTransaction t, StaffChat staff, Message message)
    {
        var command = botUser.ParseCommand(message.Text ?? message.Caption);
        if (message.Chat.IsForum != staff.IsForum || !MessageContent.IsRelayable(message) || message.IsTopicStart()
            || command is not null && command.Name != "unsend" && !ProjectCommands.Contains(command.Name))
            return null;
        var author = message.From!.Id;
        if (!await IsActiveStaffAsync(c, t, author)
            || await DialogStore.AnyAsync(c, t, staff.ChatId, author))
            return null;
        // /unsend takes back the copies of the answer it replies to (AnswerEdits.UnsendAsync), in that answer's project.
        if (command is { Name: "unsend" })
            return message.ReplyToMessage is { } answer
                && await ProjectsOfAsync(c, t, await AnswerEdits.CopiesToTakeBackAsync(c, t, staff.ChatId, answer.Id)) is [var project] ? project : null;
        return (await StaffReplies.ProjectOfAsync(c, t, staff, message))?.ProjectId;
    }

    /// <summary>The projects of the client messages a staff member's reaction is on (<see cref="StaffReactions.HandleAsync"/>
    /// closes or acknowledges their conversations, and says so in their topics); none when the reaction is not an active
    /// staff member's or is on no relayed client message (yet).</summary>
    private static async Task<IReadOnlyList<long>> ProjectsOfStaffReactionAsync(IDbConnection c, IDbTransaction t, MessageReactionUpdated reaction)
    {
        if (reaction.User is not { } user || !await IsActiveStaffAsync(c, t, user.Id)) return [];
        var carried = await ConversationStore.CarriedByPostAsync(c, t, reaction.Chat.Id, reaction.MessageId);
        return await ProjectsOfAsync(c, t, carried.Where(m => m.Direction == "client"));
    }

    /// <summary>The one project an edited staff message was recorded in (<see cref="AnswerEdits.HandleEditAsync"/>: an
    /// answer's copies to its chats, a note; each gets the new version, each copy follows, an album's other parts with
    /// it); none when the author is not active staff, or it was recorded nowhere (a held answer, a command) or in more
    /// than one project.</summary>
    private static async Task<long?> ProjectOfStaffEditAsync(IDbConnection c, IDbTransaction t, StaffChat staff, Message edited)
    {
        if (edited.From is not { } author || !await IsActiveStaffAsync(c, t, author.Id)) return null;
        return await ProjectsOfAsync(c, t, await ConversationStore.AnswersOfAsync(c, t, staff.ChatId, edited.Id)) is [var project] ? project : null;
    }

    /// <summary>The projects of the conversations these messages are recorded in.</summary>
    private static async Task<IReadOnlyList<long>> ProjectsOfAsync(IDbConnection c, IDbTransaction t, IEnumerable<ConversationMessage> records)
    {
        var projects = new List<long>();
        foreach (var conversation in records.Select(m => m.ConversationId).Distinct())
            projects.Add((await ConversationStore.GetAsync(c, t, conversation)).ProjectId);
        return projects.Distinct().ToList();
    }

    /// <summary>Staff's buttons in the staff chat that act on one project, each with the project a press names (by an
    /// active staff member; none when it names nothing that is still there). Under a relayed client message (<see
    /// cref="StaffButtons.HandleAsync"/>): its conversation is taken, closed or tagged, a task made of it numbered in its
    /// project, a reaction put in its client's chat, the topic told. "Who is this for?" (<see
    /// cref="StaffAnswers.HandleChoiceAsync"/>): the held answer goes to the chosen chat of its project (checked against
    /// the project's chats), recorded on that chat's conversation. Out of hours, at opening or now (<see
    /// cref="StaffAnswers.HandleOpeningChoiceAsync"/>): the outbox rows of the answer's copies to the project's chats are
    /// moved. Retry under a refused answer (<see cref="Deliveries.HandleRetryAsync"/>): the row goes again to its chat,
    /// which must still be one of the project's, and that chat is reachable again. A press on any other staff button
    /// runs alone.</summary>
    private static readonly (string Prefix, Func<IDbConnection, IDbTransaction, StaffChat, string, Task<long?>> ProjectOf)[] StaffProjectButtons =
    [
        (StaffButtons.Prefix, async (c, t, _, data) => (await StaffButtons.TargetAsync(c, t, data))?.ProjectId),
        (StaffAnswers.Prefix, async (c, t, _, data) => StaffAnswers.ParseChoice(data) is var (held, _) ? (await StaffAnswers.HeldForChoiceAsync(c, t, held))?.ProjectId : null),
        (StaffAnswers.OpeningPrefix, ProjectOfAnswerAsync),
        (Deliveries.RetryPrefix, (c, t, _, data) => Deliveries.ProjectOfRetryAsync(c, t, data)),
    ];

    /// <summary>The one project whose chats an answer went to (its copies' conversations); none when it has no copies,
    /// or copies in more than one project.</summary>
    private static async Task<long?> ProjectOfAnswerAsync(IDbConnection c, IDbTransaction t, StaffChat staff, string data)
    {
        if (StaffAnswers.ParseOpeningChoice(data) is not var (_, message)) return null;
        return await ProjectsOfAsync(c, t, await StaffAnswers.CopiesOfAnswerAsync(c, t, staff.ChatId, message)) is [var project] ? project : null;
    }

    /// <summary>An update that may be scoped: a message (or its edit), a press of a client's button, a reaction, the
    /// bot's membership of a chat changed, or a press of one of <see cref="StaffProjectButtons"/>, and its chat.</summary>
    private sealed record Act(Chat Chat, Message? Message, bool Edited, MessageReactionUpdated? Reaction = null, CallbackQuery? Press = null);

    /// <summary>The buttons the bot gives clients: each handler acts only on its chat and that chat's projects, and
    /// checks the press against them (a project's approval, rating request or file, a project of the chat to choose).</summary>
    private static readonly string[] ClientButtons = [ApprovalDesk.Prefix, Ratings.Prefix, FileDesk.Prefix, ClientMessages.ProjectCallbackPrefix];

    private Act? ActOf(Update update) => update switch
    {
        { Message: { } message } when Ordinary(message) => new Act(message.Chat, message, false),
        { EditedMessage: { } edited } when Ordinary(edited) => new Act(edited.Chat, edited, true),
        { CallbackQuery: { Message.Chat: { } chat, Data: { } data } } when InClientChat(chat)
            && ClientButtons.Any(prefix => data.StartsWith(prefix, StringComparison.Ordinal)) => new Act(chat, null, false),
        { MessageReaction: { Chat: { } chat } reaction } => new Act(chat, null, false, reaction),
        { MyChatMember.Chat: { } chat } when InClientChat(chat) => new Act(chat, null, false),
        { CallbackQuery: { Message.Chat: { } chat, Data: { } data } press }
            when StaffProjectButtons.Any(b => data.StartsWith(b.Prefix, StringComparison.Ordinal)) => new Act(chat, null, false, Press: press),
        _ => null,
    };

    private static bool InClientChat(Chat chat) => chat.Type is ChatType.Private or ChatType.Group or ChatType.Supergroup;

    /// <summary>Written by a person in a private chat or a group, and not /setup, which sets up a chat (a service
    /// message is no ordinary one either). In the staff chat, only <see cref="ProjectCommands"/> are scoped (<see cref="ProjectOfStaffMessageAsync"/>).</summary>
    private bool Ordinary(Message message) =>
        InClientChat(message.Chat)
        && message.From is { IsBot: false }
        && message.MigrateToChatId is null && message.MigrateFromChatId is null
        && (message.Text is { } text ? botUser.ParseCommand(text) is not { Name: "setup" } : MessageContent.IsRelayable(message));
}
