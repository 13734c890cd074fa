using AgencyBot.Core.Agency;
using AgencyBot.Core.Digest;
using Microsoft.Extensions.Options;

namespace AgencyBot.Host.Api;

public static class DigestApi
{
    public static void MapDigest(this RouteGroupBuilder api)
    {
        // Now, to the usual recipients. Before the digest hour the day's scheduled digest still goes out at its hour;
        // after it, this was the day's digest. Nobody to send it to is said as such, with what to do about it, rather
        // than as a count of zero.
        api.MapPost("/digest/send", async (DigestSender sender, IOptions<AgencyOptions> agency, IOptions<DigestOptions> digest, TimeProvider clock,
            CancellationToken ct) =>
            await sender.SendNowAsync(agency.Value.Today(clock), isTheDaysDigest: Scheduling.DigestHour.Today(clock, agency.Value, digest.Value) is not null,
                ct: ct) is > 0 and var recipients
                ? (IResult)TypedResults.Accepted((string?)null, new DigestSent(recipients))
                : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Nobody to send the digest to",
                    detail: "No manager has opened a private chat with the bot (they send it /start), and Digest:ChatId is not set."));
    }
}

/// <summary>POST /api/digest/send: how many chats it went to.</summary>
public sealed record DigestSent(int Recipients);
