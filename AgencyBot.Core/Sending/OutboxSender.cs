using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using AgencyBot.Core.Conversations;
using AgencyBot.Core.Data;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.StaffGroup;
using Microsoft.Extensions.Hosting;
using Telegram.Bot.Exceptions;

namespace AgencyBot.Core.Sending;

/// <summary>
/// Drains the outbox: one request in flight per chat (so per-chat order holds), within <see cref="SendLimits"/>,
/// honouring 429 retry_after per chat, retrying 5xx and network errors with backoff, recording other refusals.
/// A row is marked sent only after Telegram answered, so a crash mid-request resends at most that one request.
/// Rows addressed to a project's staff topic get the topic created first, and again if someone deleted it.
/// </summary>
public sealed class OutboxSender(
    OutboxStore outbox,
    IMessenger messenger,
    StaffTopics topics,
    IDeliveryListener deliveries,
    SendLimits limits,
    OutboxSignal signal,
    SendStatistics statistics,
    SendingLease lease,
    Database database,
    ChatMigrations migrations,
    TimeProvider clock,
    ILogger<OutboxSender> logger) : BackgroundService
{
    private const int BatchSize = 1000;
    private const int MaxTopicRecreations = 3;
    private const int RecordAttempts = 5;
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan BacklogLogEvery = TimeSpan.FromMinutes(1);

    private readonly KeyedWork _inFlight = new();
    private readonly Channel<Completion> _completions = Channel.CreateUnbounded<Completion>();
    // Chats Telegram told to wait (429), so rows queued after the pause was recorded wait too.
    private readonly ConcurrentDictionary<long, DateTimeOffset> _pausedUntil = new();
    // When each lane of a multi-lane chat (the staff group) was last served: lanes take turns.
    private readonly Dictionary<(long Chat, long Lane), long> _lastServed = [];
    // Rows this sender took whose outcome it could not write (the database failed): given back on a later pass.
    private readonly ConcurrentQueue<long> _toGiveBack = new();
    private long _turn;
    private volatile bool _seeded;
    private DateTimeOffset _lastBacklogLog;

    private sealed record Completion(IReadOnlyList<OutboxItem> Items, IReadOnlyList<int> MessageIds, TaskCompletionSource Recorded);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var recorder = RecordSentAsync();
        await WorkLoop.RunAsync(DispatchAsync, signal, IdlePoll, clock, logger, "Reading the outbox", stoppingToken);
        await _inFlight.WhenAllAsync();
        _completions.Writer.Complete();
        await recorder;
    }

    /// <summary>Starts every send that may go now, one per chat; returns when the next one could.</summary>
    private async Task<DateTimeOffset> DispatchAsync(CancellationToken ct)
    {
        var wait = IdlePoll;
        if (!await lease.HeldAsync(ct))
        {
            _seeded = false;
            return WorkLoop.Idle; // another host sends
        }
        if (!_seeded)
        {
            // This host starts sending: what was sent recently (before a restart, or by the host that sent until now)
            // still counts against Telegram's limits.
            var now0 = clock.GetUtcNow();
            limits.Seed(await outbox.RecentSendsAsync(now0 - limits.Memory, ct), now0);
            await outbox.ReleaseClaimsAsync(ct);
            _seeded = true;
        }
        await GiveBackStrandedAsync(ct);
        // Taken before the query: a send that finishes while the query runs may still show as pending
        // in the query's snapshot, and must not be sent again.
        var busy = _inFlight.Snapshot();
        var heads = await outbox.HeadsAsync(BatchSize, ct);
        var now = clock.GetUtcNow();
        await LogBacklogAsync(heads.Count, now, ct);
        var starts = new List<OutboxItem>();
        foreach (var chat in heads.GroupBy(h => h.ChatId))
        {
            if (busy.Contains(chat.Key) || _inFlight.IsRunning(chat.Key)) continue;
            if (_pausedUntil.TryGetValue(chat.Key, out var paused))
            {
                if (paused > now)
                {
                    wait = Min(wait, paused - now);
                    continue;
                }
                _pausedUntil.TryRemove(chat.Key, out _);
            }
            var due = chat.Where(h => h.NotBefore <= now.ToUnixTimeMilliseconds()).ToList();
            if (due.Count == 0)
            {
                wait = Min(wait, TimeSpan.FromMilliseconds(chat.Min(h => h.NotBefore) - now.ToUnixTimeMilliseconds()));
                continue;
            }
            var (acquired, retryAfter) = limits.TryAcquire(chat.Key);
            if (!acquired)
            {
                wait = Min(wait, retryAfter);
                if (limits.OverallExhausted) break;
                continue;
            }
            starts.Add(Choose(due));
        }
        // Each row is taken before it goes (one write for the whole pass): one cancelled meanwhile stays unsent.
        var claimed = await outbox.ClaimAsync(starts.Select(s => s.Id).ToList(), lease.Holder, ct);
        foreach (var next in starts.Where(s => claimed.Contains(s.Id)))
            _inFlight.Start(next.ChatId, () => SendAsync(next, ct), signal.Notify);
        return now + wait;
    }

    /// <summary>
    /// Which lane of a chat goes next: a lane holding the first message of a waiting period before follow-ups,
    /// then the lane served longest ago (so projects take turns in the staff group), then the oldest row.
    /// </summary>
    private OutboxItem Choose(List<OutboxItem> due)
    {
        if (due.Count == 1 && due[0].Lane == 0) return due[0];
        var next = due
            .OrderByDescending(h => h.Priority)
            .ThenBy(h => _lastServed.GetValueOrDefault((h.ChatId, h.Lane)))
            .ThenBy(h => h.Id)
            .First();
        _lastServed[(next.ChatId, next.Lane)] = ++_turn;
        return next;
    }

    private async Task LogBacklogAsync(int heads, DateTimeOffset now, CancellationToken ct)
    {
        if (heads == 0 || now - _lastBacklogLog < BacklogLogEvery) return;
        _lastBacklogLog = now;
        foreach (var backlog in await outbox.BacklogAsync(5, ct))
            if (now - backlog.OldestSince > TimeSpan.FromSeconds(30))
                logger.LogInformation("Chat {ChatId}: {Pending} messages queued, the oldest since {OldestSince:O}",
                    backlog.ChatId, backlog.Pending, backlog.OldestSince);
    }

    /// <summary>
    /// Marks sent rows in batches: whatever completed while the previous batch was being written goes in the next.
    /// A chat's next send waits until its previous one is recorded, so at most one unrecorded send per chat exists.
    /// It keeps running through shutdown, so every answered request is recorded before the process exits.
    /// </summary>
    private async Task RecordSentAsync()
    {
        var reader = _completions.Reader;
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            var batch = new List<Completion>();
            while (batch.Count < 1000 && reader.TryRead(out var completion)) batch.Add(completion);
            var sent = batch.SelectMany(c => c.Items.Select(item => (item, c.MessageIds))).ToList();
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await outbox.MarkSentAsync(sent, (c, t, rows) => deliveries.DeliveredAsync(c, t, rows, clock.GetUtcNow()),
                        deliveries.ScopeOfOutcomeAsync, CancellationToken.None);
                    foreach (var c in batch) c.Recorded.TrySetResult();
                    break;
                }
                catch (Exception ex) when (attempt < RecordAttempts)
                {
                    // Telegram has these: writing that down is worth a few tries before sending them again.
                    logger.LogWarning(ex, "Recording {Count} sent outbox rows failed (attempt {Attempt}); trying again", sent.Count, attempt);
                    await Task.Delay(Backoff.After(attempt, MaxBackoff), clock, CancellationToken.None);
                }
                catch (Exception ex)
                {
                    // Their sends give them back (GiveBackStrandedAsync): sent twice rather than never.
                    logger.LogError(ex, "Recording {Count} sent outbox rows failed; they will be sent again", sent.Count);
                    foreach (var c in batch) c.Recorded.TrySetException(ex);
                    break;
                }
            }
        }
    }

    private async Task SendAsync(OutboxItem item, CancellationToken ct)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["ChatId"] = item.ChatId, ["OutboxId"] = item.Id });
        IReadOnlyList<OutboxItem> carried = [item];
        try
        {
            IReadOnlyList<int> messageIds;
            var sentAt = clock.GetUtcNow();
            try
            {
                var payload = item.Payload;
                if (item.Mergeable) (carried, payload) = await MergeAsync(item, ct);
                if (item.TopicProjectId is { } projectId)
                {
                    var (thread, created) = await topics.EnsureAsync(item.ChatId, projectId, ct);
                    if (created) limits.Charge(item.ChatId, 1); // the topic's creation is a post in the group too
                    if (thread is { } id) payload = InTopic(payload, id);
                }
                limits.Charge(item.ChatId, OutboxStore.PostsOf(item.Method, payload) - 1); // an album is a post per photo
                sentAt = clock.GetUtcNow();
                messageIds = await messenger.SendAsync(item.Method, payload, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return; // stays pending; sent again after restart
            }
            catch (Exception ex)
            {
                // What rode along with the head goes back in line as it was; the head's own fate is decided below.
                await outbox.UnclaimAsync(carried.Where(c => c.Id != item.Id).Select(c => c.Id).ToList(), ct);
                await RecordFailureAsync(item, ex, sentAt, ct);
                return;
            }
            statistics.Sent();
            var recorded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await _completions.Writer.WriteAsync(new Completion(carried, messageIds, recorded), CancellationToken.None);
            await recorded.Task;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Chat {ChatId}: recording the result of outbox row {OutboxId} failed; it goes again", item.ChatId, item.Id);
            foreach (var row in carried) _toGiveBack.Enqueue(row.Id);
        }
    }

    /// <summary>Gives back the rows whose outcome could not be written, so they go again rather than never. Only those:
    /// the rows of sends still in flight stay taken.</summary>
    private async Task GiveBackStrandedAsync(CancellationToken ct)
    {
        if (_toGiveBack.IsEmpty) return;
        var ids = new List<long>();
        while (_toGiveBack.TryDequeue(out var id)) ids.Add(id);
        try
        {
            await outbox.UnclaimAsync(ids, ct);
        }
        catch
        {
            foreach (var id in ids) _toGiveBack.Enqueue(id);
            throw;
        }
    }

    /// <summary>
    /// Coalescing: the text relays queued right behind <paramref name="head"/> in its lane ride in the same post,
    /// up to Telegram's 4096 characters, so a burst costs one slot of the group's budget instead of one per message.
    /// Each text already starts with its sender and time.
    /// </summary>
    private async Task<(IReadOnlyList<OutboxItem> Carried, string Payload)> MergeAsync(OutboxItem head, CancellationToken ct)
    {
        var json = JsonNode.Parse(head.Payload)!.AsObject();
        var text = (string?)json["text"] ?? "";
        var entities = json["entities"]?.AsArray().Select(e => e!.DeepClone()).ToList() ?? [];
        var carried = new List<OutboxItem> { head };
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var followers = (await outbox.FollowersAsync(head, 100, ct)).TakeWhile(f => f.Mergeable && f.NotBefore <= now).ToList();
        // Taken like the head, so none of them is cancelled while it rides along; the merge stops at the first not taken.
        var claimed = await outbox.ClaimAsync(followers.Select(f => f.Id).ToList(), lease.Holder, ct);
        try
        {
            return Merged(head, json, text, entities, carried, followers, claimed);
        }
        finally
        {
            await outbox.UnclaimAsync(claimed.Where(id => carried.All(c => c.Id != id)).ToList(), CancellationToken.None);
        }
    }

    private static (IReadOnlyList<OutboxItem> Carried, string Payload) Merged(OutboxItem head, JsonObject json, string text, List<JsonNode> entities,
        List<OutboxItem> carried, IReadOnlyList<OutboxItem> followers, IReadOnlySet<long> claimed)
    {
        foreach (var next in followers)
        {
            if (!claimed.Contains(next.Id)) break;
            var body = JsonNode.Parse(next.Payload)!;
            var more = (string?)body["text"] ?? "";
            if (text.Length + 2 + more.Length > MessageContent.MaxText) break;
            // Formatting moves along with its text (offsets count UTF-16 code units, as C# strings do).
            var shift = text.Length + 2;
            foreach (var entity in body["entities"]?.AsArray() ?? [])
            {
                var moved = entity!.DeepClone();
                moved["offset"] = (int)moved["offset"]! + shift;
                entities.Add(moved);
            }
            text = $"{text}\n\n{more}";
            carried.Add(next);
        }
        if (carried.Count == 1) return (carried, head.Payload);
        json["text"] = text;
        if (entities.Count > 0) json["entities"] = new JsonArray([.. entities]);
        return (carried, json.ToJsonString());
    }

    private static string InTopic(string payload, int threadId)
    {
        var json = JsonNode.Parse(payload)!.AsObject();
        json["message_thread_id"] = threadId;
        return json.ToJsonString();
    }

    private async Task RecordFailureAsync(OutboxItem item, Exception ex, DateTimeOffset sentAt, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        // Removed from the staff chat, or without the right to post there: its queue waits instead of failing.
        var loss = ex is ApiRequestException { ErrorCode: 400 or 403 } refusal && LosesTheChat(refusal)
            ? await database.WriteAsync((c, t) => deliveries.ChatLostAsync(c, t, item.ChatId, refusal.Message, sentAt), ct)
            : ChatLoss.NotLost;
        switch (ex)
        {
            case ApiRequestException { ErrorCode: 429 } tooMany:
                var retryAfter = TimeSpan.FromSeconds(tooMany.Parameters?.RetryAfter ?? 5);
                statistics.TooManyRequests(now);
                logger.LogWarning("Chat {ChatId}: 429 from Telegram, pausing the chat for {RetryAfter}", item.ChatId, retryAfter);
                _pausedUntil[item.ChatId] = now + retryAfter;
                await outbox.PauseChatAsync(item.ChatId, now + retryAfter, ct);
                await outbox.RescheduleAsync(item, now + retryAfter, tooMany.Message, countAttempt: false, ct);
                break;
            case ApiRequestException { ErrorCode: 400 } topic when item.TopicProjectId is { } projectId && item.Attempts < MaxTopicRecreations
                && (topic.Message.Contains("thread not found", StringComparison.OrdinalIgnoreCase) || topic.Message.Contains("TOPIC_CLOSED", StringComparison.OrdinalIgnoreCase)):
                // Someone deleted the project's topic (forget it: the retry creates a new one) or closed it while the
                // client still writes (open it again). Either way the retry posts there.
                var deleted = topic.Message.Contains("thread not found", StringComparison.OrdinalIgnoreCase);
                logger.LogWarning("Chat {ChatId}: the topic of project {ProjectId} is {State}; {Repair} it", item.ChatId, projectId,
                    deleted ? "gone" : "closed", deleted ? "creating" : "reopening");
                await (deleted ? topics.ForgetAsync(item.ChatId, projectId, ct) : topics.ReopenAsync(item.ChatId, projectId, ct));
                await outbox.RescheduleAsync(item, now, topic.Message, countAttempt: true, ct);
                break;
            case ApiRequestException { ErrorCode: 400, Parameters.MigrateToChatId: { } newChatId }:
                // The group became a supergroup (we missed or have not yet handled the update saying so): the chat's
                // queue, this row included, follows it to its new id and goes again.
                logger.LogWarning("Chat {ChatId} is now supergroup {NewChatId}; its queue follows", item.ChatId, newChatId);
                await outbox.UnclaimAsync([item.Id], ct);
                await database.WriteAsync((c, t) => migrations.MigrateAsync(c, t, item.ChatId, newChatId), ct);
                break;
            case ApiRequestException { ErrorCode: 400 } same when same.Message.Contains("message is not modified", StringComparison.OrdinalIgnoreCase):
                // An edit to what the message already says: Telegram has it as wanted.
                logger.LogInformation("Chat {ChatId}: outbox row {OutboxId} ({Method}) changed nothing; done", item.ChatId, item.Id, item.Method);
                await outbox.MarkSentAsync([(item, [])], (c, t, rows) => deliveries.DeliveredAsync(c, t, rows, now), deliveries.ScopeOfOutcomeAsync, ct);
                break;
            case ApiRequestException stale when loss == ChatLoss.Stale:
                // Refused before the bot was let back in: it goes again at once.
                logger.LogInformation("Chat {ChatId}: outbox row {OutboxId} was refused before the bot was back; sending it again", item.ChatId, item.Id);
                await outbox.RescheduleAsync(item, now, stale.Message, countAttempt: false, ct);
                break;
            case ApiRequestException lost when loss == ChatLoss.Lost:
                // The staff chat is gone or the bot may not post there: nothing fails, everything for it waits and is
                // tried again now and then; it all goes out once the bot is back.
                statistics.TransientFailure();
                var probe = now + LostChatProbe(item);
                logger.LogWarning("Chat {ChatId}: the bot cannot post here ({Description}); its queue waits until {Probe:O}", item.ChatId, lost.Message, probe);
                await outbox.PauseChatAsync(item.ChatId, probe, ct);
                await outbox.RescheduleAsync(item, probe, lost.Message, countAttempt: false, ct);
                break;
            case ApiRequestException { ErrorCode: 403 } forbidden:
                statistics.Failed();
                logger.LogWarning("Chat {ChatId}: Telegram refused with 403 ({Description}); chat marked blocked", item.ChatId, forbidden.Message);
                await outbox.MarkBlockedAsync(item.Id, item.ChatId, forbidden.Message,
                    (c, t) => deliveries.ChatBlockedAsync(c, t, item.ChatId), (c, t) => deliveries.RefusedAsync(c, t, item, forbidden.Message), ct);
                break;
            case ApiRequestException { ErrorCode: >= 400 and < 500 } refused:
                statistics.Failed();
                logger.LogWarning("Chat {ChatId}: Telegram refused outbox row {OutboxId} ({Method}) with {ErrorCode}: {Description}",
                    item.ChatId, item.Id, item.Method, refused.ErrorCode, refused.Message);
                await outbox.MarkFailedAsync(item, $"{refused.ErrorCode}: {refused.Message}", (c, t) => deliveries.RefusedAsync(c, t, item, refused.Message),
                    deliveries.ScopeOfOutcomeAsync, ct);
                break;
            case NotSupportedException or System.Text.Json.JsonException:
                statistics.Failed();
                logger.LogError(ex, "Outbox row {OutboxId} cannot be sent", item.Id);
                await outbox.MarkFailedAsync(item, ex.Message, (c, t) => deliveries.RefusedAsync(c, t, item, ex.Message), deliveries.ScopeOfOutcomeAsync, ct);
                break;
            default:
                // 5xx, network errors, timeouts: Telegram may be back soon.
                statistics.TransientFailure();
                var backoff = Backoff.After((int)item.Attempts + 1, MaxBackoff);
                logger.LogWarning(ex, "Chat {ChatId}: sending outbox row {OutboxId} failed; retrying in {Backoff}", item.ChatId, item.Id, backoff);
                await outbox.RescheduleAsync(item, now + backoff, ex.Message, countAttempt: true, ct);
                break;
        }
    }

    /// <summary>Refusals that mean the bot cannot post in the chat at all: removed from it, or without the right to.</summary>
    private static bool LosesTheChat(ApiRequestException refusal) =>
        refusal.ErrorCode == 403
        || new[] { "not enough rights", "CHAT_WRITE_FORBIDDEN", "chat not found", "need administrator rights", "CHAT_ADMIN_REQUIRED", "have no rights" }
            .Any(text => refusal.Message.Contains(text, StringComparison.OrdinalIgnoreCase));

    /// <summary>How long a lost chat's queue waits before the next try: half of how long the row has waited, between
    /// 5 seconds and 5 minutes (the bot's return usually says so itself, with a my_chat_member update).</summary>
    private TimeSpan LostChatProbe(OutboxItem item)
    {
        var waited = clock.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(item.CreatedAt);
        return TimeSpan.FromTicks(Math.Clamp(waited.Ticks / 2, TimeSpan.FromSeconds(5).Ticks, TimeSpan.FromMinutes(5).Ticks));
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
