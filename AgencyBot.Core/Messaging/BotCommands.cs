
namespace AgencyBot.Core.Messaging;

/// <summary>Which handler a staff command belongs to: the project's work (tasks, time, the digest), or the desk itself.</summary>
public enum CommandDesk { Tasks, Desk }

/// <summary>One staff command as the bot offers it: "/name args: what it does".</summary>
public sealed record StaffCommand(string Name, string Args, string What, CommandDesk Desk)
{
    public string Usage => Args.Length == 0 ? $"/{Name}: {What}" : $"/{Name} {Args}: {What}";
}

/// <summary>
/// The bot's commands, one table per audience: the staff chat, a staff member's private chat, a client's private
/// chat, a client group. Each table decides which commands there are and who handles them, and gives /help its
/// lines and Telegram the menu people see when they type "/" (BotMenu). A command missing here is no command.
/// </summary>
public static class BotCommands
{
    /// <summary>In the staff chat: in a project's topic, or as a reply to a relayed client message.</summary>
    public static readonly IReadOnlyList<StaffCommand> StaffChat =
    [
        new("task", "<title>", "a task from this conversation (its last client message becomes the description)", CommandDesk.Tasks),
        new("itask", "<title>", "the same, staff-only (never shown to the client)", CommandDesk.Tasks),
        new("sub", "<#task> <title>", "a subtask", CommandDesk.Tasks),
        new("check", "<#task> <item>", "a checklist item", CommandDesk.Tasks),
        new("title", "<#task> <title>", "rename a task", CommandDesk.Tasks),
        new("wait", "<#task> [off]", "the task waits for the client (their /status says so; they are nudged politely); off: in progress again", CommandDesk.Tasks),
        new("assign", "<#task> <name | me | nobody>", "who is responsible", CommandDesk.Tasks),
        new("due", "<#task> <date> [quiet]", "reschedule (2026-12-15, 15.12, tomorrow, +3 working days); the client is told unless quiet", CommandDesk.Tasks),
        new("done", "<#task | #task.item>", "finish a task, subtask or checklist item", CommandDesk.Tasks),
        new("tag", "<tags>", "tag the conversation", CommandDesk.Tasks),
        new("tasks", "", "the project's open work", CommandDesk.Tasks),
        new("my", "", "your open tasks by due date", CommandDesk.Tasks),
        new("ack", "", "you are on it (stops the reminder; it is not an answer)", CommandDesk.Tasks),
        new("time", "<duration> <category> [note]", "log time on the project (anywhere else: /time <project> …)", CommandDesk.Tasks),
        new("budget", "[<hours> monthly|total [<amount> <currency>] [client] | none]", "hours used against the budget; managers set it", CommandDesk.Tasks),
        new("digest", "", "the managers' digest, now (managers only)", CommandDesk.Tasks),
        new("all", "<text>", "send the text to every client chat of the project", CommandDesk.Desk),
        new("r", "<shortcut>", "send a saved answer, in the client's language, with their name filled in (/saved lists them)", CommandDesk.Desk),
        new("saved", "[<shortcut> <en|fr> <text> | <shortcut> delete]", "the saved answers; save or delete one (managers, assistants)", CommandDesk.Desk),
        new("later", "<when> <text>", "send the answer then (+2h, 09:00, tomorrow 09:00, mon 09:00, 15.12 10:00, opening); /unsend cancels it", CommandDesk.Desk),
        new("unsend", "", "as a reply to your answer: take it back from the client", CommandDesk.Desk),
        new("invite", "", "a new invitation for this project's client: the text to forward and a QR code", CommandDesk.Desk),
        new("invites", "", "who has joined, and the invites not used yet (to revoke)", CommandDesk.Desk),
        new("newproject", "", "create a project (client, name, template, start, language) and its invitation (managers, assistants)", CommandDesk.Desk),
        new("newclient", "[name]", "create a client (language, contact) (managers, assistants)", CommandDesk.Desk),
        new("import", "", "as the caption of a CSV of client, project, template, language, contact: create them all, with their invitations", CommandDesk.Desk),
        new("approve", "<#task> [text]", "as a reply to a deliverable: send it to the client with Approve / Request changes", CommandDesk.Desk),
        new("file", "[title]", "as a reply to a file in the topic: make it one of the project's files (the client's /files lists them)", CommandDesk.Desk),
        new("invoice", "[note]", "as the caption of a document or photo (or a reply to one): send the invoice to the project's clients", CommandDesk.Desk),
        new("report", "[text <number> <new text>]", "draft the client report of the last 7 days (Send, Edit or Skip it)", CommandDesk.Desk),
        new("staff", "", "who is on staff (managers change it)", CommandDesk.Desk),
        new("invite_staff", "<assistant | employee | manager>", "a single-use link that makes a colleague staff (managers)", CommandDesk.Desk),
        new("setup", "", "make this group the staff chat (managers, with confirmation)", CommandDesk.Desk),
        new("help", "", "this list", CommandDesk.Tasks),
    ];

    /// <summary>In a staff member's private chat with the bot.</summary>
    public static readonly IReadOnlyList<StaffCommand> StaffPrivate = [.. StaffChat.Where(c => c.Name is "my" or "time" or "digest" or "staff" or "invite_staff" or "newproject" or "newclient" or "import" or "help")];

    /// <summary>In a client's private chat; each command's menu text is the client text "Command_&lt;name&gt;".</summary>
    public static readonly IReadOnlyList<string> ClientPrivate = ["start", "project", "status", "files", "help"];

    /// <summary>In a client group.</summary>
    public static readonly IReadOnlyList<string> ClientGroup = ["link", "project", "status", "files", "help"];

    /// <summary>A staff table as the menu Telegram shows when they type "/" (descriptions of at most 256 characters).</summary>
    public static BotCommand[] Menu(IReadOnlyList<StaffCommand> commands) =>
        [.. commands.Select(c => new BotCommand { Command = c.Name, Description = c.What.Length <= 256 ? c.What : c.What[..255] + "…" })];

    /// <summary>The menu a staff chat or a staff member's private chat gets (setMyCommands for that one chat).</summary>
    public static SetMyCommandsRequest MenuFor(long chatId, IReadOnlyList<StaffCommand> commands) =>
        new() { Commands = Menu(commands), Scope = BotCommandScope.Chat(chatId) };

    /// <summary>Someone who left staff gets the client menu back in their private chat.</summary>
    public static DeleteMyCommandsRequest NoStaffMenu(long chatId) => new() { Scope = BotCommandScope.Chat(chatId) };

    public static StaffCommand? Staff(string name) => StaffChat.FirstOrDefault(c => c.Name == name);

    public static bool IsStaff(string name, CommandDesk desk) => Staff(name)?.Desk == desk;

    public static string Usage(string name) => Staff(name)?.Usage ?? throw new KeyNotFoundException($"/{name} is not a staff command");

    /// <summary>The staff chat's /help, from the table.</summary>
    public static string StaffHelp { get; } = "Commands in a project's topic (or as a reply to a client's message):\n" +
        string.Join("\n", StaffChat.Where(c => c.Name != "help").Select(c => c.Usage)) + "\n" +
        $"Start a message with {InternalNote.Prefix} for an internal note.";
}
