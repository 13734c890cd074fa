using AgencyBot.Core.Agency;
using AgencyBot.Core.TimeTracking;

namespace AgencyBot.Core.Budgets;

/// <summary>A project's budget against the hours logged on it (every source: typed, measured, invoices, reports).</summary>
public sealed class BudgetUse(TimeEntryStore entries, IOptions<AgencyOptions> agency)
{
    private static readonly TimeUse Nothing = new(0, 0, 0, 0);

    public async Task<BudgetStatus> StatusAsync(IDbConnection c, IDbTransaction? t, long projectId, DateTimeOffset now)
    {
        var today = agency.Value.DateOf(now);
        var monthStart = new DateOnly(today.Year, today.Month, 1);
        var budget = await BudgetStore.CurrentAsync(c, t, projectId);
        var month = (await entries.UseAsync(c, t, projectId, monthStart, monthStart.AddMonths(1))).GetValueOrDefault(projectId, Nothing);
        var total = (await entries.UseAsync(c, t, projectId, null, null)).GetValueOrDefault(projectId, Nothing);
        return new BudgetStatus(budget, monthStart.ToString("yyyy-MM", CultureInfo.InvariantCulture), month, total);
    }

    /// <summary>"34:00 of 40:00 h this month (85%)": the hours that count against the budget.</summary>
    public static string Line(BudgetStatus status) => status.Budget switch
    {
        { Kind: BudgetKind.Monthly } b => $"{Durations.Format(status.ThisMonth.AllMinutes)} of {Durations.Format(b.Minutes)} h this month ({status.UsedPercent:0.#}%)",
        { Kind: BudgetKind.Total } b => $"{Durations.Format(status.InTotal.AllMinutes)} of {Durations.Format(b.Minutes)} h in total ({status.UsedPercent:0.#}%)",
        _ => "no budget",
    };
}
