using AgencyBot.Core.Agency;
using AgencyBot.Core.Digest;
using Microsoft.Extensions.Options;

namespace AgencyBot.Host.Api;

public static class DigestApi
{
    public static void MapDigest(this RouteGroupBuilder api)
    {
        // Now, to the usual recipients; the day's scheduled digest still goes out at its hour.
        api.MapPost("/digest/send", async (DigestSender sender, IOptions<AgencyOptions> agency, TimeProvider clock, CancellationToken ct) =>
            TypedResults.Accepted((string?)null, new { Recipients = await sender.SendNowAsync(agency.Value.Today(clock), ct: ct) }));
    }
}
