using System.Text.Json.Nodes;
using AgencyBot.Core.Clients;
using AgencyBot.Tests.Hosting;
using Telegram.Bot;
using Telegram.Bot.Exceptions;

namespace AgencyBot.Tests.Telegram;

/// <summary>The whole intake → inbox → router → outbox → sender path, through the real host and client.</summary>
public sealed class PipelineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private FakeBotApi _telegram = null!;
    private TempDatabase _db = null!;

    [SetUp]
    public async Task SetUp()
    {
        _telegram = await FakeBotApi.StartAsync();
        _db = TempDatabase.Create();
    }

    [TearDown]
    public async Task TearDown()
    {
        await _telegram.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Test]
    public async Task MessageFromUnboundPrivateChat_GetsPoliteReplyAndIsRecorded()
    {
        await using var host = new TestHost(_telegram, _db).Start();

        var updateId = _telegram.ClientSends(chatId: 501, "Hello, where is my website?");

        var sent = await _telegram.WaitForSentAsync(s => s.Any(m => m.ChatId == 501), Timeout);
        Assert.That(sent.Single(m => m.ChatId == 501).Text, Is.EqualTo(ClientTexts.Get("NotLinked", "en")));
        var state = await Eventually.HoldsAsync(
            () => _db.ScalarAsync<string>("SELECT state FROM outbox WHERE chat_id = 501"), s => s == "sent", Timeout, "outbox row sent");
        Assert.Multiple(async () =>
        {
            Assert.That(state, Is.EqualTo("sent"));
            Assert.That(await _db.ScalarAsync<string>("SELECT state FROM inbox WHERE update_id = @updateId", new { updateId }), Is.EqualTo("handled"));
            Assert.That(await _db.ScalarAsync<long>("SELECT telegram_message_id FROM outbox WHERE chat_id = 501"),
                Is.EqualTo(sent.Single(m => m.ChatId == 501).MessageId));
        });
    }

    [Test]
    public async Task UpdatesWaitingBeforeStartUp_AreHandledNotDropped()
    {
        _telegram.ClientSends(601, "written while the bot was down");
        _telegram.ClientSends(602, "me too");

        await using var host = new TestHost(_telegram, _db).Start();

        await _telegram.WaitForSentAsync(s => s.Any(m => m.ChatId == 601) && s.Any(m => m.ChatId == 602), Timeout);
        Assert.That(_telegram.Requests.Where(r => r.Method == "deleteWebhook").Select(r => (bool?)r.Body["drop_pending_updates"] ?? false),
            Is.All.False, "pending updates must never be dropped");
    }

    [Test]
    public async Task WebhookLeftByAnEarlierDeployment_IsDeletedWhenPollingMeetsIt_AndWaitingUpdatesStillArrive()
    {
        var bot = new TelegramBotClient(new TelegramBotClientOptions(FakeBotApi.Token, _telegram.BaseUrl));
        await bot.SetWebhook("https://old.example.com/telegram/webhook");
        var refused = Assert.ThrowsAsync<ApiRequestException>(() => bot.GetUpdates(timeout: 0));
        Assert.That(refused!.ErrorCode, Is.EqualTo(409), "Telegram refuses getUpdates while a webhook is set");
        _telegram.ClientSends(611, "written while the webhook was still set");

        await using var host = new TestHost(_telegram, _db).Start();

        await _telegram.WaitForSentAsync(s => s.Any(m => m.ChatId == 611), Timeout);
        Assert.Multiple(() =>
        {
            Assert.That(_telegram.WebhookUrl, Is.Null);
            Assert.That(_telegram.Requests.Where(r => r.Method == "deleteWebhook").Select(r => (bool?)r.Body["drop_pending_updates"] ?? false),
                Is.EqualTo(new[] { false }), "deleted once, keeping what waits");
        });
    }

    [Test]
    public async Task AWebhookSetOnceTheHostPolls_IsLeftToTheHostThatSetIt_NotDeleted()
    {
        await using var host = new TestHost(_telegram, _db).Start();
        _telegram.ClientSends(631, "hello");
        await _telegram.WaitForSentAsync(s => s.Any(m => m.ChatId == 631), Timeout);

        // A host in webhook mode takes over (a switch from polling, an old host still running).
        var bot = new TelegramBotClient(new TelegramBotClientOptions(FakeBotApi.Token, _telegram.BaseUrl));
        await bot.SetWebhook("https://new.example.com/telegram/webhook");
        var set = DateTimeOffset.UtcNow;
        await Eventually.HoldsAsync(() => Task.FromResult(_telegram.Requests.Count(r => r.Method == "getUpdates" && r.At > set)),
            n => n >= 2, Timeout, "getUpdates refused twice");

        Assert.Multiple(() =>
        {
            Assert.That(_telegram.WebhookUrl, Is.EqualTo("https://new.example.com/telegram/webhook"));
            Assert.That(_telegram.Requests.Select(r => r.Method), Has.None.EqualTo("deleteWebhook"));
            Assert.That(host.Logs.Where(l => l.StartsWith("getUpdates failed", StringComparison.Ordinal)), Is.Empty, "no failure with a stack trace");
            Assert.That(host.Logs, Has.Some.StartsWith("A webhook is set: a host in webhook mode takes the updates"), "a line that says what happens");
        });
    }

    [Test]
    public async Task AWebhookSetWhileTheFirstPollWaits_EndsThatPoll_AndIsLeftToTheHostThatSetIt()
    {
        // Telegram's side: a long poll under way ends with a 409 of its own when a webhook is set.
        var bot = new TelegramBotClient(new TelegramBotClientOptions(FakeBotApi.Token, _telegram.BaseUrl));
        var waiting = bot.GetUpdates(timeout: 20);
        await Eventually.HoldsAsync(() => Task.FromResult(_telegram.GetUpdatesCalls), n => n == 1, Timeout, "the poll waiting");
        await bot.SetWebhook("https://new.example.com/telegram/webhook");
        var ended = Assert.ThrowsAsync<ApiRequestException>(() => waiting);
        await bot.DeleteWebhook();

        // The host's first poll waits (a long timeout, nothing to fetch) when a host in webhook mode takes over.
        await using var host = new TestHost(_telegram, _db, new Dictionary<string, string?> { ["Telegram:PollTimeout"] = "00:00:20" }).Start();
        await Eventually.HoldsAsync(() => Task.FromResult(_telegram.GetUpdatesCalls), n => n == 2, Timeout, "the host's first poll waiting");
        await bot.SetWebhook("https://new.example.com/telegram/webhook");
        var set = DateTimeOffset.UtcNow;
        await Eventually.HoldsAsync(() => Task.FromResult(_telegram.Requests.Count(r => r.Method == "getUpdates" && r.At > set)),
            n => n >= 2, Timeout, "getUpdates refused twice since");

        Assert.Multiple(() =>
        {
            Assert.That((ended!.ErrorCode, ended.Message), Is.EqualTo((409, "Conflict: terminated by setWebhook request")));
            Assert.That(_telegram.WebhookUrl, Is.EqualTo("https://new.example.com/telegram/webhook"), "set while the host polled: not one left from before");
            Assert.That(_telegram.Requests.Count(r => r.Method == "deleteWebhook"), Is.EqualTo(1), "only the test's own");
        });
    }

    [Test]
    public async Task TwoProcessesPollingWithOneToken_EndEachOthersPolls_AndEachSaysSoInItsLog()
    {
        // Telegram's side: a second poll ends the one waiting.
        var bot = new TelegramBotClient(new TelegramBotClientOptions(FakeBotApi.Token, _telegram.BaseUrl));
        var waiting = bot.GetUpdates(timeout: 20);
        await Eventually.HoldsAsync(() => Task.FromResult(_telegram.GetUpdatesCalls), n => n == 1, Timeout, "the poll waiting");
        await bot.GetUpdates(timeout: 0);
        var ended = Assert.ThrowsAsync<ApiRequestException>(() => waiting);

        // Two hosts with one token (a second deployment left running, say), each on its own database.
        await using var other = TempDatabase.Create();
        await using var first = new TestHost(_telegram, _db).Start();
        await using var second = new TestHost(_telegram, other).Start();
        const string said = "Another process polls Telegram with this bot's token";
        await Eventually.HoldsAsync(() => Task.FromResult(new[] { first, second }.Count(h => h.Logs.Any(l => l.StartsWith(said, StringComparison.Ordinal)))),
            n => n == 2, Timeout, "both hosts said so");

        Assert.That((ended!.ErrorCode, ended.Message),
            Is.EqualTo((409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running")));
    }

    [Test]
    public async Task WithoutAWebhook_PollingStartsWithGetUpdates_NotADeleteWebhookFirst()
    {
        await using var host = new TestHost(_telegram, _db).Start();

        _telegram.ClientSends(621, "hello");
        await _telegram.WaitForSentAsync(s => s.Any(m => m.ChatId == 621), Timeout);
        Assert.That(_telegram.Requests.Select(r => r.Method), Has.None.EqualTo("deleteWebhook"));
    }

    [Test]
    public async Task RedeliveredUpdate_HasNoSecondEffect()
    {
        await using var host = new TestHost(_telegram, _db).Start();
        var body = new JsonObject
        {
            ["message"] = new JsonObject
            {
                ["message_id"] = 77, ["date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                ["chat"] = new JsonObject { ["id"] = 701, ["type"] = "private", ["first_name"] = "Ann" },
                ["from"] = new JsonObject { ["id"] = 701, ["is_bot"] = false, ["first_name"] = "Ann" },
                ["text"] = "hi",
            },
        };
        var updateId = _telegram.EnqueueUpdate((JsonObject)body.DeepClone());
        await _telegram.WaitForSentAsync(s => s.Count(m => m.ChatId == 701) == 1, Timeout);

        _telegram.Redeliver(updateId, body);
        _telegram.Redeliver(updateId, body);
        var marker = _telegram.ClientSends(702, "after the duplicates");
        await _telegram.WaitForSentAsync(s => s.Any(m => m.ChatId == 702), Timeout);

        Assert.Multiple(async () =>
        {
            Assert.That(_telegram.SentTo(701), Has.Count.EqualTo(1));
            Assert.That(await _db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE update_id = @updateId", new { updateId }), Is.EqualTo(1));
            Assert.That(await _db.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE chat_id = 701"), Is.EqualTo(1));
            Assert.That(marker, Is.GreaterThan(updateId));
        });
    }

    [Test]
    public async Task OffsetConfirmsUpdates_OnlyAfterTheyAreInTheInbox()
    {
        await using var host = new TestHost(_telegram, _db).Start();
        var updateId = _telegram.ClientSends(801, "hello");
        await _telegram.WaitForSentAsync(s => s.Any(m => m.ChatId == 801), Timeout);
        await Eventually.HoldsAsync(() => Task.FromResult(_telegram.LastOffset), o => o > updateId, Timeout, "offset confirmation");

        Assert.That(await _db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE update_id = @updateId", new { updateId }), Is.EqualTo(1));
    }

    [Test]
    public async Task UnusedUpdateKinds_AreRecordedAndIgnored_AndTheChatGoesOn()
    {
        await using var host = new TestHost(_telegram, _db).Start();
        var chatMember = _telegram.EnqueueUpdate(new JsonObject
        {
            ["my_chat_member"] = new JsonObject
            {
                ["chat"] = new JsonObject { ["id"] = 901, ["type"] = "private", ["first_name"] = "Bo" },
                ["from"] = new JsonObject { ["id"] = 901, ["is_bot"] = false, ["first_name"] = "Bo" },
                ["date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                ["old_chat_member"] = new JsonObject { ["status"] = "member", ["user"] = new JsonObject { ["id"] = FakeBotApi.BotId, ["is_bot"] = true, ["first_name"] = "Agency Bot" } },
                ["new_chat_member"] = new JsonObject { ["status"] = "kicked", ["until_date"] = 0, ["user"] = new JsonObject { ["id"] = FakeBotApi.BotId, ["is_bot"] = true, ["first_name"] = "Agency Bot" } },
            },
        });
        _telegram.ClientSends(901, "still here");

        await _telegram.WaitForSentAsync(s => s.Any(m => m.ChatId == 901), Timeout);
        Assert.That(await _db.ScalarAsync<string>("SELECT state FROM inbox WHERE update_id = @chatMember", new { chatMember }), Is.EqualTo("handled"));
        Assert.That(_telegram.SentTo(901), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task GroupChatterFromUnboundGroup_GetsNoReply_ButACommandDoes()
    {
        await using var host = new TestHost(_telegram, _db).Start();
        _telegram.DefineGroup(-1001, "Acme & agency");
        _telegram.ClientSends(-1001, "just talking among ourselves", userId: 42);
        _telegram.ClientSends(-1001, "/status", userId: 42);

        var sent = await _telegram.WaitForSentAsync(s => s.Any(m => m.ChatId == -1001), Timeout);
        await Eventually.HoldsAsync(() => _db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE state = 'pending'"), n => n == 0, Timeout, "inbox drained");
        Assert.That(_telegram.SentTo(-1001), Has.Count.EqualTo(1));
    }
}
