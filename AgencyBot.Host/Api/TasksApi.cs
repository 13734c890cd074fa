using AgencyBot.Core.Agency;
using AgencyBot.Core.Data;
using AgencyBot.Core.Projects;
using AgencyBot.Core.Staff;
using AgencyBot.Core.Tasks;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace AgencyBot.Host.Api;

public sealed record CreateTask(string? Title, string? Description = null, long? ParentNumber = null, string? Role = null,
    long? ResponsibleStaffId = null, DateOnly? Due = null, bool StaffOnly = false);

/// <summary>Fields left out are left as they are. <see cref="Unassign"/> clears the responsible person; <see cref="Quiet"/>
/// keeps a new due date from the client.</summary>
public sealed record UpdateTask(string? Title = null, string? Description = null, string? Status = null, long? ResponsibleStaffId = null,
    bool Unassign = false, DateOnly? Due = null, bool Quiet = false);

public sealed record ApplyTemplate(long? TemplateId, DateOnly? StartDate = null);

public sealed record TeamMemberBody(string? Role, long? StaffId);

public sealed record SetTeam(IReadOnlyList<TeamMemberBody>? Members);

/// <summary>PUT /api/projects/{id}/team/{role}: who plays the role.</summary>
public sealed record TeamRoleBody(long? StaffId);

internal sealed class TeamRoleBodyValidator : AbstractValidator<TeamRoleBody>
{
    public TeamRoleBodyValidator() => RuleFor(b => b.StaffId).NotNull().GreaterThan(0);
}

public sealed record TaskDetail(TaskView Task, IReadOnlyList<ChecklistItem> Checklist, IReadOnlyList<Assignment> Responsible);

internal sealed class CreateTaskValidator : AbstractValidator<CreateTask>
{
    public CreateTaskValidator(IOptions<AgencyOptions> agency)
    {
        RuleFor(t => t.Title).NotEmpty().MaximumLength(200);
        RuleFor(t => t.Description).MaximumLength(4000);
        RuleFor(t => t.Role).Must(r => r is null || agency.Value.TeamRoles.Contains(r)).WithMessage(TeamMemberValidator.UnknownRole(agency.Value));
    }
}

internal sealed class UpdateTaskValidator : AbstractValidator<UpdateTask>
{
    public UpdateTaskValidator()
    {
        RuleFor(t => t.Title).MaximumLength(200).NotEmpty().When(t => t.Title is not null);
        RuleFor(t => t.Description).MaximumLength(4000);
        RuleFor(t => t.Status).Must(s => s is null || TaskState.All.Contains(s))
            .WithMessage($"'Status' must be one of: {string.Join(", ", TaskState.All)}.");
        RuleFor(t => t).Must(t => !(t.Unassign && t.ResponsibleStaffId is not null))
            .WithName("Unassign").WithMessage("Either set 'ResponsibleStaffId' or 'Unassign', not both.");
    }
}

internal sealed class ApplyTemplateValidator : AbstractValidator<ApplyTemplate>
{
    public ApplyTemplateValidator() => RuleFor(a => a.TemplateId).NotNull().GreaterThan(0);
}

internal sealed class SetTeamValidator : AbstractValidator<SetTeam>
{
    public SetTeamValidator(IOptions<AgencyOptions> agency)
    {
        RuleFor(t => t.Members).NotNull();
        RuleForEach(t => t.Members).NotNull().SetValidator(new TeamMemberValidator(agency));
        RuleFor(t => t.Members).Must(TeamMemberValidator.OnePersonPerRole).WithMessage(TeamMemberValidator.OnePersonPerRoleMessage);
    }
}

/// <summary>One member of a project's team as the API takes it (setting the team, or creating a project with one).</summary>
internal sealed class TeamMemberValidator : AbstractValidator<TeamMemberBody>
{
    public const string OnePersonPerRoleMessage = "Each role can be given to one person only.";

    public TeamMemberValidator(IOptions<AgencyOptions> agency)
    {
        RuleFor(x => x.Role).NotEmpty().Must(r => agency.Value.TeamRoles.Contains(r!)).WithMessage(UnknownRole(agency.Value));
        RuleFor(x => x.StaffId).NotNull().GreaterThan(0);
    }

    public static string UnknownRole(AgencyOptions agency) => $"'Role' must be one of the team roles: {string.Join(", ", agency.TeamRoles)}.";

