using System.Text.Json;
using AgencyBot.Core.Data;
using AgencyBot.Core.Inbox;
using AgencyBot.Core.Messaging;
using AgencyBot.Host.Settings;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Requests;
using Telegram.Bot.Types.Enums;

namespace AgencyBot.Host.Telegram;

/// <summary>When and how the last getUpdates went, for health and the operations view.</summary>
public sealed class IntakeStatus
{
    private int _tokenRejected;

    public DateTimeOffset? LastSuccessAt { get; set; }
    public DateTimeOffset? FailingSince { get; set; }
    public long Received;

    /// <summary>Telegram answered 401 to the bot's token: it is wrong or was revoked. Nothing works until it is fixed.</summary>
    public bool TokenRejected => Volatile.Read(ref _tokenRejected) == 1;

    /// <summary>A Bot API call failed: when Telegram rejected the token, that is said once, in words that say what to
    /// do (true); any other failure is the caller's to log (false).</summary>
    public bool Rejected(Exception ex, ILogger logger)
    {
        if (ex is not ApiRequestException { ErrorCode: 401 }) return false;
        if (Interlocked.Exchange(ref _tokenRejected, 1) == 0)
            logger.LogError("Telegram rejected the bot token (401 Unauthorized): check Telegram:BotToken, or ask @BotFather for the bot's current token");
        return true;
    }

    /// <summary>A Bot API call went through.</summary>
    public void Succeeded(DateTimeOffset at)
    {
        LastSuccessAt = at;
        FailingSince = null;
        Volatile.Write(ref _tokenRejected, 0);
    }
}

