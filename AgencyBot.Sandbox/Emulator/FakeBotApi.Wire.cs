using System.Text.Json.Nodes;

namespace AgencyBot.Sandbox;

/// <summary>The Bot API methods the bot calls, answered in the real wire format.</summary>
public sealed partial class FakeBotApi
{
    // ---------- the wire ----------

    /// <summary>A text message from a private chat as the JSON body Telegram posts to a webhook (for driving hosts in
    /// webhook mode, where nothing is polled from this server).</summary>
    public static string WebhookTextUpdate(int updateId, long chat, string text) => new JsonObject
    {
        ["update_id"] = updateId,
        ["message"] = new JsonObject
        {
            ["message_id"] = updateId, ["date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["text"] = text,
            ["chat"] = new JsonObject { ["id"] = chat, ["type"] = "private", ["first_name"] = "Ann" },
            ["from"] = new JsonObject { ["id"] = chat, ["is_bot"] = false, ["first_name"] = "Ann" },
        },
    }.ToJsonString();

    /// <summary>The emoji Telegram accepts as a reaction (Bot API, ReactionTypeEmoji).</summary>
    private static readonly HashSet<string> ReactionEmoji =
    [
        "👍", "👎", "❤", "🔥", "🥰", "👏", "😁", "🤔", "🤯", "😱", "🤬", "😢", "🎉", "🤩", "🤮", "💩", "🙏", "👌", "🕊", "🤡", "🥱", "🥴", "😍", "🐳",
        "❤‍🔥", "🌚", "🌭", "💯", "🤣", "⚡", "🍌", "🏆", "💔", "🤨", "😐", "🍓", "🍾", "💋", "🖕", "😈", "😴", "😭", "🤓", "👻", "👨‍💻", "👀", "🎃",
        "🙈", "😇", "😨", "🤝", "✍", "🤗", "🫡", "🎅", "🎄", "☃", "💅", "🤪", "🗿", "🆒", "💘", "🙉", "🦄", "😘", "💊", "🙊", "😎", "👾", "🤷‍♂", "🤷",
        "🤷‍♀", "😡",
    ];

    private async Task DownloadAsync(HttpContext http, string token, string path)
    {
        byte[]? content;
        var fileId = Path.GetFileNameWithoutExtension(path);
        lock (_lock) content = token == Token ? _files.GetValueOrDefault(fileId) : null;
        if (content is null)
        {
            http.Response.StatusCode = 404;
            return;
        }
        await http.Response.Body.WriteAsync(content);
    }

    private async Task HandleAsync(HttpContext http, string token, string method)
    {
        if (token != Token)
        {
            await Error(http, 401, "Unauthorized");
            return;
        }
        var body = await ReadBodyAsync(http.Request);
        var request = new BotRequest(method, body, DateTimeOffset.UtcNow);
        FaultRule? fault;
        lock (_lock)
        {
            _requests.Add(request);
            // A chat told to retry after N seconds must not be written to before then.
            if (request.ChatId is { } target && _retryUntil.TryGetValue(target, out var until) && request.At < until - Slack
                && method.StartsWith("send", StringComparison.OrdinalIgnoreCase) | method.StartsWith("copy", StringComparison.OrdinalIgnoreCase))
                EarlySends++;
            fault = _faults.FirstOrDefault(f => f.Remaining > 0 && f.Matches(method, request.ChatId));
            if (fault is not null && --fault.Remaining == 0 && fault.Hang is null) _faults.Remove(fault);
        }
        if (fault?.Hang is { } hang)
        {
            try { await hang.Task.WaitAsync(http.RequestAborted); }
            catch (OperationCanceledException) { return; }
        }
        if (fault?.Delay is { } delay && delay > TimeSpan.Zero)
        {
            try { await Task.Delay(delay, http.RequestAborted); }
            catch (OperationCanceledException) { return; }
        }
        if (fault?.Status is { } status)
        {
            if (status == 429 && fault.RetryAfter is { } after)
                lock (_lock)
                {
                    TooManyServed++;
                    _retryUntil[request.ChatId ?? 0] = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(after);
                }
            await Error(http, status, fault.Description, fault.RetryAfter);
            return;
        }

        switch (method.ToLowerInvariant())
        {
            case "getme":
                await Ok(http, BotUserJson(withCapabilities: true));
                break;
            case "getupdates":
                await GetUpdatesAsync(http, body);
                break;
            case "answercallbackquery":
                // The presser's app shows the text as a pop-up over the chat the button was pressed in.
                lock (_lock)
                    if ((string?)body["callback_query_id"] is { } query && _presses.Remove(query, out var where) && (string?)body["text"] is { Length: > 0 } popup)
                        AddToTimeline(new ChatEntry(0, ChatEntryKind.Popup, where.Chat, where.Thread, 0, "Agency Bot", true, popup, null, null, null, _clock.GetUtcNow()));
                await Ok(http, true);
                break;
            case "setwebhook":
                lock (_lock)
                {
                    WebhookUrl = (string?)body["url"] is { Length: > 0 } url ? url : null;
                    WebhookMaxConnections = (int?)body["max_connections"] ?? 40;
                    if ((bool?)body["drop_pending_updates"] == true) _unconfirmed.Clear();
                    // A long poll under way ends now (GetUpdatesAsync answers it 409, as Telegram does).
                    WakePolls();
                }
                await Ok(http, true);
                break;
            case "deletewebhook":
                lock (_lock)
                {
                    WebhookUrl = null;
                    if ((bool?)body["drop_pending_updates"] == true) _unconfirmed.Clear();
                }
                await Ok(http, true);
                break;
            case "setmycommands" or "deletemycommands" or "answerinlinequery":
                await Ok(http, true);
                break;
            case "setmessagereaction":
                // As Telegram: only emoji of its reaction list (✅ is not one of them).
                var emoji = body["reaction"] is JsonArray list ? list.Select(r => (string?)r?["emoji"]).ToList() : [];
                if (emoji.Any(e => e is null || !ReactionEmoji.Contains(e)))
                {
                    await Error(http, 400, "Bad Request: REACTION_INVALID");
                    break;
                }
                lock (_lock)
                    AddToTimeline(new ChatEntry(0, ChatEntryKind.Reaction, request.ChatId ?? 0, null, (int)(Number(body["message_id"]) ?? 0), "Agency Bot", true,
                        string.Concat(emoji), null, null, null, _clock.GetUtcNow()));
                await Ok(http, true);
                break;
            case "getfile":
                // As Telegram: the file's path to download it from, for files up to 20 MB.
                byte[]? stored;
                var fileId = (string?)body["file_id"] ?? "";
                lock (_lock) stored = _files.GetValueOrDefault(fileId);
                if (stored is null)
                {
                    await Error(http, 400, "Bad Request: invalid file_id");
                    break;
                }
                await Ok(http, new JsonObject
                {
                    ["file_id"] = fileId, ["file_unique_id"] = fileId[^12..], ["file_size"] = stored.Length, ["file_path"] = $"documents/{fileId}.csv",
                });
                break;
            case "getchat":
                var full = ChatJson(request.ChatId ?? 0, "Client");
                full["accent_color_id"] = 0;
                full["max_reaction_count"] = 11;
                await Ok(http, full);
                break;
            case "sendmessage":
                if (await RefusedAsync(http, request)) break;
                await SendMessageAsync(http, request);
                break;
            case "copymessage":
                if (await RefusedAsync(http, request)) break;
                if (((string?)body["caption"])?.Length > 1024)
                {
                    await Error(http, 400, "Bad Request: message caption is too long");
                    break;
                }
                await Ok(http, new JsonObject { ["message_id"] = Record(request) });
                break;
            case "copymessages":
                if (await RefusedAsync(http, request)) break;
                var ids = body["message_ids"]?.AsArray().Select(_ => (JsonNode)new JsonObject { ["message_id"] = Record(request) }).ToArray() ?? [];
                await Ok(http, new JsonArray(ids));
                break;
            case "sendphoto" or "senddocument" or "sendvideo" or "sendvoice" or "sendsticker" or "sendaudio":
                await Ok(http, MessageJson(request, Record(request)));
                break;
            case "editmessagetext" or "editmessagecaption":
                if (await RefusedEditAsync(http, request)) break;
                lock (_lock)
                {
                    _edits.Add(request);
                    AddToTimeline(BotEntry(request, (int?)body["message_id"] ?? 0, ChatEntryKind.Edit));
                }
                await Ok(http, MessageJson(request, (int?)body["message_id"] ?? 0));
                break;
            case "deletemessage":
                var target = (request.ChatId ?? 0, (int?)body["message_id"] ?? 0);
                bool deletable;
                lock (_lock) deletable = _sent.Any(m => m.ChatId == target.Item1 && m.MessageId == target.Item2) && _deleted.Add(target);
                if (deletable) await Ok(http, true);
                else await Error(http, 400, "Bad Request: message to delete not found");
                break;
            case "reopenforumtopic":
                lock (_lock) _closedTopics.Remove((request.ChatId ?? 0, (int?)body["message_thread_id"] ?? 0));
                await Ok(http, true);
                break;
            case "createforumtopic":
                var topicChat = request.ChatId ?? 0;
                // Creating a topic posts a service message into the group: it counts against the group's limit.
                if (_enforceLimits && OverLimit(topicChat, request.At) is { } topicRetry)
                {
                    await Error(http, 429, $"Too Many Requests: retry after {topicRetry}", topicRetry);
                    break;
                }
                if (await BotRemovedAsync(http, request)) break;
                if (!_chats.TryGetValue(topicChat, out var forum) || !forum.IsForum)
                {
                    await Error(http, 400, "Bad Request: the chat is not a forum");
                    break;
                }
                var threadId = Interlocked.Increment(ref _nextThreadId);
                lock (_lock)
                {
                    _topics[(topicChat, threadId)] = (string?)body["name"] ?? "";
                    AddToTimeline(new ChatEntry(0, ChatEntryKind.Topic, topicChat, threadId, 0, "Agency Bot", true, (string?)body["name"], null, null, null, _clock.GetUtcNow()));
                }
                await Ok(http, new JsonObject { ["message_thread_id"] = threadId, ["name"] = (string?)body["name"], ["icon_color"] = 7322096 });
                break;
            default:
                await Error(http, 404, "Not Found: method not found");
                break;
        }
    }

    private async Task<bool> BotRemovedAsync(HttpContext http, BotRequest request)
    {
        string? removed;
        lock (_lock) removed = request.ChatId is { } chat && _botRemoved.TryGetValue(chat, out var why) ? why : null;
        if (removed is null) return false;
        await Error(http, removed.StartsWith("Forbidden", StringComparison.Ordinal) ? 403 : 400, removed);
        return true;
    }

    /// <summary>An edit Telegram would refuse: of a message the bot did not send in that chat (or that was deleted), or
    /// one that changes nothing.</summary>
    private async Task<bool> RefusedEditAsync(HttpContext http, BotRequest request)
    {
        var chatId = request.ChatId ?? 0;
        var messageId = (int?)request.Body["message_id"] ?? 0;
        string? current;
        bool exists;
        lock (_lock)
        {
            exists = !_deleted.Contains((chatId, messageId)) && _sent.Any(m => m.ChatId == chatId && m.MessageId == messageId);
            current = _edits.LastOrDefault(e => e.ChatId == chatId && (int?)e.Body["message_id"] == messageId)?.Text
                ?? _sent.LastOrDefault(m => m.ChatId == chatId && m.MessageId == messageId)?.Text;
        }
        if (!exists)
        {
            await Error(http, 400, "Bad Request: message to edit not found");
            return true;
        }
        if (current == request.Text)
        {
            await Error(http, 400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message");
            return true;
        }
        return false;
    }

    /// <summary>Edits the bot made (editMessageText, editMessageCaption), in order.</summary>
    public IReadOnlyList<BotRequest> Edits { get { lock (_lock) return _edits.ToList(); } }

    /// <summary>Messages the bot deleted: (chat, message id).</summary>
    public IReadOnlySet<(long Chat, int Message)> Deleted { get { lock (_lock) return _deleted.ToHashSet(); } }

    /// <summary>Refusals Telegram itself would give: a group that became a supergroup, too many posts, a post into a
    /// deleted topic.</summary>
    private async Task<bool> RefusedAsync(HttpContext http, BotRequest request)
    {
        if (await BotRemovedAsync(http, request)) return true;
        long? upgradedTo;
        lock (_lock) upgradedTo = request.ChatId is { } old && _migrated.TryGetValue(old, out var to) ? to : null;
        if (upgradedTo is { } newChatId)
        {
            await Error(http, 400, "Bad Request: group chat was upgraded to a supergroup chat", migrateTo: newChatId);
            return true;
        }
        // Telegram counts an album as a post per photo.
        var posts = request.Body["message_ids"] is JsonArray ids ? Math.Max(1, ids.Count) : 1;
        if (_enforceLimits && OverLimit(request.ChatId ?? 0, request.At, posts) is { } retryAfter)
        {
            await Error(http, 429, $"Too Many Requests: retry after {retryAfter}", retryAfter);
            return true;
        }
        if (request.ThreadId is { } thread && request.ChatId is { } chat)
        {
            bool deleted, closed;
            lock (_lock)
            {
                deleted = _deletedTopics.Contains((chat, thread));
                closed = _closedTopics.Contains((chat, thread));
            }
            if (deleted || closed)
            {
                await Error(http, 400, deleted ? "Bad Request: message thread not found" : "Bad Request: TOPIC_CLOSED");
                return true;
            }
        }
        return false;
    }

    private async Task SendMessageAsync(HttpContext http, BotRequest request)
    {
        var text = request.Text;
        if (string.IsNullOrEmpty(text))
        {
            await Error(http, 400, "Bad Request: message text is empty");
            return;
        }
        if (text.Length > 4096)
        {
            await Error(http, 400, "Bad Request: message is too long");
            return;
        }
        var posted = Record(request);
        // The message is in the chat for everyone to see; only the answer telling the bot its id is slow.
        TimeSpan slow;
        lock (_lock) slow = request.ChatId is { } chat && _slowAnswers.TryGetValue(chat, out var delay) ? delay : TimeSpan.Zero;
        if (slow > TimeSpan.Zero)
        {
            try { await Task.Delay(slow, http.RequestAborted); }
            catch (OperationCanceledException) { return; }
        }
        await Ok(http, MessageJson(request, posted));
    }

    /// <summary>From now on sendMessage to <paramref name="chatId"/> posts at once but answers the bot only after
    /// <paramref name="delay"/> (a slow network back from Telegram): people see the post before the bot knows its id.</summary>
    public void AnswerSlowly(long chatId, TimeSpan delay)
    {
        lock (_lock) _slowAnswers[chatId] = delay;
    }

    private int Record(BotRequest request)
    {
        lock (_lock)
        {
            var chatId = request.ChatId ?? 0;
            var id = _nextMessageId[chatId] = _nextMessageId.GetValueOrDefault(chatId, 1) + 1;
            _sent.Add(new SentMessage(request, id));
            _sentChanged.TrySetResult();
            _sentChanged = NewSignal();
            var upload = request.Method.Equals("sendPhoto", StringComparison.OrdinalIgnoreCase) && (string?)request.Body["photo"] is { } base64
                && !base64.StartsWith("http", StringComparison.Ordinal) ? Convert.FromBase64String(base64) : null;
            AddToTimeline(BotEntry(request, id, ChatEntryKind.Message, upload is null ? null : "upload"), upload);
            return id;
        }
    }

    private async Task GetUpdatesAsync(HttpContext http, JsonObject body)
    {
        var offset = (long?)body["offset"];
        var limit = Math.Clamp((int?)body["limit"] ?? 100, 1, 100);
        var timeout = TimeSpan.FromSeconds((int?)body["timeout"] ?? 0);
        var deadline = DateTimeOffset.UtcNow + timeout;
        bool webhookSet;
        lock (_lock) webhookSet = WebhookUrl is not null;
        if (webhookSet)
        {
            // Telegram's words, and nothing is handed out or confirmed.
            await Error(http, 409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
            return;
        }
        int mine;
        lock (_lock)
        {
            // One poll at a time per bot: this one ends any still waiting (Telegram's answer to two bot instances).
            mine = ++GetUpdatesCalls;
            WakePolls();
        }
        while (true)
        {
            Task arrived;
            List<JsonNode> batch = [];
            string? terminated;
            lock (_lock)
            {
                // A webhook set, or a newer poll, while this poll waited ends it, handing out and confirming nothing.
                terminated = WebhookUrl is not null ? "Conflict: terminated by setWebhook request"
                    : GetUpdatesCalls != mine ? "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
                    : null;
                if (terminated is null)
                {
                    LastOffset = offset;
                    // An offset confirms every update below it; those are gone for good.
                    if (offset is { } confirmed) _unconfirmed.RemoveAll(u => (int)u["update_id"]! < confirmed);
                    batch = _unconfirmed.Where(u => offset is null || (int)u["update_id"]! >= offset)
                        .OrderBy(u => (int)u["update_id"]!).Take(limit).Select(u => u.DeepClone()).ToList();
                    // Duplicates are handed out once per call; the next offset confirms them all.
                }
                arrived = _updatesArrived.Task;
            }
            if (terminated is not null)
            {
                if (!http.RequestAborted.IsCancellationRequested) await Error(http, 409, terminated);
                return;
            }
            if (batch.Count > 0 || DateTimeOffset.UtcNow >= deadline)
            {
                await Ok(http, new JsonArray(batch.ToArray()));
                return;
            }
            var left = deadline - DateTimeOffset.UtcNow;
            if (left <= TimeSpan.Zero) continue;
            try
            {
                await arrived.WaitAsync(left, http.RequestAborted);
            }
            catch (TimeoutException)
            {
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