    public static bool OnePersonPerRole(IReadOnlyList<TeamMemberBody?>? members) =>
        members is null || members.Where(m => m is not null).Select(m => m!.Role).Distinct().Count() == members.Count;
}

/// <summary>Tasks of a project, its team, and templates applied to it.</summary>
public static class TasksApi
{
    public static void MapTasks(this RouteGroupBuilder api)
    {
        var project = api.MapGroup("/projects/{id:long}");
        project.MapGet("/tasks", ListAsync);
        project.MapGet("/tasks/{number:long}", GetAsync);
        project.MapPost("/tasks", CreateAsync).AddEndpointFilter<Validated<CreateTask>>();
        project.MapPatch("/tasks/{number:long}", UpdateAsync).AddEndpointFilter<Validated<UpdateTask>>();
        project.MapGet("/team", async (long id, ProjectStore projects, TeamStore team, CancellationToken ct) =>
            await projects.FindAsync(id, ct) is null ? (IResult)Problems.NoProject(id) : TypedResults.Ok(await team.OfProjectAsync(id, ct)));
        project.MapPut("/team", SetTeamAsync).AddEndpointFilter<Validated<SetTeam>>();
        project.MapPut("/team/{role}", PutMemberAsync).AddEndpointFilter<Validated<TeamRoleBody>>();
        project.MapDelete("/team/{role}", async Task<Results<Ok<IReadOnlyList<TeamMember>>, ProblemHttpResult>> (long id, string role, ProjectStore projects,
            Database database, CancellationToken ct) =>
        {
            if (await projects.FindAsync(id, ct) is null) return Problems.NoProject(id);
            return await database.WriteAsync(async (c, t) => await TeamStore.RemoveAsync(c, t, id, role)
                ? (Results<Ok<IReadOnlyList<TeamMember>>, ProblemHttpResult>)TypedResults.Ok(await TeamStore.OfProjectAsync(c, t, id))
                : Problems.NotFound($"Nobody plays {role} on project {id}."), ct);
        });
        project.MapPost("/apply-template", ApplyAsync).AddEndpointFilter<Validated<ApplyTemplate>>();
    }

