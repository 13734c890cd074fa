using AgencyBot.Core.Data;
using AgencyBot.Core.Projects;

namespace AgencyBot.Core.Tasks;

/// <summary>The states a task can be in, as stored and as the API spells them (not System.Threading.Tasks.TaskStatus).</summary>
public static class TaskState
{
    public const string Todo = "todo", InProgress = "in_progress", WaitingForClient = "waiting_for_client", Done = "done";
    public static readonly string[] All = [Todo, InProgress, WaitingForClient, Done];
}

public sealed record NewTask(
    long ProjectId, string Title, string? Description = null, long? ParentId = null, string? Role = null, long? ResponsibleId = null,
    DateOnly? Due = null, bool StaffOnly = false, long? SourceMessageId = null, long? ActorId = null);

/// <summary>A task or subtask as people see it, with progress over its subtasks and checklist items.</summary>
public sealed record TaskView
{
    public long Id { get; init; }
    public long ProjectId { get; init; }
    public long Number { get; init; }
    public long? ParentNumber { get; init; }
    public string Title { get; init; } = "";
    public string? Description { get; init; }
    public string Status { get; init; } = "";
    public string? Role { get; init; }
    public long? ResponsibleId { get; init; }
    public string? ResponsibleName { get; init; }
    public string? DueOn { get; init; }
    public bool StaffOnly { get; init; }
    public long? SourceMessageId { get; init; }
    public long PartsDone { get; init; }
    public long PartsTotal { get; init; }
    /// <summary>Progress as the client may see it: staff-only subtasks left out.</summary>
    public long ClientPartsDone { get; init; }
    public long ClientPartsTotal { get; init; }

    public string FirstName => ResponsibleName?.Split(' ')[0] ?? "";
}

public sealed record ChecklistItem
{
    public long Id { get; init; }
    public long TaskId { get; init; }
    public long Number { get; init; }
    public string Text { get; init; } = "";
    public bool Done { get; init; }
    public string? DueOn { get; init; }
}

public sealed record Assignment(long? StaffId, string? StaffName, DateTimeOffset AssignedAt);

/// <summary>Tasks, subtasks, checklist items, who was responsible when, and what happened to each.</summary>
public sealed class TaskStore(Database database, TimeProvider clock)
{
    private const string ViewColumns = """
        t.id AS Id, t.project_id AS ProjectId, t.number AS Number, p.number AS ParentNumber, t.title AS Title,
        t.description AS Description, t.status AS Status, t.role AS Role, t.responsible_id AS ResponsibleId,
        s.name AS ResponsibleName, t.due_on AS DueOn, t.staff_only AS StaffOnly, t.source_message_id AS SourceMessageId,
        (SELECT COUNT(*) FROM tasks st WHERE st.parent_id = t.id AND st.status = 'done')
          + (SELECT COUNT(*) FROM checklist_items ci WHERE ci.done = 1
               AND (ci.task_id = t.id OR ci.task_id IN (SELECT id FROM tasks WHERE parent_id = t.id))) AS PartsDone,
        (SELECT COUNT(*) FROM tasks st WHERE st.parent_id = t.id)
          + (SELECT COUNT(*) FROM checklist_items ci
               WHERE ci.task_id = t.id OR ci.task_id IN (SELECT id FROM tasks WHERE parent_id = t.id)) AS PartsTotal,
        (SELECT COUNT(*) FROM tasks st WHERE st.parent_id = t.id AND st.status = 'done' AND st.staff_only = 0)
          + (SELECT COUNT(*) FROM checklist_items ci WHERE ci.done = 1
               AND (ci.task_id = t.id OR ci.task_id IN (SELECT id FROM tasks WHERE parent_id = t.id AND staff_only = 0))) AS ClientPartsDone,
        (SELECT COUNT(*) FROM tasks st WHERE st.parent_id = t.id AND st.staff_only = 0)
          + (SELECT COUNT(*) FROM checklist_items ci
               WHERE ci.task_id = t.id OR ci.task_id IN (SELECT id FROM tasks WHERE parent_id = t.id AND staff_only = 0)) AS ClientPartsTotal
        """;

    private const string From = """
        FROM tasks t
        LEFT JOIN tasks p ON p.id = t.parent_id
        LEFT JOIN staff s ON s.id = t.responsible_id
        """;

