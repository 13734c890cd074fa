using System.Net.Http.Json;
using System.Text.Json;

namespace AgencyBot.Tests.Hosting;

/// <summary>
/// The admin API's answers as a client of it reads them. Declared here rather than borrowed from Core, so that a field
/// renamed or dropped on the wire fails a test; read strictly: a field a record names must be in the answer.
/// </summary>
public static class ApiAnswers
{
    private static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web)
    {
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
    };

    public static async Task<T> ReadAsAsync<T>(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<T>(Strict) ?? throw new InvalidDataException($"The answer was null, not a {typeof(T).Name}");

    public static async Task<T> GetAsAsync<T>(this HttpClient api, string path) =>
        await api.GetFromJsonAsync<T>(path, Strict) ?? throw new InvalidDataException($"{path} answered null, not a {typeof(T).Name}");
}

/// <summary>What a POST that creates something answers.</summary>
public sealed record Created(long Id);

/// <summary>An RFC 9457 problem document; validation problems name their fields.</summary>
public sealed record Problem(string Title, int Status, string? Detail = null, IReadOnlyDictionary<string, string[]>? Errors = null);

/// <summary>A task as GET /api/projects/{id}/tasks lists it.</summary>
public sealed record TaskAnswer(long Id, long Number, string Title, long? ParentNumber, string? ResponsibleName, string? DueOn, long PartsTotal,
    long PartsDone, bool StaffOnly, string Status);

/// <summary>GET /api/projects/{id}/tasks/{number}: the task, its checklist and who has been responsible for it.</summary>
public sealed record TaskDetailAnswer(TaskDetailTask Task, IReadOnlyList<ChecklistItemAnswer> Checklist, IReadOnlyList<AssignmentAnswer> Responsible);

public sealed record TaskDetailTask(long Number, string Title, string? Description, string? DueOn, string? ResponsibleName, long? SourceMessageId);

public sealed record ChecklistItemAnswer(string Text, bool Done);

public sealed record AssignmentAnswer(string? StaffName);

/// <summary>A member of a project's team.</summary>
public sealed record TeamMemberAnswer(string Role, long StaffId, string StaffName);

/// <summary>An invite a POST /api/projects/{id}/invites created.</summary>
public sealed record InviteAnswer(string Code);

/// <summary>POST /api/projects/{id}/invites, read in full.</summary>
public sealed record InviteLinkAnswer(string Code, string Link, string Kind, DateTimeOffset ExpiresAt);

/// <summary>A stored template.</summary>
public sealed record TemplateAnswer(long Id, string Name, IReadOnlyList<JsonElement> Tasks);

/// <summary>GET /api/reports/overhead.</summary>
public sealed record OverheadAnswer(IReadOnlyList<ProjectOverheadAnswer> Projects);

public sealed record ProjectOverheadAnswer(long ProjectId, long AccountManagementMinutes, long AllMinutes, double? OverheadPercent, bool OverTarget,
    int Answers, double? MedianSeconds, double? P90Seconds, double? ShareWithinSla, IReadOnlyList<BreachAnswer> Breaches);

public sealed record BreachAnswer(long BusinessSeconds, string? HeldBy);

/// <summary>GET /api/projects/{id}/budget.</summary>
public sealed record BudgetStatusAnswer(BudgetAnswer? Budget, string Month, TimeUseAnswer ThisMonth, TimeUseAnswer InTotal, double? UsedPercent);

public sealed record BudgetAnswer(string Kind, long Minutes, decimal? Amount, string? Currency, bool ShownToClient);

public sealed record TimeUseAnswer(long AllMinutes, long AccountMinutes, long MeasuredAccountMinutes, long ProductionMinutes);

/// <summary>A time entry as GET /api/projects/{id}/time-entries lists it.</summary>
public sealed record TimeEntryAnswer(long Id, long StaffId, long Minutes, string Category, string SpentOn, string Source, long? Replaces);

/// <summary>GET /api/projects/{id}.</summary>
public sealed record ProjectViewAnswer(long Id, long ClientId, string Name, string? Language, bool NotifyProgress, string? ReportEvery, IReadOnlyList<TeamMemberAnswer> Team,
    DateTimeOffset? ArchivedAt = null);

/// <summary>POST /api/staff/invites.</summary>
public sealed record StaffInviteCreated(string Code, string Link, string Role, DateTimeOffset ExpiresAt);

/// <summary>GET /api/staff/invites.</summary>
public sealed record StaffInviteView(string Code, string Role, bool Owner, string State, DateTimeOffset ExpiresAt);

/// <summary>GET /api/clients.</summary>
public sealed record ClientAnswer(long Id, string Name, string? Language, string? Contact);

/// <summary>POST /api/import.</summary>
public sealed record ImportAnswerView(int Created, int Existing, IReadOnlyList<ImportedProjectAnswer> Projects);

public sealed record ImportedProjectAnswer(int Line, string Client, string Project, long ProjectId, string Status, string? Link, string? Language,
    string? Invitation, DateTimeOffset? ExpiresAt);

/// <summary>A client, with when it was archived.</summary>
public sealed record ArchivedAnswer(long Id, DateTimeOffset? ArchivedAt);

/// <summary>GET /api/saved-answers.</summary>
public sealed record SavedAnswerAnswer(string Shortcut, IReadOnlyDictionary<string, string> Texts);

/// <summary>GET /api/reports/satisfaction.</summary>
public sealed record SatisfactionAnswer(RatingSummaryAnswer Summary, IReadOnlyList<RatingAnswer> Ratings);

public sealed record RatingSummaryAnswer(int Good, int Neutral, int Bad, int Asked);

public sealed record RatingAnswer(long ProjectId, string Project, string Client, long ChatId, int Score, DateTimeOffset RatedAt);
