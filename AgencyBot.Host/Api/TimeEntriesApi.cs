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

/// <summary>A staff member's measured communication time of a day, as it should be.</summary>
public sealed record CorrectMeasured(long? StaffId, DateOnly? Day, int? Minutes);

public sealed record TimeEntryCreated(long Id);

/// <summary>A correction of a measured day; <see cref="Replaced"/>: the minutes it replaced (null: nothing was measured yet).</summary>
public sealed record MeasuredCorrected(DateOnly? Day, int? Minutes, long? Replaced);

internal sealed class CorrectMeasuredValidator : AbstractValidator<CorrectMeasured>
{
    public CorrectMeasuredValidator()
    {
        RuleFor(t => t.StaffId).NotNull().GreaterThan(0);
        RuleFor(t => t.Day).NotNull();
        RuleFor(t => t.Minutes).NotNull().GreaterThanOrEqualTo(0).LessThanOrEqualTo(24 * 60);
    }
}

public static class TimeEntriesApi
{
    public static void MapTimeEntries(this RouteGroupBuilder api)
    {
        api.MapPost("/projects/{id:long}/time-entries", AddAsync).AddEndpointFilter<Validated<LogTime>>();
        api.MapGet("/projects/{id:long}/time-entries", ListAsync);
        api.MapPut("/projects/{id:long}/time-entries/measured", CorrectMeasuredAsync).AddEndpointFilter<Validated<CorrectMeasured>>();
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
        return TypedResults.Created($"/api/projects/{id}/time-entries/{entryId}", new TimeEntryCreated(entryId));
    }

    /// <summary>Corrects the communication time the bot measured (or will measure) for a staff member's day: a new entry
    /// replaces the measured one, which stays on record.</summary>
    private static async Task<IResult> CorrectMeasuredAsync(long id, CorrectMeasured body, ProjectStore projects, StaffStore staff, Database database,
        BudgetAlerts alerts, IOptions<TimeTrackingOptions> options, IOptions<AgencyOptions> agency, TimeProvider clock, CancellationToken ct)
    {
        if (await projects.FindAsync(id, ct) is null) return Problems.NoProject(id);
        if (await staff.FindAsync(body.StaffId!.Value, ct) is not { } member)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["StaffId"] = [$"There is no staff member {body.StaffId}."] });
        if (body.Day > agency.Value.Today(clock))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["Day"] = ["A day that has not come yet cannot be corrected."] });
        var now = clock.GetUtcNow();
        var replaced = await database.WriteAsync(async (c, t) =>
        {
            var before = await TimeEntryStore.CorrectMeasuredAsync(c, t, id, member.Id, body.Day!.Value, body.Minutes!.Value, options.Value.Measure.Category,
                "the admin API", now);
            await alerts.CheckAsync(c, t, id, now);
            return before;
        }, ct);
        return TypedResults.Ok(new MeasuredCorrected(body.Day, body.Minutes, replaced));
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