    private const string Insert = """
        INSERT INTO tasks (project_id, number, parent_id, title, description, role, responsible_id, due_on, staff_only,
                           source_message_id, created_at, updated_at)
        VALUES (@ProjectId, (SELECT COALESCE(MAX(number), 0) + 1 FROM tasks WHERE project_id = @ProjectId), @ParentId, @Title,
                @Description, @Role, @ResponsibleId, @Due, @StaffOnly, @SourceMessageId, @Now, @Now)
        RETURNING id
        """;

    private const string InsertAssignment = """
        INSERT INTO task_assignments (task_id, staff_id, assigned_at, assigned_by) VALUES (@TaskId, @StaffId, @Now, @ActorId)
        """;

    private const string InsertEvent = """
        INSERT INTO task_events (task_id, at, actor_id, kind, detail) VALUES (@TaskId, @Now, @ActorId, @Kind, @Detail)
        """;

    private const string InsertItem = """
        INSERT INTO checklist_items (task_id, number, text, responsible_id, due_on, created_at)
        VALUES (@TaskId, (SELECT COALESCE(MAX(number), 0) + 1 FROM checklist_items WHERE task_id = @TaskId), @Text, @ResponsibleId, @Due, @Now)
        RETURNING number
        """;

    private const string InsertDependency = "INSERT INTO task_dependencies (task_id, depends_on) VALUES (@TaskId, @DependsOn) ON CONFLICT DO NOTHING";

    private const string UpdateStatus = """
        UPDATE tasks SET status = @Status, updated_at = @Now,
               done_at = CASE WHEN @Status = 'done' THEN @Now ELSE NULL END
        WHERE id = @Id
        """;

    private const string UpdateResponsible = "UPDATE tasks SET responsible_id = @StaffId, updated_at = @Now WHERE id = @Id";

    private const string UpdateDue = "UPDATE tasks SET due_on = @Due, updated_at = @Now WHERE id = @Id";

    private const string UpdateText = """
        UPDATE tasks SET title = COALESCE(@Title, title), description = COALESCE(@Description, description), updated_at = @Now WHERE id = @Id
        """;

    private const string CheckItem = """
        UPDATE checklist_items SET done = 1, done_at = @Now WHERE task_id = @TaskId AND number = @Number AND done = 0
        """;

    private const string SelectItem = """
        SELECT id AS Id, task_id AS TaskId, number AS Number, text AS Text, done AS Done, due_on AS DueOn
        FROM checklist_items WHERE task_id = @TaskId AND number = @Number
        """;

    private const string SelectItems = """
        SELECT id AS Id, task_id AS TaskId, number AS Number, text AS Text, done AS Done, due_on AS DueOn
        FROM checklist_items WHERE task_id = @TaskId ORDER BY number
        """;

    private const string SelectAssignments = """
        SELECT a.staff_id AS StaffId, s.name AS StaffName, a.assigned_at AS AssignedAt
        FROM task_assignments a LEFT JOIN staff s ON s.id = a.staff_id WHERE a.task_id = @TaskId ORDER BY a.id
        """;

    public static async Task<TaskView> CreateAsync(IDbConnection c, IDbTransaction t, NewTask task, DateTimeOffset now)
    {
        var id = await c.ExecuteScalarAsync<long>(Insert, new
        {
            task.ProjectId, task.ParentId, task.Title, task.Description, task.Role, task.ResponsibleId, Due = Iso(task.Due),
            StaffOnly = Database.Flag(task.StaffOnly), task.SourceMessageId, Now = Ms(now),
        }, t);
        await EventAsync(c, t, id, task.ActorId, "created", task.Title, now);
        if (task.ResponsibleId is not null)
            await c.ExecuteAsync(InsertAssignment, new { TaskId = id, StaffId = task.ResponsibleId, Now = Ms(now), task.ActorId }, t);
        return (await GetAsync(c, t, id))!;
    }

    public static Task<long> AddItemAsync(IDbConnection c, IDbTransaction t, long taskId, string text, long? responsibleId, DateOnly? due,
        long? actorId, DateTimeOffset now) =>
        AddItemCoreAsync(c, t, taskId, text, responsibleId, due, actorId, now);

