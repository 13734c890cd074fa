using Microsoft.AspNetCore.Mvc;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgencyBot.Host.Api;

/// <summary>
/// Every type the admin API reads or writes as JSON, its metadata generated at build time. It is the API's only source of
/// JSON metadata (AdminApi takes reflection out of the resolver chain; the sandbox adds its own context), so a type
/// missing here fails the route that uses it in every build, as it would fail in a Native AOT build, not only there.
/// A route answers with its declared type when that type is sealed; with a list declared as an interface it answers
/// with the list's own type (List&lt;T&gt;), hence each list twice below.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
// Bodies the routes take
[JsonSerializable(typeof(ApplyTemplate))]
[JsonSerializable(typeof(ChangeClient))]
[JsonSerializable(typeof(ChangeStaff))]
[JsonSerializable(typeof(CorrectMeasured))]
[JsonSerializable(typeof(CreateClient))]
[JsonSerializable(typeof(CreateInvite))]
[JsonSerializable(typeof(CreateProject))]
[JsonSerializable(typeof(CreateStaff))]
[JsonSerializable(typeof(CreateStaffInvite))]
[JsonSerializable(typeof(CreateTask))]
[JsonSerializable(typeof(LogTime))]
[JsonSerializable(typeof(ProjectSettings))]
[JsonSerializable(typeof(SaveAnswer))]
[JsonSerializable(typeof(SetBudget))]
[JsonSerializable(typeof(SetTeam))]
[JsonSerializable(typeof(TeamRoleBody))]
[JsonSerializable(typeof(UpdateTask))]
[JsonSerializable(typeof(AgencyBot.Core.Tasks.Template))]
[JsonSerializable(typeof(AgencyBot.Core.Onboarding.ImportRow[]))]
// Answers
[JsonSerializable(typeof(DigestSent))]
[JsonSerializable(typeof(ImportAnswer))]
[JsonSerializable(typeof(InviteCreated))]
[JsonSerializable(typeof(MeasuredCorrected))]
[JsonSerializable(typeof(OpsReport))]
[JsonSerializable(typeof(ProjectView))]
[JsonSerializable(typeof(SatisfactionReport))]
[JsonSerializable(typeof(StaffInviteCreated))]
[JsonSerializable(typeof(TaskDetail))]
[JsonSerializable(typeof(TemplateResponse))]
[JsonSerializable(typeof(TimeEntryCreated))]
[JsonSerializable(typeof(AgencyBot.Core.Budgets.Budget))]
[JsonSerializable(typeof(AgencyBot.Core.Budgets.BudgetStatus))]
[JsonSerializable(typeof(AgencyBot.Core.Clients.Client))]
[JsonSerializable(typeof(AgencyBot.Core.Conversations.Conversation))]
[JsonSerializable(typeof(AgencyBot.Core.Conversations.ConversationMessage))]
[JsonSerializable(typeof(AgencyBot.Core.Conversations.ResponseTimesReport))]
[JsonSerializable(typeof(AgencyBot.Core.Data.BackupResult))]
[JsonSerializable(typeof(AgencyBot.Core.Digest.AgencyFigures))]
[JsonSerializable(typeof(AgencyBot.Core.Projects.InviteState))]
[JsonSerializable(typeof(AgencyBot.Core.Projects.Project))]
[JsonSerializable(typeof(AgencyBot.Core.Satisfaction.RatingSummary))]
[JsonSerializable(typeof(AgencyBot.Core.SavedAnswers.SavedAnswer))]
[JsonSerializable(typeof(AgencyBot.Core.Staff.StaffInviteState))]
[JsonSerializable(typeof(AgencyBot.Core.Staff.StaffMember))]
[JsonSerializable(typeof(AgencyBot.Core.Tasks.TaskView))]
[JsonSerializable(typeof(AgencyBot.Core.Tasks.TeamMember))]
[JsonSerializable(typeof(AgencyBot.Core.TimeTracking.TimeEntry))]
[JsonSerializable(typeof(AgencyBot.Core.TimeTracking.TimeUse))]
[JsonSerializable(typeof(List<AgencyBot.Core.Clients.Client>))]
[JsonSerializable(typeof(List<AgencyBot.Core.Conversations.Conversation>))]
[JsonSerializable(typeof(List<AgencyBot.Core.Conversations.ConversationMessage>))]
[JsonSerializable(typeof(List<AgencyBot.Core.Projects.BoundChat>))]
[JsonSerializable(typeof(List<AgencyBot.Core.Projects.InviteState>))]
[JsonSerializable(typeof(List<AgencyBot.Core.Projects.Project>))]
[JsonSerializable(typeof(List<AgencyBot.Core.SavedAnswers.SavedAnswer>))]
[JsonSerializable(typeof(List<AgencyBot.Core.Staff.StaffInviteState>))]
[JsonSerializable(typeof(List<AgencyBot.Core.Staff.StaffMember>))]
[JsonSerializable(typeof(List<AgencyBot.Core.Tasks.TaskView>))]
[JsonSerializable(typeof(List<AgencyBot.Core.Tasks.TeamMember>))]
[JsonSerializable(typeof(List<AgencyBot.Core.TimeTracking.TimeEntry>))]
[JsonSerializable(typeof(List<TemplateResponse>))]
[JsonSerializable(typeof(IReadOnlyList<AgencyBot.Core.Clients.Client>))]
[JsonSerializable(typeof(IReadOnlyList<AgencyBot.Core.Conversations.Conversation>))]
[JsonSerializable(typeof(IReadOnlyList<AgencyBot.Core.Conversations.ConversationMessage>))]
[JsonSerializable(typeof(IReadOnlyList<AgencyBot.Core.Projects.BoundChat>))]
[JsonSerializable(typeof(IReadOnlyList<AgencyBot.Core.Projects.InviteState>))]
[JsonSerializable(typeof(IReadOnlyList<AgencyBot.Core.Projects.Project>))]
[JsonSerializable(typeof(IReadOnlyList<AgencyBot.Core.SavedAnswers.SavedAnswer>))]
[JsonSerializable(typeof(IReadOnlyList<AgencyBot.Core.Staff.StaffInviteState>))]
[JsonSerializable(typeof(IReadOnlyList<AgencyBot.Core.Staff.StaffMember>))]
[JsonSerializable(typeof(IReadOnlyList<AgencyBot.Core.Tasks.TaskView>))]
[JsonSerializable(typeof(IReadOnlyList<AgencyBot.Core.Tasks.TeamMember>))]
[JsonSerializable(typeof(IReadOnlyList<AgencyBot.Core.TimeTracking.TimeEntry>))]
[JsonSerializable(typeof(IReadOnlyList<TemplateResponse>))]
[JsonSerializable(typeof(AgencyBot.Core.Digest.Overhead))]
// Problems
[JsonSerializable(typeof(ProblemDetails))]
[JsonSerializable(typeof(HttpValidationProblemDetails))]
internal sealed partial class AdminJson : JsonSerializerContext
{
    /// <summary>Enums as camel-case names ("manager"), one converter per enum an API type carries (invite kinds, time sources and document kinds are strings there): the generic converter is
    /// the one that needs no code made at run time.</summary>
    public static readonly JsonConverter[] Enums =
    [
        new JsonStringEnumConverter<AgencyBot.Core.Staff.StaffRole>(JsonNamingPolicy.CamelCase),
        new JsonStringEnumConverter<AgencyBot.Core.Budgets.BudgetKind>(JsonNamingPolicy.CamelCase),
        new JsonStringEnumConverter<AgencyBot.Core.Digest.OverheadBasis>(JsonNamingPolicy.CamelCase),
    ];
}
