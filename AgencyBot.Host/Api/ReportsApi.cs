using AgencyBot.Core.Agency;
using AgencyBot.Core.Conversations;
using AgencyBot.Core.Digest;
using AgencyBot.Core.Projects;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace AgencyBot.Host.Api;

public sealed record SatisfactionReport(AgencyBot.Core.Satisfaction.RatingSummary Summary, IReadOnlyList<AgencyBot.Core.Satisfaction.Rating> Ratings);

public static class ReportsApi
{
    public static void MapReports(this RouteGroupBuilder api)
    {
        api.MapGet("/reports/response-times", ResponseTimesAsync);

        // Clients' ratings in [from, to) (default: the last 30 days), with the counts.
        api.MapGet("/reports/satisfaction", async Task<Results<Ok<SatisfactionReport>, ProblemHttpResult>> (DateTimeOffset? from, DateTimeOffset? to,
            AgencyBot.Core.Data.Database database, TimeProvider clock, CancellationToken ct) =>
        {
            var end = to ?? clock.GetUtcNow().AddMilliseconds(1); // up to this moment
            var start = from ?? end.AddDays(-30);
            if (start >= end) return Problems.BadRequest("'from' must be before 'to'.");
            await using var connection = await database.OpenAsync(ct);
            return TypedResults.Ok(new SatisfactionReport(await AgencyBot.Core.Satisfaction.Ratings.SummaryAsync(connection, null, start, end),
                await AgencyBot.Core.Satisfaction.Ratings.RatedAsync(connection, null, start, end)));
        });

        // The digest's figures as JSON, for [from, to) in the agency's days (default: this month so far).
        api.MapGet("/reports/overhead", async (DateOnly? from, DateOnly? to, OverheadReport report, IOptions<AgencyOptions> agency,
            TimeProvider clock, CancellationToken ct) =>
        {
            var today = agency.Value.Today(clock);
            var start = from ?? new DateOnly(today.Year, today.Month, 1);
            var end = to ?? today.AddDays(1);
            return start >= end
                ? (IResult)TypedResults.Problem(statusCode: 400, title: "Invalid period", detail: "'from' must be before 'to'.")
                : TypedResults.Ok(await report.BuildAsync(start, end, ct));
        });
    }

    /// <summary>First answers in [from, to) (default: the last 30 days), optionally for one project.</summary>
    private static async Task<Results<Ok<ResponseTimesReport>, ProblemHttpResult>> ResponseTimesAsync(
        DateTimeOffset? from, DateTimeOffset? to, long? projectId, ResponseTimes responseTimes, ProjectStore projects,
        TimeProvider clock, CancellationToken ct)
    {
        var end = to ?? clock.GetUtcNow();
        var start = from ?? end.AddDays(-30);
        if (start >= end)
            return TypedResults.Problem(statusCode: 400, title: "Invalid period", detail: "'from' must be before 'to'.");
        if (projectId is { } id && await projects.FindAsync(id, ct) is null)
            return Problems.NoProject(id);
        return TypedResults.Ok(await responseTimes.ReportAsync(start, end, projectId, ct));
    }
}
