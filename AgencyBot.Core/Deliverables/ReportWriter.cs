using System.Text;
using AgencyBot.Core.Agency;
using AgencyBot.Core.Budgets;
using AgencyBot.Core.Clients;
using AgencyBot.Core.Conversations;
using AgencyBot.Core.Projects;
using AgencyBot.Core.Tasks;

namespace AgencyBot.Core.Deliverables;

/// <summary>A client report's words: its title and text, in one language.</summary>
public sealed record ReportText(string Title, string Body)
{
    public string Whole => $"{Title}\n\n{Body}";
}

/// <summary>
/// Drafts the client report of a period, in the client's language: what was done, what is in progress and what comes
/// next (who does each; never a staff-only task), the hours used (against the budget, if there is one), and how fast
/// the client's messages were answered. Staff read it before it goes: it is a draft until someone presses Send.
/// </summary>
public sealed class ReportWriter(BudgetUse budgets, BusinessCalendar calendar, IOptions<AgencyOptions> agency, IOptions<SlaOptions> sla)
{
    private const int MaxNext = 5;

    public async Task<ReportText> WriteAsync(IDbConnection c, IDbTransaction? t, long projectId, DateOnly from, DateOnly to, string language,
        DateTimeOffset now)
    {
        var name = (await ProjectStore.SettingsAsync(c, t, projectId))!.Name;
        var (start, end) = (calendar.Instant(from, TimeOnly.MinValue), calendar.Instant(to, TimeOnly.MinValue));
        var shown = (IEnumerable<TaskView> tasks) => tasks.Where(task => !task.StaffOnly).ToList();
        var done = shown(await TaskStore.DoneBetweenAsync(c, t, projectId, start, end));
        var open = shown(await TaskStore.OfProjectAsync(c, t, projectId, openOnly: true)).Where(task => task.ParentNumber is null).ToList();
        var inProgress = open.Where(task => task.Status != TaskState.Todo).ToList();
        var next = open.Where(task => task.Status == TaskState.Todo).OrderBy(task => task.DueOn ?? "9999").Take(MaxNext).ToList();

        var text = new StringBuilder();
        Section(text, ClientTexts.Get("ReportDone", language), done.Select(task => task.Title), language);
        Section(text, ClientTexts.Get("ReportInProgress", language), inProgress.Select(task => $"{task.Title}: {TaskWork.Describe(task, language)}"), language);
        Section(text, ClientTexts.Get("ReportNext", language), next.Select(task => $"{task.Title}: {TaskWork.Describe(task, language, withProgress: false)}"), language);
        // What the agency waits for from them (approvals, feedback), when there is anything.
        var waits = (await Approvals.ClientWaits.AllAsync(c, t)).Where(w => w.ProjectId == projectId).ToList();
        if (waits.Count > 0)
            Section(text, ClientTexts.Get("ReportWaitingForYou", language), waits.Select(w => ClientTexts.Get(w.IsApproval ? "ReportAwaitsApproval" : "ReportAwaitsFeedback",
                language, w.Title, TaskWork.FormatDate(agency.Value.DateOf(DateTimeOffset.FromUnixTimeMilliseconds(w.Since!.Value)), language))), language);

        var budget = await budgets.StatusAsync(c, t, projectId, now);
        text.AppendLine(budget.Budget is { Kind: not BudgetKind.None } b
            ? ClientTexts.Get(b.Kind == BudgetKind.Monthly ? "StatusBudgetMonthly" : "StatusBudgetTotal", language,
                ClientStatus.Hours(budget.Counted.AllMinutes, language), ClientStatus.Hours(b.Minutes, language))
            : ClientTexts.Get("ReportHoursSpent", language, ClientStatus.Hours(budget.InTotal.AllMinutes, language)));
        var limit = (long)sla.Value.FirstResponse.TotalSeconds;
        var answers = await ResponseTimes.FirstAnswersAsync(c, t, start, end, projectId, limit);
        if (answers is { Count: > 0, MedianSeconds: { } median, ShareWithinSla: { } share })
            text.AppendLine(ClientTexts.Get("ReportAnswers", language, answers.Count, Math.Max(1, (int)Math.Round(median / 60)), (int)Math.Round(share * 100),
                limit / 60));
        var ratings = (await Satisfaction.Ratings.RatedAsync(c, t, start, end)).Where(r => r.ProjectId == projectId).ToList();
        if (ratings.Count > 0)
            text.AppendLine(ClientTexts.Get("ReportRatings", language, ratings.Count(r => r.Score > 0), ratings.Count(r => r.Score == 0), ratings.Count(r => r.Score < 0)));
        text.AppendLine().Append(ClientTexts.Get("ReportSignature", language, agency.Value.Name));
        return new ReportText(ClientTexts.Get("ReportTitle", language, name, TaskWork.FormatDate(from, language), TaskWork.FormatDate(to.AddDays(-1), language)),
            text.ToString());
    }

    private static void Section(StringBuilder text, string heading, IEnumerable<string> lines, string language)
    {
        text.AppendLine(heading);
        var any = false;
        foreach (var line in lines)
        {
            text.Append("• ").AppendLine(line);
            any = true;
        }
        if (!any) text.AppendLine(ClientTexts.Get("ReportNothing", language));
        text.AppendLine();
    }
}