    private static async Task<IResult> ListAsync(long id, string? status, ProjectStore projects, TaskStore tasks, CancellationToken ct)
    {
        if (status is not null && !TaskState.All.Contains(status))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = [$"Must be one of: {string.Join(", ", TaskState.All)}."] });
        if (await projects.FindAsync(id, ct) is null) return Problems.NoProject(id);
        return TypedResults.Ok(await tasks.OfProjectAsync(id, status, ct));
    }

    private static async Task<IResult> GetAsync(long id, long number, Database database, TaskStore tasks, CancellationToken ct)
    {
        if (await tasks.FindAsync(id, number, ct) is not { } task) return Problems.NotFound($"Project {id} has no task #{number}.");
        await using var connection = await database.OpenAsync(ct);
        return TypedResults.Ok(new TaskDetail(task, await TaskStore.ItemsAsync(connection, null, task.Id), await tasks.HistoryAsync(task.Id, ct)));
    }

    private static async Task<IResult> CreateAsync(long id, CreateTask body, ProjectStore projects, Database database, TaskWork work,
        TimeProvider clock, CancellationToken ct)
    {
        if (await projects.FindAsync(id, ct) is null) return Problems.NoProject(id);
        return await database.WriteAsync<IResult>(async (c, t) =>
        {
            long? parentId = null;
            var staffOnly = body.StaffOnly;
            if (body.ParentNumber is { } parentNumber)
            {
                if (await TaskStore.FindAsync(c, t, id, parentNumber) is not { ParentNumber: null } parent)
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["ParentNumber"] = [$"#{parentNumber} is not a task of this project (subtasks cannot have subtasks)."] });
                parentId = parent.Id;
                staffOnly |= parent.StaffOnly;
            }
            if (body.ResponsibleStaffId is { } staffId && !await StaffExistsAsync(c, t, staffId))
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["ResponsibleStaffId"] = [$"There is no staff member {staffId}."] });
            var task = await TaskStore.CreateAsync(c, t, new NewTask(id, body.Title!, body.Description, parentId, body.Role, null, body.Due, staffOnly), clock.GetUtcNow());
            if (body.ResponsibleStaffId is { } responsible) await work.AssignAsync(c, t, task, responsible, null);
            return TypedResults.Created($"/api/projects/{id}/tasks/{task.Number}", await TaskStore.GetAsync(c, t, task.Id));
        }, ct);
    }

    private static async Task<IResult> UpdateAsync(long id, long number, UpdateTask body, Database database, TaskWork work, TimeProvider clock, CancellationToken ct) =>
        await database.WriteAsync<IResult>(async (c, t) =>
        {
            if (await TaskStore.FindAsync(c, t, id, number) is not { } task) return Problems.NotFound($"Project {id} has no task #{number}.");
            if (body.ResponsibleStaffId is { } staffId && !await StaffExistsAsync(c, t, staffId))
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["ResponsibleStaffId"] = [$"There is no staff member {staffId}."] });
            if (body.Due is { } due && due < work.Today && due.ToString("O") != task.DueOn)
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["Due"] = ["The date is in the past."] });
            var now = clock.GetUtcNow();
            if (body.Title is not null || body.Description is not null) await TaskStore.SetTextAsync(c, t, task.Id, body.Title, body.Description, null, now);
            if (body.Unassign) await work.AssignAsync(c, t, task, null, null);
            if (body.ResponsibleStaffId is { } responsible && responsible != task.ResponsibleId) await work.AssignAsync(c, t, task, responsible, null);
            if (body.Due is { } newDue && TaskStore.Iso(newDue) != task.DueOn) await work.RescheduleAsync(c, t, task, newDue, body.Quiet, null);
            if (body.Status is { } status && status != task.Status)
            {
                if (status == TaskState.Done) await work.CompleteAsync(c, t, task, null);
                else await TaskStore.SetStatusAsync(c, t, task.Id, status, null, now);
            }
            return TypedResults.Ok(await TaskStore.GetAsync(c, t, task.Id));
        }, ct);

    private static async Task<IResult> SetTeamAsync(long id, SetTeam body, ProjectStore projects, StaffStore staff, TeamStore team, CancellationToken ct)
    {
        if (await projects.FindAsync(id, ct) is null) return Problems.NoProject(id);
        var unknown = new List<long>();
        foreach (var member in body.Members!)
            if (!await staff.ExistsAsync(member.StaffId!.Value, ct)) unknown.Add(member.StaffId.Value);
        if (unknown.Count > 0)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["Members"] = [$"No staff member with id {string.Join(", ", unknown)}."] });
        await team.SetAsync(id, body.Members!.Select(m => (m.Role!, m.StaffId!.Value)).ToList(), ct);
        return TypedResults.Ok(await team.OfProjectAsync(id, ct));
    }

    /// <summary>PUT /team/{role}: one role of the team, the others left as they are.</summary>
    private static async Task<Results<Ok<IReadOnlyList<TeamMember>>, ProblemHttpResult, ValidationProblem>> PutMemberAsync(long id, string role, TeamRoleBody body,
        ProjectStore projects, Database database, IOptions<AgencyOptions> agency, CancellationToken ct)
    {
        if (await projects.FindAsync(id, ct) is null) return Problems.NoProject(id);
        if (!agency.Value.TeamRoles.Contains(role))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["role"] = [TeamMemberValidator.UnknownRole(agency.Value)] });
        return await database.WriteAsync(async (c, t) =>
        {
            if (!await StaffStore.ExistsAsync(c, t, body.StaffId!.Value)) return (Results<Ok<IReadOnlyList<TeamMember>>, ProblemHttpResult, ValidationProblem>)Problems.NotFound($"There is no staff member {body.StaffId}.");
            await TeamStore.PutAsync(c, t, id, role, body.StaffId.Value);
            return TypedResults.Ok(await TeamStore.OfProjectAsync(c, t, id));
        }, ct);
    }

    private static async Task<IResult> ApplyAsync(long id, ApplyTemplate body, ProjectStore projects, TemplateStore templates, Database database,
        TaskWork work, CancellationToken ct)
    {
        if (await projects.FindAsync(id, ct) is null) return Problems.NoProject(id);
        if (await templates.FindAsync(body.TemplateId!.Value, ct) is not { } template) return Problems.NotFound($"There is no template {body.TemplateId}.");
        var created = await database.WriteAsync((c, t) => work.ApplyTemplateAsync(c, t, id, template.Body, body.StartDate, null), ct);
        return TypedResults.Created($"/api/projects/{id}/tasks", created);
    }

    private static Task<bool> StaffExistsAsync(System.Data.IDbConnection c, System.Data.IDbTransaction t, long staffId) =>
        StaffStore.ExistsAsync(c, t, staffId);
}
