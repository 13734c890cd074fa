using AgencyBot.Core.Agency;
using AgencyBot.Core.Budgets;
using AgencyBot.Core.Clients;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Projects;
using AgencyBot.Core.Staff;
using AgencyBot.Core.StaffGroup;

namespace AgencyBot.Core.Tasks;

/// <summary>
/// The changes to tasks that chat commands, buttons and the admin API share, with what follows from them:
/// the client told of progress and new dates, the new assignee told of the task.
/// </summary>
public sealed class TaskWork(OutboxStore outbox, StaffChatStore staffChats, StaffNotices notices, IOptions<AgencyOptions> agency, TimeProvider clock)
{
    private const string SelectProject = """
        SELECT p.name AS ProjectName, c.name AS ClientName, p.language AS Language, p.notify_progress AS NotifyProgress, p.started_on AS StartedOn
        FROM projects p JOIN clients c ON c.id = p.client_id WHERE p.id = @ProjectId
        """;


    // Property records: Dapper sets SQLite's 0/1 integers into bools through setters, not constructors.
    private sealed record ProjectInfo
    {
        public string ProjectName { get; init; } = "";
        public string ClientName { get; init; } = "";
        public string? Language { get; init; }
        public bool NotifyProgress { get; init; }
        public string? StartedOn { get; init; }
    }

    public WorkingDays WorkingDays { get; } = new(agency.Value.Holidays);

    public DateOnly Today => agency.Value.Today(clock);

    /// <summary>Creates every task of the template at once, each assigned to the team member of its role, and tells
    /// the project's clients what starts now and who does it. Returns the top-level tasks created.</summary>
    public async Task<IReadOnlyList<TaskView>> ApplyTemplateAsync(IDbConnection c, IDbTransaction t, long projectId, Template template,
        DateOnly? startOn, long? actorId)
    {
        var start = startOn ?? Today;
        await ProjectStore.MarkStartedAsync(c, t, projectId, start);
        if (template.Budget is { Kind: { } kind, Hours: { } hours })
            await BudgetStore.SetAsync(c, t, projectId, new NewBudget(Enum.Parse<BudgetKind>(kind, ignoreCase: true), (long)Math.Round(hours * 60)), actorId,
                clock.GetUtcNow());
        var team = (await TeamStore.OfProjectAsync(c, t, projectId)).ToDictionary(m => m.Role, m => m.StaffId);
        var now = clock.GetUtcNow();
        var byKey = new Dictionary<string, long>(StringComparer.Ordinal);
        var created = new List<TaskView>();
        var everything = new List<TaskView>();

        async Task<TaskView> CreateAsync(TemplateTask item, long? parentId, bool parentStaffOnly)
        {
            var task = await TaskStore.CreateAsync(c, t, new NewTask(projectId, item.Title!, item.Description, parentId, item.Role,
                item.Role is null ? null : team.GetValueOrDefault(item.Role) is var id and > 0 ? id : null,
                item.DueInWorkingDays is { } days ? WorkingDays.Add(start, days) : null,
                item.StaffOnly || parentStaffOnly, ActorId: actorId), now);
            if (item.Key is not null) byKey[item.Key] = task.Id;
            everything.Add(task);
            foreach (var check in item.Checklist ?? [])
            {
                var role = check.Role ?? item.Role;
                await TaskStore.AddItemAsync(c, t, task.Id, check.Text!, role is null ? null : team.GetValueOrDefault(role) is var sid and > 0 ? sid : null,
                    check.DueInWorkingDays is { } d ? WorkingDays.Add(start, d) : null, actorId, now);
            }
            foreach (var sub in item.Subtasks ?? []) await CreateAsync(sub, task.Id, item.StaffOnly || parentStaffOnly);
            return task;
        }

        foreach (var item in template.Tasks ?? []) created.Add(await CreateAsync(item, null, false));
        foreach (var (task, _) in TemplateValidator.Flatten(template.Tasks ?? [], "Tasks").Where(x => x.Task.Key is not null))
            foreach (var after in task.After ?? [])
                await TaskStore.AddDependencyAsync(c, t, byKey[task.Key!], byKey[after]);

        // Everyone the template made responsible hears of it, in one message each.
        var project = await c.QuerySingleAsync<ProjectInfo>(SelectProject, new { ProjectId = projectId }, t);
        foreach (var mine in everything.Where(v => v.ResponsibleId is not null && v.ResponsibleId != actorId).GroupBy(v => v.ResponsibleId!.Value))
        {
            var list = string.Join("; ", mine.Take(10).Select(v => $"#{v.Number} {v.Title}" + (v.DueOn is { } d ? $" (due {TaskStore.ParseIso(d):d MMM})" : "")))
                       + (mine.Count() > 10 ? $"; and {mine.Count() - 10} more (/my)" : "");
            await NotifyStaffAsync(c, t, mine.Key, projectId, $"{mine.Count()} new task{(mine.Count() == 1 ? "" : "s")} in {ProjectLabel.Of(project.ClientName, project.ProjectName)}: {list}.");
        }

        await TellClientsAsync(c, t, projectId, (info, language) =>
        {
            var visible = created.Where(v => !v.StaffOnly).ToList();
            if (visible.Count == 0) return null;
            var lines = visible.Select(v => ClientTexts.Get("PlanLine", language, v.Title, Describe(v, language, withProgress: false)));
            return ClientTexts.Get("WorkStarts", language, info.ProjectName) + "\n" + string.Join("\n", lines);
        });
        return created;
    }

