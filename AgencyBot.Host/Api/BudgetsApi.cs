using AgencyBot.Core.Budgets;
using AgencyBot.Core.Data;
using AgencyBot.Core.Projects;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AgencyBot.Host.Api;

/// <param name="Kind">monthly (a retainer), total (a fixed scope) or none.</param>
public sealed record SetBudget(string? Kind, double? Hours, decimal? Amount = null, string? Currency = null, bool ShownToClient = false);

internal sealed class SetBudgetValidator : AbstractValidator<SetBudget>
{
    public SetBudgetValidator()
    {
        RuleFor(b => b.Kind).NotEmpty().Must(k => k is "monthly" or "total" or "none").WithMessage("'Kind' must be monthly, total or none.");
        RuleFor(b => b.Hours).NotNull().GreaterThan(0).LessThanOrEqualTo(100_000).When(b => b.Kind != "none");
        RuleFor(b => b.Amount).GreaterThanOrEqualTo(0).LessThanOrEqualTo(1_000_000_000);
        RuleFor(b => b.Currency).NotEmpty().Length(3).Matches("^[A-Za-z]{3}$").When(b => b.Amount is not null);
    }
}

/// <summary>A project's budget: its allotted hours against the hours logged, this month and in total.</summary>
public static class BudgetsApi
{
    public static void MapBudgets(this RouteGroupBuilder api)
    {
        api.MapGet("/projects/{id:long}/budget", GetAsync);
        api.MapPut("/projects/{id:long}/budget", SetAsync).AddEndpointFilter<Validated<SetBudget>>();
    }

    private static async Task<Results<Ok<BudgetStatus>, ProblemHttpResult>> GetAsync(long id, ProjectStore projects, Database database, BudgetUse use,
        TimeProvider clock, CancellationToken ct)
    {
        if (await projects.FindAsync(id, ct) is null) return Problems.NoProject(id);
        await using var connection = await database.OpenAsync(ct);
        return TypedResults.Ok(await use.StatusAsync(connection, null, id, clock.GetUtcNow()));
    }

    /// <summary>Sets the budget (a new setting; the earlier ones stay on record) and alerts at once if it is already
    /// 80 % or fully used.</summary>
    private static async Task<Results<Ok<BudgetStatus>, ProblemHttpResult>> SetAsync(long id, SetBudget body, ProjectStore projects, Database database,
        BudgetUse use, BudgetAlerts alerts, TimeProvider clock, CancellationToken ct)
    {
        if (await projects.FindAsync(id, ct) is null) return Problems.NoProject(id);
        var kind = Enum.Parse<BudgetKind>(body.Kind!, ignoreCase: true);
        var budget = new NewBudget(kind, kind == BudgetKind.None ? 0 : (long)Math.Round(body.Hours!.Value * 60), body.Amount, body.Currency, body.ShownToClient);
        var now = clock.GetUtcNow();
        return TypedResults.Ok(await database.WriteAsync(async (c, t) =>
        {
            await BudgetStore.SetAsync(c, t, id, budget, null, now);
            await alerts.CheckAsync(c, t, id, now);
            return await use.StatusAsync(c, t, id, now);
        }, ct));
    }
}
