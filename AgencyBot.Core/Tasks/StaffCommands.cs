using System.Text;
using AgencyBot.Core.Agency;
using AgencyBot.Core.Budgets;
using AgencyBot.Core.Conversations;
using AgencyBot.Core.Digest;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Staff;
using AgencyBot.Core.TimeTracking;
using AgencyBot.Core.Turns;

namespace AgencyBot.Core.Tasks;

/// <summary>Where a staff message points: a project, and the conversation when it replies to a relayed message.</summary>
public sealed record StaffTarget(long ProjectId, long? ConversationId);

/// <summary>
/// Task commands in the staff chat: /task, /itask, /sub, /check, /assign, /due, /done, /tag, /tasks, /my, /help.
/// Each is answered where it was typed and recorded on the conversation; a wrong or missing argument gets the
/// command's usage line and changes nothing.
/// </summary>
public sealed class StaffCommands(
    TaskWork work,
    TimeCommand timeCommand,
    BudgetCommand budgetCommand,
    BudgetAlerts budgetAlerts,
    DigestSender digest,
    IOptions<AgencyOptions> agency,
    ILogger<StaffCommands> logger)
{
    /// <summary>Runs a staff command of <paramref name="turn"/>'s staff member; <paramref name="target"/> is the project
    /// (and conversation) it is about, null outside a project's topic.</summary>
    public async Task HandleAsync(Turn turn, Message message, Command command, StaffTarget? target)
    {
        var (c, t) = turn;
        var member = turn.Member!;
        Task Reply(string text) => target is not null ? turn.NoticeAsync(target.ProjectId, text, message.Id) : turn.ReplyAsync(message, text);

        if (command.Name == "help")
        {
            await Reply(BotCommands.StaffHelp);
            return;
        }
        if (command.Name == "my")
        {
            await Reply(await MyTasksAsync(c, t, member));
            return;
        }
        if (command.Name == "digest")
        {
            if (member.Role != StaffRole.Manager)
            {
                await Reply("Only managers can ask for the digest.");
                return;
            }
            // The figures are for managers: they go to the manager's private chat, never to the whole staff group.
            if (message.Chat.Type != Telegram.Bot.Types.Enums.ChatType.Private && !await StaffStore.StartedBotAsync(c, t, member.Id))
            {
                await Reply("Open a private chat with me and send /start first: the digest goes there.");
                return;
            }
            var content = await digest.BuildAsync(agency.Value.DateOf(turn.Now));
            await digest.QueueAsync(c, t, content, member.TelegramUserId);
            if (message.Chat.Type != Telegram.Bot.Types.Enums.ChatType.Private) await Reply("📊 Sent to you in a private chat.");
            return;
        }
        if (command.Name == "time" && target is null)
        {
            var time = await timeCommand.RunAsync(turn, command.Args, null);
            if (time.LoggedOn is { } project) await budgetAlerts.CheckAsync(c, t, project, turn.Now);
            await Reply(time.Answer);
            return;
        }
        if (target is null)
        {
            await Reply($"Use /{command.Name} in a project's topic, or as a reply to a client's message.");
            return;
        }
        var conversationId = target.ConversationId ?? (await ConversationStore.LatestOfProjectAsync(c, t, target.ProjectId))?.Id;
        if (conversationId is { } recordOn)
            await ConversationStore.AddMessageAsync(c, t, NewMessage.Of(recordOn, Direction.Note, message, turn.Now) with { Kind = "command" });

        var answer = await RunAsync(turn, command, target.ProjectId, conversationId, target.ConversationId is not null);
        logger.LogInformation("Staff {StaffId}: /{Command} on project {ProjectId}", member.Id, command.Name, target.ProjectId);
        await Reply(answer);
    }

    private async Task<string> RunAsync(Turn turn, Command command, long projectId, long? conversationId, bool replied)
    {
        var (c, t) = turn;
        var (member, now, args) = (turn.Member!, turn.Now, command.Args);
        switch (command.Name)
        {
            case "task" or "itask":
            {
                if (args.Length == 0) return BotCommands.Usage(command.Name);
                var last = conversationId is { } id ? await ConversationStore.LastClientMessageAsync(c, t, id) : null;
                var task = await TaskStore.CreateAsync(c, t, new NewTask(projectId, Clip(args, 200), last?.Text, StaffOnly: command.Name == "itask",
                    SourceMessageId: last?.Id, ActorId: member.Id), now);
                return $"📌 #{task.Number} “{task.Title}” created{(task.StaffOnly ? " (staff-only)" : "")}. /assign #{task.Number} <name> to give it to someone.";
            }
            case "sub":
            {
                if (!TaskRef.TrySplit(args, out var number, out var title) || title.Length == 0) return BotCommands.Usage("sub");
                if (await TaskStore.FindAsync(c, t, projectId, number) is not { } parent) return NoTask(number);
                if (parent.ParentNumber is not null) return $"#{number} is already a subtask; add a checklist item instead: /check #{number} <item>";
                var sub = await TaskStore.CreateAsync(c, t, new NewTask(projectId, Clip(title, 200), ParentId: parent.Id, StaffOnly: parent.StaffOnly,
                    ActorId: member.Id), now);
                return $"📌 #{sub.Number} “{sub.Title}” added under #{parent.Number} “{parent.Title}”.";
            }
            case "wait":
            {
                // The client's side of the clock: the task waits for them (nudged politely), until /wait #n off.
                if (!TaskRef.TrySplit(args, out var number, out var rest) || rest is not ("" or "off")) return BotCommands.Usage("wait");
                if (await TaskStore.FindAsync(c, t, projectId, number) is not { } task) return NoTask(number);
                if (task.StaffOnly) return $"#{number} is staff-only: the client cannot be waited for on it.";
                var waiting = rest != "off";
                if ((task.Status == TaskState.WaitingForClient) == waiting) return waiting ? $"#{number} already waits for the client." : $"#{number} is not waiting for the client.";
                await TaskStore.SetStatusAsync(c, t, task.Id, waiting ? TaskState.WaitingForClient : TaskState.InProgress, member.Id, now);
                return waiting
                    ? $"⏸ #{number} “{task.Title}” waits for the client: their /status says so, and they are nudged after a few working days of silence."
                    : $"▶️ #{number} “{task.Title}” is in progress again.";
            }
            case "title":
            {
                if (!TaskRef.TrySplit(args, out var number, out var title) || title.Length == 0) return BotCommands.Usage("title");
                if (await TaskStore.FindAsync(c, t, projectId, number) is not { } task) return NoTask(number);
                await TaskStore.SetTextAsync(c, t, task.Id, Clip(title, 200), null, member.Id, now);
                return $"✏️ #{number} is now “{Clip(title, 200)}” (was “{task.Title}”).";
            }
            case "check":
            {
                if (!TaskRef.TrySplit(args, out var number, out var text) || text.Length == 0) return BotCommands.Usage("check");
                if (await TaskStore.FindAsync(c, t, projectId, number) is not { } task) return NoTask(number);
                var item = await TaskStore.AddItemAsync(c, t, task.Id, Clip(text, 200), null, null, member.Id, now);
                return $"☑️ #{task.Number}.{item} “{Clip(text, 200)}” added to #{task.Number} “{task.Title}”.";
            }
            case "assign":
            {
                if (!TaskRef.TrySplit(args, out var number, out var who) || who.TrimStart('@').Length == 0) return BotCommands.Usage("assign");
                if (await TaskStore.FindAsync(c, t, projectId, number) is not { } task) return NoTask(number);
                if (who.Equals("nobody", StringComparison.OrdinalIgnoreCase))
                {
                    await work.AssignAsync(c, t, task, null, member.Id);
                    return $"#{task.Number} “{task.Title}” has nobody responsible now.";
                }
                var matches = who.Equals("me", StringComparison.OrdinalIgnoreCase) ? [member] : await MatchStaffAsync(c, t, who);
                if (matches.Count == 0) return $"Nobody on the staff is called “{who}”. Nothing changed.";
                if (matches.Count > 1) return $"Several people match “{who}”: {string.Join(", ", matches.Select(m => m.Name))}. Be more precise; nothing changed.";
                await work.AssignAsync(c, t, task, matches[0].Id, member.Id);
                return $"👤 #{task.Number} “{task.Title}” is now {matches[0].Name}'s.";
            }
            case "due":
            {
                var parts = args.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var quiet = parts.Length == 3 && parts[2].Equals("quiet", StringComparison.OrdinalIgnoreCase);
                if (parts.Length is < 2 or > 3 || (parts.Length == 3 && !quiet) || !TaskRef.TryNumber(parts[0], out var number)) return BotCommands.Usage("due");
                if (await TaskStore.FindAsync(c, t, projectId, number) is not { } task) return NoTask(number);
                if (DueDates.Parse(parts[1], work.Today, work.WorkingDays) is not { } due)
                    return $"“{parts[1]}” is not a date I understand. {BotCommands.Usage("due")}";
                if (due < work.Today) return $"{due:yyyy-MM-dd} is in the past. Nothing changed.";
                await work.RescheduleAsync(c, t, task, due, quiet, member.Id);
                return $"📅 #{task.Number} “{task.Title}” is now due {due:ddd d MMM yyyy}{(quiet || task.StaffOnly ? " (client not told)" : "; the client has been told")}.";
            }
            case "done":
            {
                if (!TaskRef.TryParse(args, out var number, out var itemNumber)) return BotCommands.Usage("done");
                if (await TaskStore.FindAsync(c, t, projectId, number) is not { } task) return NoTask(number);
                if (itemNumber is { } n)
                {
                    if (await TaskStore.ItemAsync(c, t, task.Id, n) is not { } item) return $"#{number} has no checklist item {n}.";
                    return await TaskStore.CheckItemAsync(c, t, task.Id, n, member.Id, now)
                        ? $"☑️ #{number}.{n} “{item.Text}” done."
                        : $"#{number}.{n} “{item.Text}” was already done.";
                }
                if (task.Status == TaskState.Done) return $"#{number} “{task.Title}” was already done.";
                await work.CompleteAsync(c, t, task, member.Id);
                return $"✅ #{number} “{task.Title}” done.";
            }
            case "tag":
            {
                var tags = args.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries).Select(x => x.TrimStart('#').ToLowerInvariant())
                    .Where(x => x.Length is > 0 and <= 32).Distinct().ToList();
                if (tags.Count == 0) return BotCommands.Usage("tag");
                if (conversationId is not { } id) return "This project has no conversation to tag yet.";
                foreach (var tag in tags) await ConversationStore.TagAsync(c, t, id, tag, now);
                return $"🏷 Tagged: {string.Join(", ", tags)}.";
            }
            case "tasks":
                return await OpenWorkAsync(c, t, projectId);
            case "time":
                var logged = await timeCommand.RunAsync(turn, args, projectId);
                if (logged.LoggedOn is not null) await budgetAlerts.CheckAsync(c, t, projectId, now);
                return logged.Answer;
            case "budget":
                return await budgetCommand.RunAsync(turn, args, projectId);
            case "ack":
            {
                // A reply names one conversation; in the topic, every client of the project who is waiting.
                var waiting = conversationId is { } one && replied
                    ? [one]
                    : (await ConversationStore.WaitingOfProjectAsync(c, t, projectId)).ToList();
                var acked = 0;
                foreach (var id in waiting)
                    if (await ConversationStore.AckAsync(c, t, id, member.Id, now)) acked++;
                return acked == 0 ? "Nobody is waiting for an answer here." : $"👍 {member.Name} is on it. No reminder now; the client still needs an answer.";
            }
            default:
                return BotCommands.StaffHelp;
        }
    }

    private static async Task<string> OpenWorkAsync(IDbConnection c, IDbTransaction t, long projectId)
    {
        var open = await TaskStore.OfProjectAsync(c, t, projectId, openOnly: true);
        if (open.Count == 0) return "No open tasks. /task <title> creates one.";
        var text = new StringBuilder("Open work:\n");
        foreach (var task in open)
            text.Append(task.ParentNumber is null ? "" : "   ").Append(Line(task)).Append('\n');
        return text.ToString().TrimEnd();
    }

    private static async Task<string> MyTasksAsync(IDbConnection c, IDbTransaction t, StaffMember member)
    {
        var mine = await TaskStore.OfStaffAsync(c, t, member.Id);
        if (mine.Count == 0) return $"{member.Name}, you have no open tasks.";
        return $"{member.Name}, your open tasks by due date:\n" + string.Join("\n", mine.Select(m => $"{Line(m.Task)} · {m.Project}"));
    }

    internal static string Line(TaskView task)
    {
        var parts = new List<string> { task.ResponsibleName ?? "unassigned" };
        if (task.DueOn is { } due) parts.Add($"due {TaskStore.ParseIso(due):d MMM}");
        if (task.PartsTotal > 0) parts.Add($"{task.PartsDone}/{task.PartsTotal}");
        if (task.Status != TaskState.Todo) parts.Add(task.Status.Replace('_', ' '));
        if (task.StaffOnly) parts.Add("staff-only");
        return $"#{task.Number} {task.Title}: {string.Join(" · ", parts)}";
    }

    /// <summary>Active staff whose full name, first name, or the start of their name is <paramref name="who"/>.</summary>
    private static async Task<IReadOnlyList<StaffMember>> MatchStaffAsync(IDbConnection c, IDbTransaction t, string who)
    {
        var all = await StaffStore.ActiveAsync(c, t);
        var name = who.TrimStart('@');
        var exact = all.Where(s => s.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).ToList();
        if (exact.Count > 0) return exact;
        var first = all.Where(s => s.Name.Split(' ')[0].Equals(name, StringComparison.OrdinalIgnoreCase)).ToList();
        if (first.Count > 0) return first;
        return all.Where(s => s.Name.StartsWith(name, StringComparison.OrdinalIgnoreCase)).ToList();
    }

    private static string NoTask(long number) => $"There is no task #{number} in this project. /tasks lists them.";

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
