using AgencyBot.Core.TimeTracking;

namespace AgencyBot.Core.Budgets;

/// <summary>How a project's hours are allotted: every month (a retainer), once for the whole project (a fixed scope),
/// or not at all.</summary>
public enum BudgetKind { Monthly, Total, None }

/// <summary>A project's allotted hours (and, if agreed, the amount), as set last.</summary>
/// <param name="ShownToClient">Whether the client's /status shows the hours used.</param>
public sealed record Budget(long ProjectId, BudgetKind Kind, long Minutes, decimal? Amount, string? Currency, bool ShownToClient, DateTimeOffset SetAt);

/// <summary>A budget against what was logged: this month and since the project began.</summary>
public sealed record BudgetStatus(Budget? Budget, string Month, TimeUse ThisMonth, TimeUse InTotal)
{
    /// <summary>What counts against the budget: this month's hours for a monthly budget, all of them for a total one.</summary>
    public TimeUse Counted => Budget?.Kind == BudgetKind.Monthly ? ThisMonth : InTotal;

    /// <summary>The share of the allotted hours used, in percent; null without a budget.</summary>
    public double? UsedPercent => Budget is { Kind: not BudgetKind.None, Minutes: > 0 } b ? Math.Round(100.0 * Counted.AllMinutes / b.Minutes, 1) : null;

    /// <summary>The period alerts are counted in: the month ("2026-12") for a monthly budget, else "total".</summary>
    public string Period => Budget?.Kind == BudgetKind.Monthly ? Month : "total";
}