    private static async Task<long> AddItemCoreAsync(IDbConnection c, IDbTransaction t, long taskId, string text, long? responsibleId,
        DateOnly? due, long? actorId, DateTimeOffset now)
    {
        var number = await c.ExecuteScalarAsync<long>(InsertItem, new { TaskId = taskId, Text = text, ResponsibleId = responsibleId, Due = Iso(due), Now = Ms(now) }, t);
        await EventAsync(c, t, taskId, actorId, "checklist_added", $"{number}. {text}", now);
        return number;
    }

    public static Task AddDependencyAsync(IDbConnection c, IDbTransaction t, long taskId, long dependsOn) =>
        c.ExecuteAsync(InsertDependency, new { TaskId = taskId, DependsOn = dependsOn }, t);

    public static async Task<TaskView?> GetAsync(IDbConnection c, IDbTransaction? t, long id) =>
        await c.QuerySingleOrDefaultAsync<TaskView>($"SELECT {ViewColumns} {From} WHERE t.id = @Id", new { Id = id }, t);

    /// <summary>The task made from a client message, if one was (the Make a task button makes one per message).</summary>
    public static Task<long?> NumberFromMessageAsync(IDbConnection c, IDbTransaction? t, long messageId) =>
        c.ExecuteScalarAsync<long?>("SELECT MIN(number) FROM tasks WHERE source_message_id = @MessageId", new { MessageId = messageId }, t);

    public static async Task<TaskView?> FindAsync(IDbConnection c, IDbTransaction? t, long projectId, long number) =>
        await c.QuerySingleOrDefaultAsync<TaskView>($"SELECT {ViewColumns} {From} WHERE t.project_id = @ProjectId AND t.number = @Number",
            new { ProjectId = projectId, Number = number }, t);

    /// <summary>A project's tasks, open ones first by due date; <paramref name="status"/> filters.</summary>
    public static async Task<IReadOnlyList<TaskView>> OfProjectAsync(IDbConnection c, IDbTransaction? t, long projectId, string? status = null,
        bool openOnly = false) =>
        (await c.QueryAsync<TaskView>($"""
            SELECT {ViewColumns} {From}
            WHERE t.project_id = @ProjectId AND (@Status IS NULL OR t.status = @Status) AND (@OpenOnly = 0 OR t.status <> 'done')
            ORDER BY COALESCE(p.number, t.number), t.parent_id IS NOT NULL, t.number
            """, new { ProjectId = projectId, Status = status, OpenOnly = Database.Flag(openOnly) }, t)).AsList();

    /// <summary>A project's tasks finished in [from, to) and still finished, in the order they were.</summary>
    public static async Task<IReadOnlyList<TaskView>> DoneBetweenAsync(IDbConnection c, IDbTransaction? t, long projectId, DateTimeOffset from,
        DateTimeOffset to) =>
        (await c.QueryAsync<TaskView>($"""
            SELECT {ViewColumns} {From}
            WHERE t.project_id = @ProjectId AND t.status = 'done'
              AND EXISTS (SELECT 1 FROM task_events e WHERE e.task_id = t.id AND e.kind = 'status' AND e.detail = 'done' AND e.at >= @From AND e.at < @To)
            ORDER BY t.updated_at, t.number
            """, new { ProjectId = projectId, From = Ms(from), To = Ms(to) }, t)).AsList();

    /// <summary>A staff member's open tasks across projects, soonest due first.</summary>
    public static async Task<IReadOnlyList<(TaskView Task, string Project)>> OfStaffAsync(IDbConnection c, IDbTransaction? t, long staffId) =>
        (await c.QueryAsync<TaskView, string, (TaskView, string)>($"""
            SELECT {ViewColumns}, {ProjectLabel.Sql("cl", "pr")} AS ProjectName {From}
            JOIN projects pr ON pr.id = t.project_id JOIN clients cl ON cl.id = pr.client_id
            WHERE t.responsible_id = @StaffId AND t.status <> 'done'
            ORDER BY t.due_on IS NULL, t.due_on, t.project_id, t.number
            """, (task, project) => (task, project), new { StaffId = staffId }, t, splitOn: "ProjectName")).AsList();

