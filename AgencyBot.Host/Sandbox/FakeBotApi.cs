using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting.Server;

namespace AgencyBot.Host.Sandbox;

/// <summary>A request the bot made, as the fake server received it.</summary>
public sealed record BotRequest(string Method, JsonObject Body, DateTimeOffset At)
{
    public long? ChatId => Body["chat_id"] is JsonValue v && v.TryGetValue<long>(out var id) ? id
        : Body["chat_id"] is JsonValue s && long.TryParse(s.ToString(), out var parsed) ? parsed : null;
    public string? Text => (string?)Body["text"] ?? (string?)Body["caption"];
    public int? ThreadId => (int?)Body["message_thread_id"];
}

/// <summary>A message the bot created (sendMessage, copyMessage, ...), with the id the fake assigned.</summary>
public sealed record SentMessage(BotRequest Request, int MessageId)
{
    public string Method => Request.Method;
    public long ChatId => Request.ChatId ?? 0;
    public string? Text => Request.Text;
    public int? ThreadId => Request.ThreadId;
    public DateTimeOffset At => Request.At;
}

/// <summary>
/// The Bot API emulator: the tests, the benchmark and (next) the sandbox page use this one server.
/// A Telegram Bot API server on 127.0.0.1 speaking the real wire format, so the real Telegram.Bot client
/// talks to it unmodified: <c>{"ok":true,"result":…}</c> or <c>{"ok":false,"error_code":…,"description":…,
/// "parameters":{"retry_after":…}}</c>, Unix-second dates, getUpdates with offset confirmation, redelivery of
/// unconfirmed updates and long polling. Tests act as clients or staff through <see cref="ClientSends"/> and
/// friends, and inject faults with <see cref="Fail"/>, <see cref="Hang"/> and <see cref="Delay"/>.
/// </summary>
public enum ChatEntryKind { Message, Edit, Topic }

/// <summary>One thing that appeared in a chat. <see cref="Photo"/> is "upload" for a photo the bot uploaded (its bytes:
/// <see cref="FakeBotApi.PhotoOf"/>), or the file id of a photo a person sent (or a copy of one).</summary>
public sealed record ChatEntry(int Seq, ChatEntryKind Kind, long ChatId, int? ThreadId, int MessageId, string From, bool FromBot,
    string? Text, string? ParseMode, JsonNode? Keyboard, string? Photo, DateTimeOffset At);

public sealed class FakeBotApi : IAsyncDisposable
{
    public const string Token = "123456:TEST-TOKEN";
    public const long BotId = 123456;
    public const string BotUsername = "agency_test_bot";

    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private readonly List<JsonObject> _unconfirmed = [];
    private readonly List<BotRequest> _requests = [];
    private readonly List<SentMessage> _sent = [];
    private readonly List<FaultRule> _faults = [];
    private readonly Dictionary<long, int> _nextMessageId = [];
    private readonly ConcurrentDictionary<long, ChatInfo> _chats = new();
    private TaskCompletionSource _updatesArrived = NewSignal();
    private TaskCompletionSource _sentChanged = NewSignal();
    private readonly Dictionary<(long Chat, int Thread), string> _topics = [];
    private readonly HashSet<(long Chat, int Thread)> _deletedTopics = [];
    private readonly HashSet<(long Chat, int Thread)> _closedTopics = [];
    private readonly Dictionary<long, List<DateTimeOffset>> _postsByChat = [];
    private readonly List<DateTimeOffset> _allPosts = [];
    private readonly Dictionary<long, DateTimeOffset> _retryUntil = [];
    private readonly List<ChatEntry> _timeline = [];
    private readonly Dictionary<(long Chat, int Message), string?> _userTexts = [];
    private readonly Dictionary<(long Chat, int Message), string> _userPhotos = [];
    private readonly Dictionary<(long Chat, int Message), JsonNode> _userMessages = [];
    private readonly Dictionary<int, byte[]> _uploads = [];
    private readonly Dictionary<long, long> _migrated = [];
    private readonly Dictionary<long, string> _botRemoved = [];
    private readonly Dictionary<long, TimeSpan> _slowAnswers = [];
    private readonly List<BotRequest> _edits = [];
    private readonly HashSet<(long Chat, int Message)> _deleted = [];
    private TaskCompletionSource _timelineChanged = NewSignal();
    private bool _enforceLimits;
    private int _nextUpdateId = 100_000;
    private int _nextThreadId = 1000;

