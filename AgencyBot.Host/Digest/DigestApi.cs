using AgencyBot.Core.Agency;
using AgencyBot.Core.Digest;
using Microsoft.Extensions.Options;

namespace AgencyBot.Host.Digest;

public static class DigestApi
{
    public static void MapDigest(this RouteGroupBuilder api)
    {
        // Now, to the usual recipients; the day's scheduled digest still goes out at its hour.
        api.MapPost("/digest/send", async (DigestSender sender, IOptions<AgencyOptions> agency, TimeProvider clock, CancellationToken ct) =>
            TypedResults.Accepted((string?)null, new { Recipients = await sender.SendNowAsync(agency.Value.Today(clock), ct: ct) }));

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
}