/// <summary>
/// Long polling that loses nothing: updates are committed to the inbox before the next getUpdates confirms them
/// (Telegram drops an update only once a later call passes an offset above its id). Start-up asks with no offset,
/// so whatever Telegram still holds is delivered again, and the inbox ignores the ids it already has.
/// </summary>
public sealed class PollingIntake(
    ITelegramBotClient bot,
    InboxStore inbox,
    InboxSignal signal,
    IntakeStatus status,
    IOptions<TelegramOptions> options,
    TimeProvider clock,
    ILogger<PollingIntake> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        int? offset = null;
        var failures = 0;
        // Until a poll goes through, a webhook Telegram says is set is one an earlier deployment in webhook mode left:
        // it is deleted, once, keeping what waits (deleted when met rather than before every start, the first getUpdates
        // goes out one round trip sooner). After that, one is a host in webhook mode taking over, and is left to it.
        var (mayDeleteWebhook, deleteWebhookFirst) = (true, false);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (deleteWebhookFirst)
                {
                    await bot.DeleteWebhook(dropPendingUpdates: false, cancellationToken: stoppingToken);
                    deleteWebhookFirst = false;
                    logger.LogInformation("The webhook left from webhook mode is deleted; polling");
                }
                var batch = await bot.SendRequest(new RawUpdatesRequest(offset, (int)options.Value.PollTimeout.TotalSeconds), stoppingToken);
                status.Succeeded(clock.GetUtcNow());
                (failures, mayDeleteWebhook) = (0, false);
                if (batch.Length == 0) continue;

                var updates = Stored(batch);
                await inbox.AddAsync(updates, CancellationToken.None);
                Interlocked.Add(ref status.Received, updates.Count);
                signal.Notify();
                // Only now may the next call confirm them.
                offset = Next(batch, offset);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (ApiRequestException ex) when (mayDeleteWebhook && WebhookActive(ex))
            {
                (mayDeleteWebhook, deleteWebhookFirst) = (false, true);
            }
            catch (Exception ex)
            {
                // A webhook set while a poll waited was not left from before: a host in webhook mode is taking over, and
                // the 409s that follow ("while webhook is active") leave it to that host.
                if (WebhookSetMeanwhile(ex)) mayDeleteWebhook = false;
                status.FailingSince ??= clock.GetUtcNow();
                var delay = ex is ApiRequestException { ErrorCode: 429, Parameters.RetryAfter: { } after }
                    ? TimeSpan.FromSeconds(after)
                    : Backoff.After(++failures, Backoff.StartupCap);
                if (WebhookActive(ex) || WebhookSetMeanwhile(ex))
                    logger.LogWarning("A webhook is set: a host in webhook mode takes the updates (to poll again here, delete it " +
                        "or stop that host). Asking again in {Delay}", delay);
                else if (AnotherPoller(ex))
                    logger.LogError("Another process polls Telegram with this bot's token, and each gets only some of the updates: " +
                        "stop the other one (several hosts run in webhook mode, on one PostgreSQL database). Polling again in {Delay}", delay);
                else if (!status.Rejected(ex, logger)) logger.LogWarning(ex, "getUpdates failed; trying again in {Delay}", delay);
                try
                {
                    await Task.Delay(delay, clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break; // stopped while waiting: what is in the inbox is still confirmed below
                }
            }
        }
        await ConfirmAsync(offset);
    }

    /// <summary>Telegram refuses getUpdates while a webhook is set (409, "Conflict: can't use getUpdates method while
    /// webhook is active; use deleteWebhook…"). Its other 409s are not a webhook left from before: <see
    /// cref="WebhookSetMeanwhile"/>, and <see cref="AnotherPoller"/>, which only whoever runs the other one can resolve.</summary>
    private static bool WebhookActive(Exception ex) => Conflict(ex, "while webhook is active");

    /// <summary>A long poll Telegram ended because another one came with the same token (409, "Conflict: terminated by
    /// other getUpdates request; make sure that only one bot instance is running").</summary>
    private static bool AnotherPoller(Exception ex) => Conflict(ex, "other getUpdates request");

    /// <summary>A long poll Telegram ended because a webhook was set meanwhile (409, "Conflict: terminated by setWebhook
    /// request").</summary>
    private static bool WebhookSetMeanwhile(Exception ex) => Conflict(ex, "terminated by setWebhook");

    /// <summary>Telegram's 409 Conflict, told apart by its description (the only thing that says which one it is).</summary>
    private static bool Conflict(Exception ex, string says) =>
        ex is ApiRequestException { ErrorCode: 409 } conflict && conflict.Message.Contains(says, StringComparison.OrdinalIgnoreCase);

    /// <summary>On shutdown: one last call with the offset, so Telegram forgets what is already in the inbox and a
    /// restart does not fetch it again. Whatever that call brings is committed too (it comes again, deduplicated).</summary>
    private async Task ConfirmAsync(int? offset)
    {
        if (offset is null) return;
        try
        {
            using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            var more = await bot.SendRequest(new RawUpdatesRequest(offset, 0), quick.Token);
            if (more.Length > 0) await inbox.AddAsync(Stored(more), CancellationToken.None);
            logger.LogInformation("Polling stopped; updates below {Offset} confirmed", offset);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Confirming the offset on shutdown failed; Telegram will deliver those updates again (the inbox ignores them)");
        }
    }

    /// <summary>Each update exactly as Telegram sent it. Whatever has no update_id cannot be an update (nor be
    /// confirmed): it is logged and left.</summary>
    private List<RawUpdate> Stored(JsonElement[] batch)
    {
        var updates = new List<RawUpdate>(batch.Length);
        foreach (var element in batch)
        {
            if (RawUpdate.From(element) is { } update) updates.Add(update);
            else logger.LogWarning("getUpdates returned something without an update_id; ignored: {Json}", Truncate(element.GetRawText()));
        }
        return updates;
    }

    private static int? Next(JsonElement[] batch, int? offset)
    {
        var highest = batch.Select(RawUpdate.From).Where(u => u is not null).Select(u => u!.Id).DefaultIfEmpty(-1).Max();
        return highest >= 0 ? (int)(highest + 1) : offset;
    }

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";

    /// <summary>getUpdates with the result kept as JSON: the inbox stores each update as it came, so an update of a
    /// shape newer than the Telegram library is stored (and read tolerantly later) instead of failing the batch.</summary>
    private sealed class RawUpdatesRequest(int? offset, int timeout) : RequestBase<JsonElement[]>("getUpdates")
    {
        public int? Offset { get; } = offset;
        public int Limit => 100;
        public int Timeout { get; } = timeout;
        public UpdateType[] AllowedUpdates => TelegramRegistration.Wanted;
    }
}
