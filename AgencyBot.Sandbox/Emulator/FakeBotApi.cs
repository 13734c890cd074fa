using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace AgencyBot.Sandbox;

/// <summary>A request the bot made, as the fake server received it.</summary>
public sealed record BotRequest(string Method, JsonObject Body, DateTimeOffset At)
{
    public long? ChatId => Body["chat_id"] is JsonValue v && v.TryGetValue<long>(out var id) ? id
        : Body["chat_id"] is JsonValue s && long.TryParse(s.ToString(), out var parsed) ? parsed : null;
    public string? Text => (string?)Body["text"] ?? (string?)Body["caption"];
    // A form upload's fields arrive as text and are read as numbers of any size.
    public int? ThreadId => Body["message_thread_id"] is JsonValue v && v.TryGetValue<long>(out var id) ? (int)id : (int?)Body["message_thread_id"];
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

/// <summary>Popup: the short answer to a button press that Telegram's apps show the presser (answerCallbackQuery's text).
/// Reaction: a reaction put on message MessageId (its Text is the emoji).</summary>
public enum ChatEntryKind { Message, Edit, Topic, Popup, Reaction }

/// <summary>One thing that appeared in a chat. <see cref="Photo"/> is "upload" for a photo the bot uploaded (its bytes:
/// <see cref="FakeBotApi.PhotoOf"/>), or the file id of a photo a person sent (or a copy of one).</summary>
public sealed record ChatEntry(int Seq, ChatEntryKind Kind, long ChatId, int? ThreadId, int MessageId, string From, bool FromBot,
    string? Text, string? ParseMode, JsonNode? Keyboard, string? Photo, DateTimeOffset At);

/// <summary>
/// The Bot API emulator: the tests, the benchmark and sandbox mode use this one server.
/// A Telegram Bot API server on 127.0.0.1 speaking the real wire format, so the real Telegram.Bot client
/// talks to it unmodified: <c>{"ok":true,"result":…}</c> or <c>{"ok":false,"error_code":…,"description":…,
/// "parameters":{"retry_after":…}}</c>, Unix-second dates, getUpdates with offset confirmation, redelivery of
/// unconfirmed updates and long polling. Tests act as clients or staff through <see cref="ClientSends"/> and
/// friends, and inject faults with <see cref="Fail"/>, <see cref="Hang"/> and <see cref="Delay"/>.
/// </summary>
public sealed partial class FakeBotApi : IAsyncDisposable
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
    private readonly Dictionary<string, (long Chat, int? Thread)> _presses = [];
    private readonly Dictionary<string, byte[]> _files = [];
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

    /// <summary>getUpdates calls answered (not refused for a webhook); the latest is the one poll that may wait.</summary>
    public int GetUpdatesCalls { get; private set; }

    /// <summary>The webhook set with setWebhook, until deleteWebhook (or setWebhook with an empty url) removes it;
    /// while there is one, getUpdates is refused, as Telegram does.</summary>
    public string? WebhookUrl { get; private set; }

    /// <summary>How many webhook calls at once the last setWebhook allowed (its max_connections; Telegram's default, 40,
    /// when it named none): a poster standing in for Telegram keeps that many in flight.</summary>
    public int WebhookMaxConnections { get; private set; } = 40;

    /// <param name="clock">Where message dates come from (a fake clock in tests that move time).</param>
    public static async Task<FakeBotApi> StartAsync(TimeProvider? clock = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new FakeBotApi(app, clock ?? TimeProvider.System);
        app.Map("/bot{token}/{method}", fake.HandleAsync);
        // Files are downloaded from /file/bot<token>/<file_path>, the path getFile gave.
        app.MapGet("/file/bot{token}/{**path}", fake.DownloadAsync);
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
            return (await JsonNode.ParseAsync(request.Body))?.AsObject() ?? [];
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

    /// <summary>Wakes every waiting long poll (an update came, a webhook was set, a newer poll came); under the lock.</summary>
    private void WakePolls()
    {
        _updatesArrived.TrySetResult();
        _updatesArrived = NewSignal();
    }
}
