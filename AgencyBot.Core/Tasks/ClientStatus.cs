using AgencyBot.Core.Budgets;
using AgencyBot.Core.Clients;
using AgencyBot.Core.Projects;
using AgencyBot.Core.Turns;

namespace AgencyBot.Core.Tasks;

/// <summary>
/// /status for a client: the active tasks of the chat's current project, with who does each, progress and due date.
/// Only that project, never staff-only tasks or anything of another client.
/// </summary>
public sealed class ClientStatus(BudgetUse budgets)
{
    /// <summary>Whole hours as a client reads them ("34", "7.5").</summary>
    public static string Hours(long minutes, string language) => (minutes / 60.0).ToString("0.#", CultureInfo.GetCultureInfo(language));

    public async Task SendAsync(Turn turn, long chatId, BoundProject project, string language)
    {
        var open = (await TaskStore.OfProjectAsync(turn.Connection, turn.Transaction, project.ProjectId, openOnly: true))
            .Where(task => !task.StaffOnly && task.ParentNumber is null)
            // What comes due first is what the client asks about first; undated work after it.
            .OrderBy(task => task.DueOn is null).ThenBy(task => task.DueOn, StringComparer.Ordinal).ThenBy(task => task.Number)
            .ToList();
        var text = open.Count == 0
            ? ClientTexts.Get("StatusNothing", language, project.ProjectName)
            : ClientTexts.Get("StatusHeader", language, project.ProjectName) + "\n" +
              string.Join("\n", open.Select(task => ClientTexts.Get("StatusLine", language, task.Title, TaskWork.Describe(task, language))));
        // What the agency waits for from them.
        foreach (var approval in await Approvals.ApprovalStore.PendingOfProjectAsync(turn.Connection, turn.Transaction, project.ProjectId))
            text += "\n" + ClientTexts.Get("StatusAwaitingApproval", language, approval.TaskTitle);
        // The hours, where the agency chose to show them to this project's client.
        var budget = await budgets.StatusAsync(turn.Connection, turn.Transaction, project.ProjectId, turn.Now);
        if (budget.Budget is { ShownToClient: true, Kind: not BudgetKind.None } shown)
            text += "\n\n" + ClientTexts.Get(shown.Kind == BudgetKind.Monthly ? "StatusBudgetMonthly" : "StatusBudgetTotal", language,
                Hours(budget.Counted.AllMinutes, language), Hours(shown.Minutes, language));
        await turn.SendAsync(chatId, text);
    }
}
