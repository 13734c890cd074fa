using AgencyBot.Core.Agency;
using AgencyBot.Core.Clients;
using AgencyBot.Core.Projects;
using AgencyBot.Core.Staff;
using AgencyBot.Core.StaffGroup;
using AgencyBot.Core.Tasks;

namespace AgencyBot.Core.Onboarding;

/// <summary>A project to create: for a client by id, or by name (created when there is none of that name).</summary>
/// <param name="Language">The language the client is answered and invited in (en, fr); null: each client's own.</param>
/// <param name="Contact">Who the invitation is for (a new client only).</param>
public sealed record NewProject(long? ClientId, string? ClientName, string Name, long? TemplateId = null, string? TemplateName = null,
    DateOnly? StartOn = null, string? Language = null, string? Contact = null, IReadOnlyList<(string Role, long StaffId)>? Team = null);

/// <summary>What creating a project gave: the project and its first invitation, or why nothing was created.</summary>
/// <param name="Tasks">How many top-level tasks its template created.</param>
public sealed record ProjectCreated(Project? Project, Invitation? Invitation, string? Problem, bool NotFound = false, int Tasks = 0);

/// <summary>
/// Creates a project the way the agency starts one, in the caller's transaction: the client (when new), the project,
/// its team, every task of its template (day 0 = the start date), its language, and a first invitation. The admin
/// API, /newproject and the import all create projects here, so they cannot drift apart. Checks come first: a problem
/// leaves nothing behind. Its staff topic is opened at once (a first notice in it, which the sender posts after creating
/// the topic), so a new client's first message does not wait for the topic to be made.
/// </summary>
public sealed class ProjectSetup(TaskWork work, StaffChatStore staffChats, StaffNotices notices, IOptions<AgencyOptions> agency)
{
    public static readonly IReadOnlyList<string> Languages = ClientTexts.Languages;

    /// <summary>Why <paramref name="spec"/> cannot be created, or null when it can (nothing is written).</summary>
    public static async Task<(string Problem, bool NotFound)?> ProblemAsync(IDbConnection c, IDbTransaction t, NewProject spec)
    {
        if (string.IsNullOrWhiteSpace(spec.Name) || spec.Name.Trim().Length > 100) return ("The project needs a name of 1-100 characters.", false);
        if (spec.ClientId is { } clientId && await ClientStore.FindAsync(c, t, clientId) is null) return ($"There is no client {clientId}.", true);
        if (spec.ClientId is null && (string.IsNullOrWhiteSpace(spec.ClientName) || spec.ClientName.Trim().Length > 100))
            return ("The client needs a name of 1-100 characters.", false);
        if (spec.Language is { } language && !Languages.Contains(language)) return ($"The language must be one of: {string.Join(", ", Languages)}.", false);
        if (spec.TemplateId is { } templateId && await TemplateStore.FindAsync(c, t, templateId) is null) return ($"There is no template {templateId}.", true);
        if (spec.TemplateName is { Length: > 0 } templateName && await TemplateStore.FindByNameAsync(c, t, templateName) is null)
            return ($"There is no template named “{templateName}”.", true);
        foreach (var (_, staffId) in spec.Team ?? [])
            if (!await StaffStore.ExistsAsync(c, t, staffId)) return ($"There is no staff member {staffId}.", true);
        return null;
    }

    /// <summary>Creates it all; an invitation only when the bot's username is known (<paramref name="username"/>).</summary>
    public async Task<ProjectCreated> CreateAsync(IDbConnection c, IDbTransaction t, NewProject spec, string? username, long? actorId, DateTimeOffset now)
    {
        if (await ProblemAsync(c, t, spec) is { } problem) return new ProjectCreated(null, null, problem.Problem, problem.NotFound);
        var client = spec.ClientId is { } id
            ? (await ClientStore.FindAsync(c, t, id))!
            : await ClientStore.FindByNameAsync(c, t, spec.ClientName!.Trim())
              ?? await ClientStore.AddAsync(c, t, spec.ClientName!.Trim(), spec.Language, Blank(spec.Contact), now);
        var name = spec.Name.Trim();
        var projectId = (await ProjectStore.AddAsync(c, t, client.Id, name, now))!.Value;
        if (spec.Language is { } language) await ProjectStore.UpdateSettingsAsync(c, t, projectId, null, language, null);
        if (spec.Team is { Count: > 0 } team) await TeamStore.SetAsync(c, t, projectId, team);
        var template = spec.TemplateId is { } templateId ? await TemplateStore.FindAsync(c, t, templateId)
            : spec.TemplateName is { Length: > 0 } templateName ? await TemplateStore.FindByNameAsync(c, t, templateName)
            : null;
        var tasks = template is null ? 0 : (await work.ApplyTemplateAsync(c, t, projectId, template.Body, spec.StartOn, actorId)).Count;
        if (template is null && spec.StartOn is { } start) await ProjectStore.MarkStartedAsync(c, t, projectId, start);
        var invitation = username is null ? null
            : await Invitation.CreateAsync(c, t, projectId, username, agency.Value.Name, agency.Value.InviteLifetime, now);
        if (await staffChats.GetAsync(c, t) is { } staff)
            await notices.NoticeAsync(c, t, staff, projectId, StaffNotices.TopicOpening(ProjectLabel.Of(client.Name, name), tasks, template?.Body.Name));
        return new ProjectCreated(new Project(projectId, client.Id, name), invitation, null, Tasks: tasks);
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
