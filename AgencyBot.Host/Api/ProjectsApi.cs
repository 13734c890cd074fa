using AgencyBot.Core.Agency;
using AgencyBot.Core.Projects;
using AgencyBot.Host.Telegram;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace AgencyBot.Host.Api;

/// <summary>With a template, every task of it is created at once (day 0 = <see cref="StartDate"/>, default today).</summary>
/// <param name="Language">en or fr: the language its clients are answered and invited in; none: each client's own.</param>
public sealed record CreateProject(long? ClientId, string? Name, long? TemplateId = null, DateOnly? StartDate = null,
    IReadOnlyList<TeamMemberBody>? Team = null, string? Language = null);

/// <param name="ReportEvery">weekly or monthly: the bot drafts a client report that often, for staff to send; "" stops it.</param>
/// <summary>GET /api/projects/{id}: the project, its settings and its team.</summary>
public sealed record ProjectView(long Id, long ClientId, string Name, string? Language, bool NotifyProgress, string? ReportEvery,
    IReadOnlyList<AgencyBot.Core.Tasks.TeamMember> Team, DateTimeOffset? ArchivedAt = null);

/// <param name="Archived">true: kept with all its history, its open invites revoked, no scheduled reports; false: back.</param>
public sealed record ProjectSettings(bool? NotifyProgress = null, string? Language = null, string? ReportEvery = null, string? Name = null, bool? Archived = null);

internal sealed class ProjectSettingsValidator : AbstractValidator<ProjectSettings>
{
    public ProjectSettingsValidator()
    {
        RuleFor(s => s.Language).Must(l => l is null or "" or "en" or "fr").WithMessage("'Language' must be en, fr, or empty (each client's own).");
        RuleFor(s => s.ReportEvery).Must(r => r is null or "" or "weekly" or "monthly").WithMessage("'ReportEvery' must be weekly, monthly, or empty (none).");
        RuleFor(s => s.Name).Must(n => n is null || n.Trim().Length is > 0 and <= 100).WithMessage("'Name' must be 1-100 characters.");
    }
}

/// <summary>An invite is single use unless <see cref="Kind"/> is "team": then several chats can join, each approved by
/// staff in the project's topic before anything is relayed to it.</summary>
public sealed record CreateInvite(string? Kind = null);

internal sealed class CreateInviteValidator : AbstractValidator<CreateInvite>
{
    public CreateInviteValidator() =>
        RuleFor(i => i.Kind).Must(k => k is null or "single" or "team").WithMessage("'Kind' must be single or team.");
}

public sealed record InviteCreated(string Code, string Link, string Kind, DateTimeOffset ExpiresAt);

internal sealed class CreateProjectValidator : AbstractValidator<CreateProject>
{
    public CreateProjectValidator(IOptions<AgencyOptions> agency)
    {
        RuleFor(p => p.ClientId).NotNull().GreaterThan(0);
        RuleFor(p => p.Name).NotEmpty().MaximumLength(100);
        RuleFor(p => p.Language).Must(l => l is null || AgencyBot.Core.Onboarding.ProjectSetup.Languages.Contains(l)).WithMessage("'Language' must be en or fr.");
        RuleForEach(p => p.Team).NotNull().SetValidator(new TeamMemberValidator(agency));
        RuleFor(p => p.Team).Must(TeamMemberValidator.OnePersonPerRole).WithMessage(TeamMemberValidator.OnePersonPerRoleMessage);
    }
}

public static class ProjectsApi
{
    public static void MapProjects(this RouteGroupBuilder api)
    {
        var projects = api.MapGroup("/projects");
        projects.MapGet("/", async (ProjectStore store, CancellationToken ct) => TypedResults.Ok(await store.ListAsync(ct)));
        projects.MapGet("/{id:long}", GetAsync);
        projects.MapPost("/", CreateAsync).AddEndpointFilter<Validated<CreateProject>>();
        projects.MapPost("/{id:long}/invites", CreateInviteAsync);
        projects.MapGet("/{id:long}/invites", async Task<Results<Ok<IReadOnlyList<InviteState>>, ProblemHttpResult>> (long id, ProjectStore store,
            InviteStore invites, CancellationToken ct) =>
            await store.FindAsync(id, ct) is null ? Problems.NoProject(id) : TypedResults.Ok(await invites.OfProjectAsync(id, ct)));
        projects.MapDelete("/{id:long}/invites/{code}", async Task<Results<NoContent, ProblemHttpResult>> (long id, string code, InviteStore invites,
            CancellationToken ct) =>
            await invites.RevokeAsync(id, code, ct) ? TypedResults.NoContent() : Problems.NotFound($"Project {id} has no invite {code} that is not revoked already."));
        projects.MapPatch("/{id:long}", ChangeAsync).AddEndpointFilter<Validated<ProjectSettings>>();
    }