    private readonly TimeProvider _clock;

    private FakeBotApi(WebApplication app, TimeProvider clock)
    {
        _app = app;
        _clock = clock;
    }

    public string BaseUrl { get; private set; } = "";

    /// <summary>The offset of the most recent getUpdates call (what the bot confirmed).</summary>
    public long? LastOffset { get; private set; }

    public int GetUpdatesCalls { get; private set; }

    /// <param name="clock">Where message dates come from (a fake clock in tests that move time).</param>
    public static async Task<FakeBotApi> StartAsync(TimeProvider? clock = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new FakeBotApi(app, clock ?? TimeProvider.System);
        app.Map("/bot{token}/{method}", fake.HandleAsync);
        await app.StartAsync();
        fake.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        ReleaseHangs();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    // ---------- acting as Telegram users ----------

    public sealed record ChatInfo(long Id, string Type, string? Title, bool IsForum);

    /// <summary>A basic group becomes a supergroup with a new id, as Telegram does it: from now on the old id is refused
    /// with 400 and parameters.migrate_to_chat_id. The two service messages that announce it are the test's to send
    /// (<see cref="MigrationMessages"/>), in whichever order it wants.</summary>
    public void UpgradeGroup(long from, long to, string title, bool isForum = false)
    {
        DefineGroup(to, title, isForum);
        lock (_lock) _migrated[from] = to;
    }

    /// <summary>The service messages of an upgrade: migrate_to_chat_id in the old group, migrate_from_chat_id in the new
    /// supergroup (update bodies for <see cref="EnqueueUpdate"/>).</summary>
    public (JsonObject InOldGroup, JsonObject InNewSupergroup) MigrationMessages(long from, long to, long userId, string firstName)
    {
        var old = NewMessage(from, userId, firstName, null, null);
        old["migrate_to_chat_id"] = to;
        var @new = NewMessage(to, userId, firstName, null, null);
        @new["migrate_from_chat_id"] = from;
        return (new JsonObject { ["message"] = old }, new JsonObject { ["message"] = @new });
    }

    /// <summary>Someone removes the bot from a group (or takes away its right to post): every post there is refused, as
    /// Telegram refuses it, until <see cref="RestoreBot"/>. Telegram also sends my_chat_member updates
    /// (<see cref="BotMembership"/>), which are the test's to send.</summary>
    public void RemoveBot(long chatId, string description = "Forbidden: bot was kicked from the supergroup chat")
    {
        lock (_lock) _botRemoved[chatId] = description;
    }

    public void RestoreBot(long chatId)
    {
        lock (_lock) _botRemoved.Remove(chatId);
    }

    /// <summary>A my_chat_member update: the bot's status in a chat changed to <paramref name="status"/>
    /// (member, administrator, left, kicked).</summary>
    public JsonObject BotMembership(long chatId, string status, long byUserId)
    {
        var bot = BotUserJson();
        var member = new JsonObject { ["status"] = status, ["user"] = bot.DeepClone() };
        if (status == "administrator")
            foreach (var right in new[] { "can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
                         "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories", "can_delete_stories", "can_manage_topics" })
                member[right] = right is "can_manage_chat" or "can_delete_messages" or "can_manage_topics";
        if (status == "kicked") member["until_date"] = 0;
        return new JsonObject
        {
            ["my_chat_member"] = new JsonObject
            {
                ["chat"] = ChatJson(chatId, null), ["from"] = new JsonObject { ["id"] = byUserId, ["is_bot"] = false, ["first_name"] = "Admin" },
                ["date"] = Now(), ["old_chat_member"] = new JsonObject { ["status"] = "member", ["user"] = bot.DeepClone() }, ["new_chat_member"] = member,
            },
        };
    }

    /// <summary>Declares a group or supergroup so messages in it carry the right chat type and title.</summary>
    public void DefineGroup(long chatId, string title, bool isForum = false, string type = "supergroup") =>
        _chats[chatId] = new ChatInfo(chatId, type, title, isForum);

    /// <summary>A client (or anyone) writes a text message to the bot; returns the update_id.</summary>
    /// <param name="quote">The part of the replied-to message the sender quoted (Telegram's reply quote).</param>
    public int ClientSends(long chatId, string text, long? userId = null, string firstName = "Client", string? languageCode = "en",
        int? threadId = null, int? replyToMessageId = null, string? quote = null)
    {
        var message = NewMessage(chatId, userId ?? chatId, firstName, languageCode, threadId);
        message["text"] = text;
        if (text.StartsWith('/'))
        {
            var length = text.IndexOf(' ') is var space and > 0 ? space : text.Length;
            message["entities"] = new JsonArray(new JsonObject { ["type"] = "bot_command", ["offset"] = 0, ["length"] = length });
        }
        if (replyToMessageId is { } replyTo)
        {
            // The message replied to, as Telegram includes it (without its own reply_to_message): a person's own message
            // as they sent it, or else one of the bot's.
            JsonObject? theirs;
            string? botText;
            lock (_lock)
            {
                theirs = _userMessages.GetValueOrDefault((chatId, replyTo))?.DeepClone().AsObject();
                botText = theirs is null ? _sent.LastOrDefault(m => m.ChatId == chatId && m.MessageId == replyTo)?.Text : null;
            }
            theirs?.Remove("reply_to_message");
            var replied = theirs ?? new JsonObject { ["message_id"] = replyTo, ["date"] = Now(), ["chat"] = ChatJson(chatId, null), ["from"] = BotUserJson() };
            if (botText is not null) replied["text"] = botText;
            message["reply_to_message"] = replied;
            // Outside forums, Telegram threads a supergroup's replies too: message_thread_id is the reply chain's root,
            // and there is no is_topic_message.
            if (threadId is null && _chats.TryGetValue(chatId, out var group) && group.Type == "supergroup" && !group.IsForum)
                message["message_thread_id"] = (int?)replied["message_thread_id"] ?? replyTo;
        }
        else if (threadId is { } topic && _chats.TryGetValue(chatId, out var forum) && forum.IsForum)
        {
            // A message in a topic that replies to nothing points at the topic's creation message.
            message["reply_to_message"] = new JsonObject
            {
                ["message_id"] = topic, ["date"] = Now(), ["chat"] = ChatJson(chatId, null), ["from"] = BotUserJson(),
                ["message_thread_id"] = topic, ["is_topic_message"] = true,
                ["forum_topic_created"] = new JsonObject { ["name"] = TopicName(chatId, topic), ["icon_color"] = 7322096 },
            };
        }
        if (quote is not null) message["quote"] = new JsonObject { ["text"] = quote, ["position"] = 0, ["is_manual"] = true };
        return EnqueueUpdate(new JsonObject { ["message"] = message });
    }

    /// <summary>A client sends media: photo, document, voice, video, video_note, sticker, location or contact.
    /// Returns the message_id it got in its chat.</summary>
    public int ClientSendsMedia(long chatId, string kind, string? caption = null, string? mediaGroupId = null, long? userId = null,
        string firstName = "Client", int? threadId = null)
    {
        var message = NewMessage(chatId, userId ?? chatId, firstName, "en", threadId);
        var file = new JsonObject { ["file_id"] = $"{kind}-{Guid.NewGuid():N}", ["file_unique_id"] = Guid.NewGuid().ToString("N")[..12] };
        message[kind] = kind switch
        {
            "photo" => new JsonArray(new JsonObject { ["file_id"] = file["file_id"]!.GetValue<string>(), ["file_unique_id"] = "p1", ["width"] = 800, ["height"] = 600 }),
            "voice" or "audio" => Merge(file, new JsonObject { ["duration"] = 3 }),
            "video" => Merge(file, new JsonObject { ["width"] = 640, ["height"] = 480, ["duration"] = 5 }),
            "video_note" => Merge(file, new JsonObject { ["length"] = 240, ["duration"] = 4 }),
            "sticker" => Merge(file, new JsonObject { ["type"] = "regular", ["width"] = 512, ["height"] = 512, ["is_animated"] = false, ["is_video"] = false }),
            "location" => new JsonObject { ["latitude"] = 48.8566, ["longitude"] = 2.3522 },
            "contact" => new JsonObject { ["phone_number"] = "+33100000000", ["first_name"] = "Jean" },
            _ => file,
        };
        if (caption is not null) message["caption"] = caption;
        if (mediaGroupId is not null) message["media_group_id"] = mediaGroupId;
        EnqueueUpdate(new JsonObject { ["message"] = message });
        return (int)message["message_id"]!;
    }

    /// <summary>Like <see cref="ClientSends"/> but returns the message_id (for edits and replies).</summary>
    public int ClientSendsReturningId(long chatId, string text, long? userId = null, string firstName = "Client", int? threadId = null, int? replyToMessageId = null)
    {
        var updateId = ClientSends(chatId, text, userId, firstName, "en", threadId, replyToMessageId);
        lock (_lock) return (int)_unconfirmed.Last(u => (int)u["update_id"]! == updateId)["message"]!["message_id"]!;
    }

    /// <summary>The client edits one of their messages.</summary>
    public int ClientEdits(long chatId, int messageId, string newText, long? userId = null, string firstName = "Client")
    {
        var message = NewMessage(chatId, userId ?? chatId, firstName, "en", null);
        message["message_id"] = messageId;
        message["text"] = newText;
        message["edit_date"] = Now();
        return EnqueueUpdate(new JsonObject { ["edited_message"] = message });
    }

    /// <summary>Someone presses an inline-keyboard button on a message the bot sent.</summary>
    public int Presses(long chatId, int messageId, string data, long? userId = null, string firstName = "Client")
    {
        var from = new JsonObject { ["id"] = userId ?? chatId, ["is_bot"] = false, ["first_name"] = firstName, ["language_code"] = "en" };
        var pressed = new JsonObject
        {
            ["message_id"] = messageId, ["date"] = Now(), ["chat"] = ChatJson(chatId, firstName), ["from"] = BotUserJson(), ["text"] = "…",
        };
        // The message under the button as it was sent, so a press in a forum topic carries the topic.
        int? thread;
        lock (_lock) thread = _sent.LastOrDefault(m => m.ChatId == chatId && m.MessageId == messageId)?.Request.ThreadId;
        if (thread is not null)
        {
            pressed["message_thread_id"] = thread;
            pressed["is_topic_message"] = true;
        }
        return EnqueueUpdate(new JsonObject
        {
            ["callback_query"] = new JsonObject
            {
                ["id"] = Guid.NewGuid().ToString("N"),
                ["from"] = from,
                ["chat_instance"] = "ci-" + chatId,
                ["data"] = data,
                ["message"] = pressed,
            },
        });
    }

    private string TopicName(long chatId, int threadId)
    {
        lock (_lock) return _topics.GetValueOrDefault((chatId, threadId)) ?? "Topic";
    }

    /// <summary>The forum topics the bot created: (chat, thread) → name.</summary>
    public IReadOnlyDictionary<(long Chat, int Thread), string> Topics { get { lock (_lock) return new Dictionary<(long, int), string>(_topics); } }

    /// <summary>Someone deletes a topic: later posts into it fail as Telegram's do.</summary>
    public void DeleteTopic(long chatId, int threadId)
    {
        lock (_lock)
        {
            _topics.Remove((chatId, threadId));
            _deletedTopics.Add((chatId, threadId));
        }
    }

    /// <summary>Someone closes a topic: posts into it fail with TOPIC_CLOSED until it is reopened.</summary>
    public void CloseTopic(long chatId, int threadId)
    {
        lock (_lock) _closedTopics.Add((chatId, threadId));
    }

    private static JsonObject Merge(JsonObject a, JsonObject b)
    {
        foreach (var (k, v) in b) a[k] = v?.DeepClone();
        return a;
    }

    /// <summary>Each update is delivered this many times (with the same update_id), as a flaky network or a
    /// restarted Bot API server may do.</summary>
    public int DeliverEachTimes { get; set; } = 1;

    /// <summary>Queues any update body (without update_id); returns the update_id assigned.</summary>
    public int EnqueueUpdate(JsonObject update)
    {
        lock (_lock)
        {
            var id = _nextUpdateId++;
            update["update_id"] = id;
            _unconfirmed.Add(update);
            if (update["message"] is JsonObject message) RecordUserMessage(message);
            for (var copy = 1; copy < DeliverEachTimes; copy++) _unconfirmed.Add((JsonObject)update.DeepClone());
            _updatesArrived.TrySetResult();
            _updatesArrived = NewSignal();
            return id;
        }
    }

    /// <summary>Queues the same update again with the same update_id (as Telegram does when unconfirmed).</summary>
    public void Redeliver(int updateId, JsonObject body)
    {
        lock (_lock)
        {
            var copy = (JsonObject)body.DeepClone();
            copy["update_id"] = updateId;
            _unconfirmed.Add(copy);
            _updatesArrived.TrySetResult();
            _updatesArrived = NewSignal();
        }
    }

    public int PendingUpdates { get { lock (_lock) return _unconfirmed.Count; } }

    // ---------- what the bot did ----------

    public IReadOnlyList<BotRequest> Requests { get { lock (_lock) return _requests.ToList(); } }

    public IReadOnlyList<SentMessage> Sent { get { lock (_lock) return _sent.ToList(); } }

    public IReadOnlyList<SentMessage> SentTo(long chatId) => Sent.Where(m => m.ChatId == chatId).ToList();

    /// <summary>Waits until <paramref name="condition"/> holds over the messages sent so far.</summary>
    public async Task<IReadOnlyList<SentMessage>> WaitForSentAsync(Func<IReadOnlyList<SentMessage>, bool> condition, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (condition(_sent)) return _sent.ToList();
                changed = _sentChanged.Task;
            }
            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                var sent = Sent;
                throw new TimeoutException($"Condition not met within {timeout}; {sent.Count} messages sent: " +
                    string.Join(" | ", sent.TakeLast(5).Select(m => $"{m.Method}→{m.ChatId}: {m.Text}")));
            }
        }
    }

    public Task<IReadOnlyList<SentMessage>> WaitForSentCountAsync(int count, TimeSpan timeout) =>
        WaitForSentAsync(s => s.Count >= count, timeout);

    // ---------- Telegram's limits ----------

    /// <summary>From now on, answer 429 (with retry_after) to posts beyond Telegram's limits: 20 per minute in a group,
    /// about 1 per second in a private chat (bursts of 4), 30 per second overall (bursts to 60). A little slack
    /// (200 ms) absorbs the jitter between the bot's clock and ours.</summary>
    /// <param name="groupWindow">The window for a group's 20 posts (a minute, as Telegram; shorter to run a test faster).</param>
    public void EnforceLimits(TimeSpan? groupWindow = null)
    {
        _groupWindow = groupWindow ?? TimeSpan.FromMinutes(1);
        _enforceLimits = true;
    }

    private TimeSpan _groupWindow = TimeSpan.FromMinutes(1);

    /// <summary>How many 429 answers the limits produced.</summary>
    public int TooManyServed { get; private set; }

    /// <summary>Posts to a chat that came before the retry_after it had been given.</summary>
    public int EarlySends { get; private set; }

    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(200);

    /// <summary>Null when the <paramref name="posts"/> are within the limits (and are counted), else the retry_after in seconds.</summary>
    private int? OverLimit(long chatId, DateTimeOffset now, int count = 1)
    {
        lock (_lock)
        {
            var posts = _postsByChat.TryGetValue(chatId, out var list) ? list : _postsByChat[chatId] = [];
            var (limit, window) = chatId < 0 ? (20, _groupWindow) : (4, TimeSpan.FromSeconds(1));
            var wait = Wait(posts, limit, window, now, count) ?? Wait(_allPosts, 60, TimeSpan.FromSeconds(1), now, count);
            if (wait is { } seconds)
            {
                TooManyServed++;
                _retryUntil[chatId] = now + TimeSpan.FromSeconds(seconds);
                return seconds;
            }
            for (var i = 0; i < count; i++)
            {
                posts.Add(now);
                _allPosts.Add(now);
            }
            return null;
        }

        static int? Wait(List<DateTimeOffset> posts, int limit, TimeSpan window, DateTimeOffset now, int count)
        {
            posts.RemoveAll(t => t <= now - window + Slack);
            return posts.Count + count <= limit ? null
                : Math.Max(1, (int)Math.Ceiling((posts[Math.Min(posts.Count - 1, posts.Count + count - limit - 1)] + window - now).TotalSeconds));
        }
    }

    // ---------- faults ----------

    private sealed class FaultRule
    {
        public required Func<string, long?, bool> Matches { get; init; }
        public int Remaining { get; set; }
        public int? Status { get; init; }
        public string Description { get; init; } = "";
        public int? RetryAfter { get; init; }
        public TimeSpan Delay { get; init; }
        public TaskCompletionSource? Hang { get; init; }
    }

    /// <summary>The next <paramref name="times"/> calls of <paramref name="method"/> (to <paramref name="chatId"/>, if given)
    /// fail with an error answer.</summary>
    public void Fail(string method, int status, string description, int times = 1, long? chatId = null, int? retryAfter = null) =>
        AddFault(new FaultRule
        {
            Matches = Match(method, chatId), Remaining = times, Status = status, Description = description, RetryAfter = retryAfter,
        });

    public void TooManyRequests(string method, int retryAfter, int times = 1, long? chatId = null) =>
        Fail(method, 429, $"Too Many Requests: retry after {retryAfter}", times, chatId, retryAfter);

    public void Blocked(long chatId, int times = 1) =>
        Fail("sendMessage", 403, "Forbidden: bot was blocked by the user", times, chatId);

    /// <summary>Every call of <paramref name="method"/> ("*": all) fails with <paramref name="status"/> until <paramref name="until"/>.</summary>
    public void FailUntil(string method, DateTimeOffset until, int status = 502, string description = "Bad Gateway") =>
        AddFault(new FaultRule
        {
            Matches = (m, c) => DateTimeOffset.UtcNow < until && Match(method, null)(m, c), Remaining = int.MaxValue, Status = status, Description = description,
        });

    /// <summary>The next calls answer only after <paramref name="delay"/>.</summary>
    public void Delay(string method, TimeSpan delay, int times = 1) =>
        AddFault(new FaultRule { Matches = Match(method, null), Remaining = times, Delay = delay });

    /// <summary>The next calls of <paramref name="method"/> receive no answer until <see cref="ReleaseHangs"/>; then they
    /// succeed, or fail with <paramref name="thenStatus"/>.</summary>
    public void Hang(string method, int times = int.MaxValue, int? thenStatus = null, string thenDescription = "Bad Gateway") =>
        AddFault(new FaultRule
        {
            Matches = Match(method, null), Remaining = times, Hang = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously),
            Status = thenStatus, Description = thenDescription,
        });

    public void ReleaseHangs()
    {
        lock (_lock)
        {
            foreach (var rule in _faults.Where(f => f.Hang is not null)) rule.Hang!.TrySetResult();
            _faults.RemoveAll(f => f.Hang is not null);
        }
    }

    public void ClearFaults()
    {
        ReleaseHangs();
        lock (_lock) _faults.Clear();
    }

    private void AddFault(FaultRule rule)
    {
        lock (_lock) _faults.Add(rule);
    }

    private static Func<string, long?, bool> Match(string method, long? chatId) =>
        (m, c) => (method == "*" || string.Equals(m, method, StringComparison.OrdinalIgnoreCase)) && (chatId is null || chatId == c);

    // ---------- what a person in each chat sees (the sandbox page) ----------

    /// <summary>Everything posted in every chat, by people and by the bot, in order: what Telegram's apps would show.</summary>
    public IReadOnlyList<ChatEntry> TimelineSince(int seq)
    {
        lock (_lock) return _timeline.Skip(seq).ToList();
    }

    /// <summary>Completes when the timeline has more than <paramref name="seen"/> entries.</summary>
    public Task WaitForTimelineAsync(int seen, CancellationToken ct)
    {
        lock (_lock) return _timeline.Count > seen ? Task.CompletedTask : _timelineChanged.Task.WaitAsync(ct);
    }

    /// <summary>The bytes of a photo the bot uploaded (entry <paramref name="seq"/>), if any.</summary>
    public byte[]? PhotoOf(int seq)
    {
        lock (_lock)
        {
            // Only a photo the bot uploaded has bytes; a file id (a photo a person sent, or a copy of one) has none here.
            return _uploads.GetValueOrDefault(seq);
        }
    }

    private void RecordUserMessage(JsonObject message)
    {
        // Tests hand in odd shapes on purpose; what the page shows must never break delivering them.
        if (Number(message["chat"]?["id"]) is not { } chatId || Number(message["message_id"]) is not { } number) return;
        var messageId = (int)number;
        var text = Text(message["text"]) ?? Text(message["caption"]);
        var photo = message["photo"] is JsonArray sizes ? Text(sizes.LastOrDefault()?["file_id"]) : null;
        _userTexts[(chatId, messageId)] = text;
        _userMessages[(chatId, messageId)] = message.DeepClone();
        if (photo is not null) _userPhotos[(chatId, messageId)] = photo;
        AddToTimeline(new ChatEntry(0, ChatEntryKind.Message, chatId, (int?)Number(message["message_thread_id"]), messageId,
            Text(message["from"]?["first_name"]) ?? "", false, text ?? (photo is null ? "[media]" : null), null, null, photo, _clock.GetUtcNow()));
    }

    private ChatEntry BotEntry(BotRequest request, int messageId, ChatEntryKind kind, string? photo = null)
    {
        var body = request.Body;
        // A copy shows what was copied (Telegram's apps show the original's content), with the caption given.
        var original = Number(body["from_chat_id"]) is { } from && Number(body["message_id"]) is { } id ? (from, (int)id) : ((long, int)?)null;
        var copied = original is { } o ? _userTexts.GetValueOrDefault(o) : null;
        var copiedPhoto = original is { } p ? _userPhotos.GetValueOrDefault(p) : null;
        var copiedMany = body["message_ids"] is JsonArray ids && Number(body["from_chat_id"]) is { } fromMany
            ? string.Join("\n", ids.Select(i => _userTexts.GetValueOrDefault((fromMany, (int)(Number(i) ?? 0))) ?? "[media]")) : null;
        var text = request.Text ?? copied ?? copiedMany
            ?? (request.Method.StartsWith("copy", StringComparison.OrdinalIgnoreCase) && copiedPhoto is null ? "[media]" : null);
        var keyboard = body["reply_markup"] is JsonObject markup && markup["inline_keyboard"] is JsonArray rows ? rows.DeepClone() : null;
        return new ChatEntry(0, kind, request.ChatId ?? 0, request.ThreadId, messageId, "Agency Bot", true, text, Text(body["parse_mode"]), keyboard,
            photo ?? copiedPhoto, _clock.GetUtcNow());
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static long? Number(JsonNode? node) =>
        node is JsonValue value && (value.TryGetValue<long>(out var number) || (value.TryGetValue<int>(out var small) && (number = small) == small)
            || (value.TryGetValue<JsonElement>(out var element) && element.TryGetInt64(out number)))
            ? number : null;

    private void AddToTimeline(ChatEntry entry, byte[]? upload = null)
    {
        var seq = _timeline.Count + 1;
        _timeline.Add(entry with { Seq = seq });
        if (upload is not null) _uploads[seq] = upload;
        _timelineChanged.TrySetResult();
        _timelineChanged = NewSignal();
    }

    // ---------- the wire ----------

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
            case "deletewebhook" or "setwebhook" or "setmycommands" or "deletemycommands" or "answercallbackquery":
                await Ok(http, true);
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
        while (true)
        {
            Task arrived;
            List<JsonNode> batch;
            lock (_lock)
            {
                GetUpdatesCalls++;
                LastOffset = offset;
                // An offset confirms every update below it; those are gone for good.
                if (offset is { } confirmed) _unconfirmed.RemoveAll(u => (int)u["update_id"]! < confirmed);
                batch = _unconfirmed.Where(u => offset is null || (int)u["update_id"]! >= offset)
                    .OrderBy(u => (int)u["update_id"]!).Take(limit).Select(u => u.DeepClone()).ToList();
                // Duplicates are handed out once per call; the next offset confirms them all.
                arrived = _updatesArrived.Task;
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

    // ---------- JSON shapes ----------

    private JsonObject NewMessage(long chatId, long userId, string firstName, string? languageCode, int? threadId)
    {
        int messageId;
        lock (_lock) messageId = _nextMessageId[chatId] = _nextMessageId.GetValueOrDefault(chatId, 1) + 1;
        var from = new JsonObject { ["id"] = userId, ["is_bot"] = false, ["first_name"] = firstName };
        if (languageCode is not null) from["language_code"] = languageCode;
        var message = new JsonObject
        {
            ["message_id"] = messageId,
            ["date"] = Now(),
            ["chat"] = ChatJson(chatId, firstName),
            ["from"] = from,
        };
        if (threadId is { } thread)
        {
            message["message_thread_id"] = thread;
            message["is_topic_message"] = true;
        }
        return message;
    }

    private JsonObject ChatJson(long chatId, string? firstName)
    {
        if (_chats.TryGetValue(chatId, out var chat))
        {
            var json = new JsonObject { ["id"] = chatId, ["type"] = chat.Type, ["title"] = chat.Title };
            if (chat.IsForum) json["is_forum"] = true;
            return json;
        }
        return chatId > 0
            ? new JsonObject { ["id"] = chatId, ["type"] = "private", ["first_name"] = firstName ?? "Client" }
            : new JsonObject { ["id"] = chatId, ["type"] = "supergroup", ["title"] = $"Group {chatId}" };
    }

    private JsonObject MessageJson(BotRequest request, int messageId)
    {
        var chatId = request.ChatId ?? 0;
        var message = new JsonObject
        {
            ["message_id"] = messageId,
            ["date"] = Now(),
            ["chat"] = ChatJson(chatId, null),
            ["from"] = BotUserJson(),
        };
        if (request.Body["text"] is { } text) message["text"] = text.DeepClone();
        if (request.Body["caption"] is { } caption) message["caption"] = caption.DeepClone();
        if (request.ThreadId is { } thread)
        {
            message["message_thread_id"] = thread;
            message["is_topic_message"] = true;
        }
        if (request.Body["reply_markup"] is JsonObject markup && markup.ContainsKey("inline_keyboard"))
            message["reply_markup"] = markup.DeepClone();
        return message;
    }

    private static JsonObject BotUserJson(bool withCapabilities = false)
    {
        var user = new JsonObject { ["id"] = BotId, ["is_bot"] = true, ["first_name"] = "Agency Bot", ["username"] = BotUsername };
        if (withCapabilities)
        {
            user["can_join_groups"] = true;
            user["can_read_all_group_messages"] = true;
            user["supports_inline_queries"] = false;
        }
        return user;
    }

    private long Now() => _clock.GetUtcNow().ToUnixTimeSeconds();

    private static async Task<JsonObject> ReadBodyAsync(HttpRequest request)
    {
        if (request.HasJsonContentType())
            return await JsonSerializer.DeserializeAsync<JsonObject>(request.Body) ?? [];
        var body = new JsonObject();
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync();
            foreach (var (key, value) in form)
                body[key] = ParseScalar(value.ToString());
            // Uploaded files are kept as base64, so a test can look at what the bot sent.
            var files = new Dictionary<string, string>();
            foreach (var file in form.Files)
            {
                using var stream = new MemoryStream();
                await file.CopyToAsync(stream);
                files[file.Name] = Convert.ToBase64String(stream.ToArray());
                body[file.Name] = files[file.Name];
            }
            // "photo": "attach://name" points at the part called name.
            foreach (var (key, value) in body.ToList())
                if (value is JsonValue v && v.TryGetValue<string>(out var text) && text.StartsWith("attach://", StringComparison.Ordinal)
                    && files.TryGetValue(text["attach://".Length..], out var content))
                    body[key] = content;
        }
        foreach (var (key, value) in request.Query)
            body[key] = ParseScalar(value.ToString());
        return body;
    }

    private static JsonNode? ParseScalar(string value) =>
        long.TryParse(value, out var number) ? JsonValue.Create(number)
        : value.StartsWith('{') || value.StartsWith('[') ? JsonNode.Parse(value) : JsonValue.Create(value);

    private static Task Ok(HttpContext http, JsonNode result) =>
        Write(http, 200, new JsonObject { ["ok"] = true, ["result"] = result });

    private static Task Ok(HttpContext http, bool result) =>
        Write(http, 200, new JsonObject { ["ok"] = true, ["result"] = result });

    private static Task Error(HttpContext http, int status, string description, int? retryAfter = null, long? migrateTo = null)
    {
        var json = new JsonObject { ["ok"] = false, ["error_code"] = status, ["description"] = description };
        if (retryAfter is { } after) json["parameters"] = new JsonObject { ["retry_after"] = after };
        if (migrateTo is { } to) json["parameters"] = new JsonObject { ["migrate_to_chat_id"] = to };
        return Write(http, status, json);
    }

    private static async Task Write(HttpContext http, int status, JsonObject json)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(json.ToJsonString());
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
