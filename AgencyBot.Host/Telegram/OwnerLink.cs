using AgencyBot.Core.Agency;
using AgencyBot.Core.Data;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Staff;
using Microsoft.Extensions.Options;

namespace AgencyBot.Host.Telegram;

/// <summary>
/// The first start of a new agency: nobody is staff yet, so the host logs a link that makes whoever opens it the first
/// manager (t.me/&lt;bot&gt;?start=owner-…). It works once and only while nobody is staff; until then every start logs
/// the same link. Nobody needs to know a numeric Telegram id or call the admin API.
/// </summary>
public sealed class OwnerLink(Database database, BotIdentity bot, IOptions<AgencyOptions> agency, TimeProvider clock, ILogger<OwnerLink> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lifetime = agency.Value.InviteLifetime;
        var now = clock.GetUtcNow();
        var link = await database.WriteAsync((c, t) => StaffInviteStore.OwnerLinkAsync(c, t, now, lifetime), stoppingToken);
        if (link is not { Code: var code }) return;
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                var username = await bot.UsernameAsync(stoppingToken);
                logger.LogWarning("Nobody is staff yet. Open {Link} in Telegram to become the agency's first manager (it works once, until {Until:yyyy-MM-dd})",
                    BotUser.Link(username, StaffInviteStore.Payload(code, owner: true)), now + lifetime);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Telegram is needed once, for the bot's username; BotMenu and intake say why it cannot be reached.
                var delay = Backoff.After(attempt, Backoff.StartupCap);
                logger.LogDebug(ex, "The owner link waits for the bot's username; trying again in {Delay}", delay);
                await Task.Delay(delay, clock, stoppingToken);
            }
        }
    }
}
