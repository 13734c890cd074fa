using AgencyBot.Core.Staff;
using AgencyBot.Core.TimeTracking;
using AgencyBot.Core.Turns;

namespace AgencyBot.Core.Budgets;

/// <summary>
/// /budget in a project's topic: the hours used against the budget, this month and in total, account management
/// apart. A manager sets it: /budget 40h monthly, /budget 200h total 12000 EUR, /budget 40h monthly client (the
/// client's /status then shows the hours), /budget none. Anything else gets the usage line and changes nothing.
/// </summary>
public sealed class BudgetCommand(BudgetUse use, BudgetAlerts alerts)
{
    public const string Usage = "/budget shows the hours used. Managers set it: /budget <hours> monthly|total [<amount> <currency>] [client], or /budget none.";

    public async Task<string> RunAsync(Turn turn, string args, long projectId)
    {
        var (c, t) = turn;
        var member = turn.Member ?? throw new InvalidOperationException("/budget is a staff command");
        if (args.Length > 0)
        {
            if (member.Role != StaffRole.Manager) return "Only managers can set a project's budget. /budget alone shows it.";
            if (Parse(args) is not { } budget) return Usage;
            await BudgetStore.SetAsync(c, t, projectId, budget, member.Id, turn.Now);
            await alerts.CheckAsync(c, t, projectId, turn.Now);
        }
        return Describe(await use.StatusAsync(c, t, projectId, turn.Now));
    }

    /// <summary>"40h monthly", "200 total 12000 EUR client", "none".</summary>
    internal static NewBudget? Parse(string args)
    {
        var words = args.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (words is ["none"]) return new NewBudget(BudgetKind.None, 0);
        var client = words.Count > 0 && words[^1].Equals("client", StringComparison.OrdinalIgnoreCase);
        if (client) words.RemoveAt(words.Count - 1);
        if (words.Count is not (2 or 4)) return null;
        var hours = Durations.Parse(words[0].EndsWith('h') || words[0].Contains(':') ? words[0] : words[0] + "h");
        if (hours is not { TotalMinutes: > 0 and <= 100_000 } allotted) return null;
        BudgetKind? kind = words[1].ToLowerInvariant() switch { "monthly" or "month" => BudgetKind.Monthly, "total" => BudgetKind.Total, _ => null };
        if (kind is null) return null;
        decimal? amount = null;
        string? currency = null;
        if (words.Count == 4)
        {
            if (!decimal.TryParse(words[2], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var a) || a < 0 || a > 1_000_000_000
                || words[3].Length != 3 || !words[3].All(char.IsAsciiLetter))
                return null;
            (amount, currency) = (a, words[3].ToUpperInvariant());
        }
        return new NewBudget(kind.Value, (long)allotted.TotalMinutes, amount, currency, client);
    }

    public static string Describe(BudgetStatus status)
    {
        var lines = new List<string>();
        lines.Add(status.Budget switch
        {
            null or { Kind: BudgetKind.None } => "💰 No budget is set. A manager sets one: /budget 40h monthly",
            var b => $"💰 Budget: {Durations.Format(b.Minutes)} h {(b.Kind == BudgetKind.Monthly ? "per month" : "in total")}"
                     + (b.Amount is { } amount ? $" ({amount.ToString("#,0.##", CultureInfo.InvariantCulture)} {b.Currency})" : "")
                     + (b.ShownToClient ? ", shown to the client" : "") + $". Used: {BudgetUse.Line(status)}.",
        });
        lines.Add($"This month: {Durations.Format(status.ThisMonth.AllMinutes)} h, account management {Durations.Format(status.ThisMonth.AccountMinutes)}"
                  + $" (measured {Durations.Format(status.ThisMonth.MeasuredAccountMinutes)}).");
        lines.Add($"In total: {Durations.Format(status.InTotal.AllMinutes)} h, account management {Durations.Format(status.InTotal.AccountMinutes)}.");
        return string.Join("\n", lines);
    }
}
