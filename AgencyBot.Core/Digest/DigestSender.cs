using System.Text.Json.Nodes;
using AgencyBot.Core.Data;
using AgencyBot.Core.Measurement;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Staff;

namespace AgencyBot.Core.Digest;

/// <summary>
/// Sends the digest: to Digest:ChatId, or else to every manager who has started the bot (Telegram lets a bot write
/// only to people who did). The daily run is recorded in digest_runs in the transaction that queues it, so a day's
/// digest goes out once however often the job fires, also after a restart that missed its hour.
/// </summary>
public sealed class DigestSender(Database database, DigestBuilder builder, MeasuredDays measuredDays, OutboxStore outbox, IOptions<DigestOptions> options,
    TimeProvider clock, ILogger<DigestSender> logger)
{
    private const string ClaimDay = "INSERT INTO digest_runs (day, sent_at) VALUES (@Day, @Now) ON CONFLICT (day) DO NOTHING";

    private const string DaySent = "SELECT COUNT(*) FROM digest_runs WHERE day = @Day";

    /// <summary>The day's digest, unless it already went out; true when this call sent it.</summary>
    public async Task<bool> SendDailyAsync(DateOnly today, CancellationToken ct = default)
    {
        // The job asks every quarter hour; a digest (a measurement, a chart drawn with Skia) is made only for a day that
        // has not gone out and for someone to read it. The transaction below decides again: another host may be first.
        if (!await DueAsync(today, ct)) return false;
        // Yesterday's communication time counts in it: measured now if the hourly measurement has not got to it yet.
        await measuredDays.MeasureMissingDaysAsync(ct);
        var content = await builder.BuildAsync(today, ct);
        return await database.WriteAsync(async (c, t) =>
        {
            // Nobody to send to yet (no manager has started the bot): leave the day open for the next try.
            var recipients = await RecipientsAsync(c, t);
            if (recipients.Count == 0) return false;
            if (await c.ExecuteAsync(ClaimDay, new { Day = DayKey(today), Now = clock.GetUtcNow().ToUnixTimeMilliseconds() }, t) == 0)
                return false;
            await QueueAsync(c, t, content, recipients);
            logger.LogInformation("Digest for {Day} queued", today);
            return true;
        }, ct);
    }

    /// <summary>The digest now, to its usual recipients or to one chat (/digest). Sent to the usual recipients once the
    /// day's digest hour has come (<paramref name="isTheDaysDigest"/>), it is the day's digest: the scheduled run (or a
    /// restart's) does not send it again.</summary>
    public async Task<int> SendNowAsync(DateOnly today, long? toChatId = null, bool isTheDaysDigest = false, CancellationToken ct = default)
    {
        var content = await builder.BuildAsync(today, ct, soFar: true);
        return await database.WriteAsync(async (c, t) =>
        {
            var to = toChatId is { } chat ? [chat] : await RecipientsAsync(c, t);
            await QueueAsync(c, t, content, to);
            if (isTheDaysDigest && toChatId is null && to.Count > 0)
                await c.ExecuteAsync(ClaimDay, new { Day = DayKey(today), Now = clock.GetUtcNow().ToUnixTimeMilliseconds() }, t);
            return to.Count;
        }, ct);
    }

    /// <summary>The same, inside the caller's transaction (the /digest command).</summary>
    public Task QueueAsync(IDbConnection c, IDbTransaction t, DigestContent content, long chatId) => QueueAsync(c, t, content, [chatId]);

    /// <summary>The digest asked for now (/digest): with today so far.</summary>
    public Task<DigestContent> BuildAsync(DateOnly today, CancellationToken ct = default) => builder.BuildAsync(today, ct, soFar: true);

    /// <summary>How digest_runs names a day.</summary>
    private static string DayKey(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private async Task<bool> DueAsync(DateOnly today, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<long>(DaySent, new { Day = DayKey(today) }) == 0
               && (await RecipientsAsync(connection, null, warn: false)).Count > 0;
    }

    private async Task<IReadOnlyList<long>> RecipientsAsync(IDbConnection c, IDbTransaction? t, bool warn = true)
    {
        if (options.Value.ChatId is { } chat) return [chat];
        var managers = await StaffStore.ManagersAsync(c, t);
        foreach (var silent in managers.Where(m => warn && !m.StartedBot))
            logger.LogWarning("Manager {Name} gets no digest: they have not started a private chat with the bot", silent.Name);
        return managers.Where(m => m.StartedBot).Select(m => m.TelegramUserId).ToList();
    }

    private async Task QueueAsync(IDbConnection c, IDbTransaction t, DigestContent content, IReadOnlyList<long> recipients)
    {
        if (recipients.Count == 0)
        {
            logger.LogWarning("The digest has no recipient: set Digest:ChatId, or have a manager start the bot");
            return;
        }
        long? chart = content.Chart is { } png ? await AttachmentStore.AddAsync(c, t, "overhead.png", "image/png", png, clock.GetUtcNow()) : null;
        foreach (var chatId in recipients)
        {
            await outbox.EnqueueTextAsync(c, t, chatId, content.Text);
            if (chart is null) continue;
            // The chart is uploaded from the database when the row is sent (see TelegramMessenger).
            var photo = new JsonObject { ["chat_id"] = chatId, ["attachment_id"] = chart, ["caption"] = "Account management, % of project hours, week by week over the last four weeks" };
            await outbox.EnqueueRawAsync(c, t, chatId, "sendPhoto", photo.ToJsonString());
        }
    }
}