    /// <summary>A task (or subtask) was finished: record it and tell the client, unless it is staff-only or the
    /// project's progress notes are off.</summary>
    public async Task CompleteAsync(IDbConnection c, IDbTransaction t, TaskView task, long? actorId)
    {
        await TaskStore.SetStatusAsync(c, t, task.Id, TaskState.Done, actorId, clock.GetUtcNow());
        var parent = task.ParentNumber is { } parentNumber ? await TaskStore.FindAsync(c, t, task.ProjectId, parentNumber) : null;
        if (task.StaffOnly || parent?.StaffOnly == true) return;
        await TellClientsAsync(c, t, task.ProjectId, (info, language) => !info.NotifyProgress ? null
            : parent is null
                ? ClientTexts.Get("TaskDone", language, task.Title)
                : ClientTexts.Get("SubtaskDone", language, task.Title, parent.Title, parent.ClientPartsDone, parent.ClientPartsTotal));
    }

    /// <summary>A new due date; the client hears of it unless <paramref name="quiet"/> or the task is staff-only.</summary>
    public async Task RescheduleAsync(IDbConnection c, IDbTransaction t, TaskView task, DateOnly due, bool quiet, long? actorId)
    {
        await TaskStore.SetDueAsync(c, t, task.Id, due, actorId, clock.GetUtcNow());
        if (quiet || task.StaffOnly) return;
        await TellClientsAsync(c, t, task.ProjectId, (_, language) => ClientTexts.Get("NewDueDate", language, task.Title, FormatDate(due, language)));
    }

    /// <summary>Makes a staff member responsible and tells them: in their private chat with the bot if they ever
    /// started it, else with a mention in the project's topic.</summary>
    public async Task AssignAsync(IDbConnection c, IDbTransaction t, TaskView task, long? staffId, long? actorId)
    {
        await TaskStore.AssignAsync(c, t, task.Id, staffId, actorId, clock.GetUtcNow());
        if (staffId is null || staffId == actorId) return;
        var info = await c.QuerySingleAsync<ProjectInfo>(SelectProject, new { task.ProjectId }, t);
        var due = task.DueOn is { } d ? $", due {FormatDate(TaskStore.ParseIso(d)!.Value, "en")}" : "";
        await NotifyStaffAsync(c, t, staffId.Value, task.ProjectId, $"#{task.Number} “{task.Title}” ({ProjectLabel.Of(info.ClientName, info.ProjectName)}){due}.");
    }

    /// <summary>"📌 You are now responsible for …": in the staff member's private chat with the bot if they ever started
    /// it (Telegram lets a bot write only then), else with a mention in the project's topic.</summary>
    private async Task NotifyStaffAsync(IDbConnection c, IDbTransaction t, long staffId, long projectId, string what)
    {
        var assignee = await StaffStore.ContactAsync(c, t, staffId);
        if (assignee.StartedBot)
        {
            await outbox.EnqueueAsync(c, t, assignee.TelegramUserId, new SendMessageRequest
            {
                ChatId = assignee.TelegramUserId, Text = $"📌 You are now responsible for {what} /my lists your tasks.",
            });
            return;
        }
        if (await staffChats.GetAsync(c, t) is { } staff)
            await notices.NoticeAsync(c, t, staff, projectId,
                $"📌 {TelegramHtml.Mention(assignee.TelegramUserId, assignee.Name)}, you are now responsible for {TelegramHtml.Escape(what)}", html: true);
    }

    /// <summary>One line about a task for a client: who does it, progress and due date.</summary>
    public static string Describe(TaskView task, string language, bool withProgress = true)
    {
        var parts = new List<string>
        {
            task.ResponsibleName is null ? ClientTexts.Get("Unassigned", language) : ClientTexts.Get("ResponsibleIs", language, task.FirstName),
        };
        if (task.Status == TaskState.InProgress) parts.Add(ClientTexts.Get("InProgress", language));
        if (task.Status == TaskState.WaitingForClient) parts.Add(ClientTexts.Get("WaitingForYou", language));
        if (withProgress && task.ClientPartsTotal > 0) parts.Add(ClientTexts.Get("PartsDone", language, task.ClientPartsDone, task.ClientPartsTotal));
        if (task.DueOn is { } due) parts.Add(ClientTexts.Get("DueOn", language, FormatDate(TaskStore.ParseIso(due)!.Value, language)));
        return string.Join(", ", parts);
    }

    /// <summary>"3 Dec", "3 décembre": French months in full, since their abbreviations end with a period that doubles
    /// the sentence's own ("prévu le 3 déc..").</summary>
    public static string FormatDate(DateOnly date, string language) =>
        language == "fr" ? date.ToString("d MMMM", CultureInfo.GetCultureInfo("fr-FR")) : date.ToString("d MMM", CultureInfo.GetCultureInfo("en-GB"));

    /// <summary>Sends a text to every chat bound to the project, each in its client's language; a null text sends nothing.</summary>
    private async Task TellClientsAsync(IDbConnection c, IDbTransaction t, long projectId, Func<ProjectInfo, string, string?> text)
    {
        var info = await c.QuerySingleAsync<ProjectInfo>(SelectProject, new { ProjectId = projectId }, t);
        foreach (var chat in await ChatBindingStore.ReachableChatsOfProjectAsync(c, t, projectId))
        {
            var clientChat = await ClientChatStore.FindAsync(c, t, chat.ChatId);
            var language = ClientTexts.Pick(info.Language, clientChat?.LanguageCode);
            if (text(info, language) is not { } message) continue;
            await outbox.EnqueueTextAsync(c, t, chat.ChatId, message);
        }
    }
}
