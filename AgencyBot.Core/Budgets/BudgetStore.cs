using AgencyBot.Core.Data;

namespace AgencyBot.Core.Budgets;

/// <summary>A budget to set: hours and, optionally, an amount.</summary>
public sealed record NewBudget(BudgetKind Kind, long Minutes, decimal? Amount = null, string? Currency = null, bool ShownToClient = false);

/// <summary>
/// Budgets and their alerts. A budget is never changed in place: each setting is a new row and the project's latest
/// is the one in force, so what a project was allotted when stays on record. An alert is claimed once per project,
/// period and threshold, in the transaction that posts it.
/// </summary>
public sealed class BudgetStore(Database database)
{
    private const string Insert = """
        INSERT INTO budgets (project_id, kind, minutes, amount_cents, currency, shown_to_client, set_at, set_by)
        VALUES (@ProjectId, @Kind, @Minutes, @AmountCents, @Currency, @ShownToClient, @Now, @SetBy)
        """;

    private const string Columns = """
        b.project_id AS ProjectId, b.kind AS Kind, b.minutes AS Minutes, b.amount_cents AS AmountCents, b.currency AS Currency,
        b.shown_to_client AS ShownToClient, b.set_at AS SetAt
        """;

    private const string SelectCurrent = $"""
        SELECT {Columns} FROM budgets b
        WHERE b.id = (SELECT MAX(id) FROM budgets WHERE project_id = @ProjectId)
        """;

    private const string SelectAllCurrent = $"""
        SELECT {Columns} FROM budgets b
        WHERE b.id IN (SELECT MAX(id) FROM budgets GROUP BY project_id) AND b.kind <> 'none'
        """;

    private const string ClaimAlert = """
        INSERT INTO budget_alerts (project_id, period, percent, budget_id, alerted_at)
        SELECT @ProjectId, @Period, @Percent, MAX(id), @Now FROM budgets WHERE project_id = @ProjectId
        ON CONFLICT (project_id, period, percent) DO NOTHING
        """;

    // A property record: Dapper sets SQLite's 0/1 integers into bools through setters, not constructors.
    private sealed record Row
    {
        public long ProjectId { get; init; }
        public string Kind { get; init; } = "";
        public long Minutes { get; init; }
        public long? AmountCents { get; init; }
        public string? Currency { get; init; }
        public bool ShownToClient { get; init; }
        public long SetAt { get; init; }

        public Budget ToBudget() => new(ProjectId, Enum.Parse<BudgetKind>(Kind, ignoreCase: true), Minutes, AmountCents / 100m, Currency, ShownToClient,
            DateTimeOffset.FromUnixTimeMilliseconds(SetAt));
    }

    public static string KindName(BudgetKind kind) => kind.ToString().ToLowerInvariant();

    public static Task SetAsync(IDbConnection c, IDbTransaction t, long projectId, NewBudget budget, long? setBy, DateTimeOffset now) =>
        c.ExecuteAsync(Insert, new
        {
            ProjectId = projectId, Kind = KindName(budget.Kind), budget.Minutes,
            AmountCents = budget.Amount is { } amount ? (long?)decimal.ToInt64(decimal.Round(amount * 100)) : null,
            Currency = budget.Currency?.ToUpperInvariant(), ShownToClient = Database.Flag(budget.ShownToClient), Now = now.ToUnixTimeMilliseconds(), SetBy = setBy,
        }, t);

    /// <summary>The budget in force; null when none was ever set (a budget taken away has kind None).</summary>
    public static async Task<Budget?> CurrentAsync(IDbConnection c, IDbTransaction? t, long projectId) =>
        (await c.QuerySingleOrDefaultAsync<Row>(SelectCurrent, new { ProjectId = projectId }, t))?.ToBudget();

    /// <summary>Every project's budget in force, by project.</summary>
    public static async Task<IReadOnlyDictionary<long, Budget>> AllCurrentAsync(IDbConnection c, IDbTransaction? t) =>
        (await c.QueryAsync<Row>(SelectAllCurrent, transaction: t)).ToDictionary(r => r.ProjectId, r => r.ToBudget());

    public async Task<Budget?> CurrentAsync(long projectId, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        return await CurrentAsync(connection, null, projectId);
    }

    /// <summary>True the first time a threshold of a period is reached: the alert is then posted, once.</summary>
    public static async Task<bool> ClaimAlertAsync(IDbConnection c, IDbTransaction t, long projectId, string period, int percent, DateTimeOffset now) =>
        await c.ExecuteAsync(ClaimAlert, new { ProjectId = projectId, Period = period, Percent = percent, Now = now.ToUnixTimeMilliseconds() }, t) == 1;
}
