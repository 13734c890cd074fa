using System.Security.Cryptography;
using System.Text;
using AgencyBot.Core.Data;
using AgencyBot.Core.Inbox;
using AgencyBot.Core.Messaging;
using AgencyBot.Host.Settings;
using Microsoft.Extensions.Options;
using Telegram.Bot;

namespace AgencyBot.Host.Telegram;

/// <summary>
/// Webhook mode: Telegram POSTs each update. The secret header is checked (in constant time) before the body is
/// read; the update is committed to the inbox (with the calls that came at the same time: <see cref="WebhookCommits"/>)
/// before the 200 that tells Telegram it arrived, so an answer Telegram never got only means a redelivery, which the
/// inbox ignores.
/// </summary>
public static class WebhookIntake
{
    public const string SecretHeader = "X-Telegram-Bot-Api-Secret-Token";
    private const int MaxBody = 1024 * 1024;

    public static void MapTelegramWebhook(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<TelegramOptions>>().Value;
        if (options.Mode != TelegramMode.Webhook) return;
        app.MapPost(new Uri(options.WebhookUrl!).AbsolutePath, ReceiveAsync);
    }

    private static async Task<IResult> ReceiveAsync(HttpContext http, WebhookCommits commits, InboxSignal signal, IOptions<TelegramOptions> options,
        IntakeStatus status, TimeProvider clock, ILogger<InboxStore> logger)
    {
        var given = http.Request.Headers[SecretHeader].ToString();
        if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)),
                SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.WebhookSecret ?? ""))))
        {
            logger.LogWarning("Webhook call without the right secret from {Remote}", http.Connection.RemoteIpAddress);
            return TypedResults.Problem(statusCode: 401, title: "Unauthorized");
        }
        if (http.Request.ContentLength > MaxBody)
            return TypedResults.Problem(statusCode: 413, title: "Update too large");

        RawUpdate? update;
        using (var body = new MemoryStream())
        {
            await http.Request.Body.CopyToAsync(body, http.RequestAborted);
            if (body.Length > MaxBody) return TypedResults.Problem(statusCode: 413, title: "Update too large");
            // Kept exactly as Telegram sent it; only its update_id and chat are read now.
            update = RawUpdate.Parse(Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length));
        }
        if (update is null || update.Id <= 0)
        {
            logger.LogWarning("Webhook call with a body that is not an update");
            return TypedResults.Problem(statusCode: 400, title: "Not a Telegram update");
        }

        if (commits.Queue(update) is not { } committed)
            return TypedResults.Problem(statusCode: 503, title: "Stopping", detail: "The bot is restarting; send the update again.");
        try
        {
            await committed;
        }
        catch (Exception) when (!http.RequestAborted.IsCancellationRequested)
        {
            // WebhookCommits logged the failure once for all the calls it carried; Telegram sends this one again.
            return TypedResults.Problem(statusCode: 503, title: "Not stored", detail: "The update could not be stored; send it again.");
        }
        Interlocked.Increment(ref status.Received);
        status.Succeeded(clock.GetUtcNow());
        signal.Notify();
        return TypedResults.Ok();
    }
}

/// <summary>At start-up in webhook mode: tells Telegram where to send updates, with the secret it must send back.
/// Pending updates are kept (never dropped). Retries until Telegram answers.</summary>
public sealed class WebhookRegistration(ITelegramBotClient bot, IOptions<TelegramOptions> options, IntakeStatus status, TimeProvider clock,
    ILogger<WebhookRegistration> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 0; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await bot.SetWebhook(options.Value.WebhookUrl!, maxConnections: options.Value.WebhookMaxConnections,
                    allowedUpdates: TelegramRegistration.Wanted, dropPendingUpdates: false, secretToken: options.Value.WebhookSecret, cancellationToken: stoppingToken);
                logger.LogInformation("Webhook set to {Url}", options.Value.WebhookUrl);
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                var delay = Backoff.After(attempt + 1, Backoff.StartupCap);
                if (!status.Rejected(ex, logger)) logger.LogWarning(ex, "setWebhook failed; trying again in {Delay}", delay);
                await Task.Delay(delay, clock, stoppingToken);
            }
        }
    }
}