    public static async Task<IReadOnlyList<ChecklistItem>> ItemsAsync(IDbConnection c, IDbTransaction? t, long taskId) =>
        (await c.QueryAsync<ChecklistItem>(SelectItems, new { TaskId = taskId }, t)).AsList();

    public static Task<ChecklistItem?> ItemAsync(IDbConnection c, IDbTransaction t, long taskId, long number) =>
        c.QuerySingleOrDefaultAsync<ChecklistItem>(SelectItem, new { TaskId = taskId, Number = number }, t);

    public static async Task SetStatusAsync(IDbConnection c, IDbTransaction t, long taskId, string status, long? actorId, DateTimeOffset now)
    {
        await c.ExecuteAsync(UpdateStatus, new { Id = taskId, Status = status, Now = Ms(now) }, t);
        await EventAsync(c, t, taskId, actorId, "status", status, now);
    }

    /// <summary>Makes <paramref name="staffId"/> responsible (null: nobody) and keeps the change in the history.</summary>
    public static async Task AssignAsync(IDbConnection c, IDbTransaction t, long taskId, long? staffId, long? actorId, DateTimeOffset now)
    {
        await c.ExecuteAsync(UpdateResponsible, new { Id = taskId, StaffId = staffId, Now = Ms(now) }, t);
        await c.ExecuteAsync(InsertAssignment, new { TaskId = taskId, StaffId = staffId, Now = Ms(now), ActorId = actorId }, t);
        await EventAsync(c, t, taskId, actorId, "assigned", staffId?.ToString(CultureInfo.InvariantCulture), now);
    }

    public static async Task SetDueAsync(IDbConnection c, IDbTransaction t, long taskId, DateOnly? due, long? actorId, DateTimeOffset now)
    {
        await c.ExecuteAsync(UpdateDue, new { Id = taskId, Due = Iso(due), Now = Ms(now) }, t);
        await EventAsync(c, t, taskId, actorId, "due", Iso(due), now);
    }

    public static async Task SetTextAsync(IDbConnection c, IDbTransaction t, long taskId, string? title, string? description, long? actorId, DateTimeOffset now)
    {
        await c.ExecuteAsync(UpdateText, new { Id = taskId, Title = title, Description = description, Now = Ms(now) }, t);
        await EventAsync(c, t, taskId, actorId, "edited", title, now);
    }

    /// <summary>Ticks a checklist item; false when it was already done.</summary>
    public static async Task<bool> CheckItemAsync(IDbConnection c, IDbTransaction t, long taskId, long number, long? actorId, DateTimeOffset now)
    {
        if (await c.ExecuteAsync(CheckItem, new { TaskId = taskId, Number = number, Now = Ms(now) }, t) == 0) return false;
        await EventAsync(c, t, taskId, actorId, "checked", number.ToString(CultureInfo.InvariantCulture), now);
        return true;
    }

    /// <summary>Who was responsible for the task, from first to current.</summary>
    public async Task<IReadOnlyList<Assignment>> HistoryAsync(long taskId, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<(long? StaffId, string? StaffName, long AssignedAt)>(SelectAssignments, new { TaskId = taskId }))
            .Select(a => new Assignment(a.StaffId, a.StaffName, DateTimeOffset.FromUnixTimeMilliseconds(a.AssignedAt))).ToList();
    }

    public async Task<IReadOnlyList<TaskView>> OfProjectAsync(long projectId, string? status, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return await OfProjectAsync(connection, null, projectId, status);
    }

    public async Task<TaskView?> FindAsync(long projectId, long number, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return await FindAsync(connection, null, projectId, number);
    }

    public DateTimeOffset Now => clock.GetUtcNow();

    /// <summary>A line in the task's history (created, status, approval requested, approved, …).</summary>
    public static Task EventAsync(IDbConnection c, IDbTransaction t, long taskId, long? actorId, string kind, string? detail, DateTimeOffset now) =>
        c.ExecuteAsync(InsertEvent, new { TaskId = taskId, Now = Ms(now), ActorId = actorId, Kind = kind, Detail = detail }, t);

    public static string? Iso(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static DateOnly? ParseIso(string? date) =>
        date is null ? null : DateOnly.ParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static long Ms(DateTimeOffset at) => at.ToUnixTimeMilliseconds();
}
