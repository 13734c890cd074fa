using AgencyBot.Core.Agency;
using AgencyBot.Core.Budgets;
using AgencyBot.Core.Data;
using AgencyBot.Core.Projects;
using AgencyBot.Core.Staff;
using AgencyBot.Core.TimeTracking;
using FluentValidation;
using Microsoft.Extensions.Options;

namespace AgencyBot.Host.Api;

public sealed record LogTime(long? StaffId, int? Minutes, string? Category, string? Note = null, DateOnly? SpentOn = null);

internal sealed class LogTimeValidator : AbstractValidator<LogTime>
{
    public LogTimeValidator(IOptions<TimeTrackingOptions> options)
    {
        RuleFor(t => t.StaffId).NotNull().GreaterThan(0);
        RuleFor(t => t.Minutes).NotNull().GreaterThan(0).LessThanOrEqualTo(24 * 60);
        RuleFor(t => t.Category).NotEmpty().Must(c => options.Value.All.Contains(c!))
            .WithMessage($"'Category' must be one of: {string.Join(", ", options.Value.All)}.");
        RuleFor(t => t.Note).MaximumLength(500);
    }
}

public static class TimeEntriesApi
{
    public static void MapTimeEntries(this RouteGroupBuilder api)
    {
        api.MapPost("/projects/{id:long}/time-entries", AddAsync).AddEndpointFilter<Validated<LogTime>>();
        api.MapGet("/projects/{id:long}/time-entries", ListAsync);
    }

    /// <summary>Logs time; a budget it takes past 80 % or 100 % alerts in the same transaction.</summary>
    private static async Task<IResult> AddAsync(long id, LogTime body, ProjectStore projects, StaffStore staff, Database database, BudgetAlerts alerts,
        IOptions<AgencyOptions> agency, TimeProvider clock, CancellationToken ct)
    {
        if (await projects.FindAsync(id, ct) is null) return Problems.NoProject(id);
        if (!await staff.ExistsAsync(body.StaffId!.Value, ct))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["StaffId"] = [$"There is no staff member {body.StaffId}."] });
        var entry = new NewTimeEntry(id, body.StaffId.Value, body.Minutes!.Value, body.Category!, body.Note, body.SpentOn ?? agency.Value.Today(clock));
        var now = clock.GetUtcNow();
        var entryId = await database.WriteAsync(async (c, t) =>
        {
            var added = await TimeEntryStore.AddAsync(c, t, entry, now);
            await alerts.CheckAsync(c, t, id, now);
            return added;
        }, ct);
        return TypedResults.Created($"/api/projects/{id}/time-entries/{entryId}", new { Id = entryId });
    }

    /// <summary>Entries in [from, to) (default: this month so far).</summary>
    private static async Task<IResult> ListAsync(long id, DateOnly? from, DateOnly? to, ProjectStore projects, TimeEntryStore entries,
        IOptions<AgencyOptions> agency, TimeProvider clock, CancellationToken ct)
    {
        if (await projects.FindAsync(id, ct) is null) return Problems.NoProject(id);
        var today = agency.Value.Today(clock);
        return TypedResults.Ok(await entries.OfProjectAsync(id, from ?? new DateOnly(today.Year, today.Month, 1), to ?? today.AddDays(1), ct));
    }
}