    /// <summary>Settings, name, archived: in one transaction. Archiving revokes the invites nobody used yet.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> ChangeAsync(long id, ProjectSettings body, AgencyBot.Core.Data.Database database,
        TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var found = await database.WriteAsync(async (c, t) =>
        {
            if (!await ProjectStore.UpdateSettingsAsync(c, t, id, body.NotifyProgress, body.Language, body.ReportEvery)) return false;
            await ProjectStore.ChangeAsync(c, t, id, body.Name?.Trim(), body.Archived, now);
            if (body.Archived == true) await InviteStore.RevokeOpenAsync(c, t, id, now);
            return true;
        }, ct);
        return found ? TypedResults.NoContent() : Problems.NoProject(id);
    }

    /// <summary>The project with its settings and team, as PATCH and PUT /team set them.</summary>
    private static async Task<Results<Ok<ProjectView>, ProblemHttpResult>> GetAsync(long id, ProjectStore store, AgencyBot.Core.Data.Database database,
        CancellationToken ct)
    {
        if (await store.FindAsync(id, ct) is not { } project) return Problems.NoProject(id);
        await using var connection = await database.OpenAsync(ct);
        var settings = await ProjectStore.SettingsAsync(connection, null, id);
        var team = await AgencyBot.Core.Tasks.TeamStore.OfProjectAsync(connection, null, id);
        return TypedResults.Ok(new ProjectView(project.Id, project.ClientId, project.Name, settings?.Language, settings?.NotifyProgress ?? true,
            settings?.ReportEvery, team, settings?.ArchivedAt is { } archived ? DateTimeOffset.FromUnixTimeMilliseconds(archived) : null));
    }

    private static async Task<Results<Created<Project>, ProblemHttpResult>> CreateAsync(CreateProject body, AgencyBot.Core.Data.Database database,
        AgencyBot.Core.Onboarding.ProjectSetup setup, TimeProvider clock, CancellationToken ct)
    {
        var spec = new AgencyBot.Core.Onboarding.NewProject(body.ClientId, null, body.Name!, body.TemplateId, StartOn: body.StartDate, Language: body.Language,
            Team: body.Team?.Select(m => (m.Role!, m.StaffId!.Value)).ToList());
        var created = await database.WriteAsync((c, t) => setup.CreateAsync(c, t, spec, username: null, actorId: null, clock.GetUtcNow()), ct);
        return created.Project is { } project
            ? TypedResults.Created($"/api/projects/{project.Id}", project)
            : created.NotFound ? Problems.NotFound(created.Problem!) : Problems.BadRequest(created.Problem!);
    }

    private static async Task<Results<Created<InviteCreated>, ProblemHttpResult>> CreateInviteAsync(
        long id, CreateInvite? body, IValidator<CreateInvite> validator, InviteStore invites, BotIdentity bot, IOptions<AgencyOptions> agency,
        CancellationToken ct)
    {
        if (body is not null && await validator.ValidateAsync(body, ct) is { IsValid: false } invalid)
            return Problems.BadRequest(string.Join(" ", invalid.Errors.Select(e => e.ErrorMessage)));
        var kind = body?.Kind == "team" ? InviteKind.Team : InviteKind.Single;
        // The username first, so a Telegram outage leaves no unusable invite behind.
        if (await Problems.UsernameAsync(bot, ct) is not { } username) return Problems.TelegramUnreachable();
        if (await invites.CreateAsync(id, agency.Value.InviteLifetime, kind, ct) is not { } invite)
            return Problems.NoProject(id);
        var link = AgencyBot.Core.Messaging.BotUser.Link(username, invite.Code);
        return TypedResults.Created($"/api/projects/{id}/invites/{invite.Code}",
            new InviteCreated(invite.Code, link, InviteStore.KindName(invite.Kind), invite.ExpiresAt));
    }
}
