using AgencyBot.Core.Exports;

namespace AgencyBot.Host.Api;

public static class ExportsApi
{
    /// <summary>GET /api/exports/{kind}.csv?from&amp;to: conversations, messages, response-times or time-entries of
    /// [from, to) (default: the last 30 days), as CSV safe to open in a spreadsheet.</summary>
    public static void MapExports(this RouteGroupBuilder api) =>
        api.MapGet("/exports/{kind}.csv", async (string kind, DateTimeOffset? from, DateTimeOffset? to, HttpContext http, CsvExports exports,
            TimeProvider clock, CancellationToken ct) =>
        {
            if (!CsvExports.Kinds.Contains(kind))
            {
                await Problems.NotFound($"There is no export {kind}; there are: {string.Join(", ", CsvExports.Kinds)}.").ExecuteAsync(http);
                return;
            }
            var end = to ?? clock.GetUtcNow();
            var start = from ?? end.AddDays(-30);
            if (start >= end)
            {
                await Problems.BadRequest("'from' must be before 'to'.").ExecuteAsync(http);
                return;
            }
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"agencybot-{kind}-{start:yyyy-MM-dd}.csv\"";
            await exports.WriteAsync(kind, start, end, http.Response.Body, ct);
        }).Produces(StatusCodes.Status200OK, contentType: "text/csv").ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status400BadRequest);
}
