using AgencyBot.Core.Conversations;
using AgencyBot.Core.Data;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Sending;
using AgencyBot.Core.StaffGroup;
using AgencyBot.Tests.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Telegram.Bot;
using Telegram.Bot.Requests;

namespace AgencyBot.Tests.Outbox;

/// <summary>The sender against the fake Bot API over real HTTP with the real Telegram.Bot client.</summary>
public sealed class OutboxSenderTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private FakeBotApi _telegram = null!;
    private TempDatabase _db = null!;
    private OutboxStore _outbox = null!;
    private OutboxSender? _sender;
    private SendingLease? _lease;
    private SendStatistics _statistics = null!;

    [SetUp]
    public async Task SetUp()
    {
        _telegram = await FakeBotApi.StartAsync();
        _db = await TempDatabase.CreateMigratedAsync();
        _outbox = new OutboxStore(_db.Database, TimeProvider.System);
        _statistics = new SendStatistics();
    }

    [TearDown]
    public async Task TearDown()
    {
        _telegram.ReleaseHangs();
        if (_sender is not null)
        {
            await _sender.StopAsync(CancellationToken.None);
            _sender.Dispose();
        }
        await _telegram.DisposeAsync();
        if (_lease is not null) await _lease.DisposeAsync();
        await _db.DisposeAsync();
    }

    private async Task StartSenderAsync(SendLimitOptions? limits = null)
    {
        var bot = new TelegramBotClient(new TelegramBotClientOptions(FakeBotApi.Token, _telegram.BaseUrl) { RetryCount = 0 });
        var messenger = new TelegramMessenger(bot, new AgencyBot.Core.Messaging.AttachmentStore(_db.Database));
        var staffChats = new AgencyBot.Core.StaffGroup.StaffChatStore(Microsoft.Extensions.Options.Options.Create(new AgencyBot.Core.Agency.AgencyOptions()), TimeProvider.System);
        var topics = new StaffTopics(_db.Database, staffChats, messenger, TimeProvider.System, NullLogger<StaffTopics>.Instance);
        _sender = new OutboxSender(_outbox, messenger, topics, new NoReporter(), new SendLimits(limits ?? new SendLimitOptions { Enabled = false }),
            new OutboxSignal(), _statistics, _lease = new SendingLease(_db.Database, TimeProvider.System, NullLogger<SendingLease>.Instance),
            _db.Database, new ChatMigrations(staffChats, TimeProvider.System, NullLogger<ChatMigrations>.Instance),
            TimeProvider.System, NullLogger<OutboxSender>.Instance);
        await _sender.StartAsync(CancellationToken.None);
    }

    /// <summary>These tests are about the sender alone: nothing follows from a delivery.</summary>
    private sealed class NoReporter : IDeliveryListener
    {
        public Task<AgencyBot.Core.Data.WriteScope> ScopeOfOutcomeAsync(System.Data.IDbConnection connection, System.Data.IDbTransaction transaction,
            IReadOnlyList<OutboxItem> rows) => Task.FromResult(AgencyBot.Core.Data.WriteScope.Of(rows.Select(r => r.ChatId), []));

        public Task DeliveredAsync(System.Data.IDbConnection connection, System.Data.IDbTransaction transaction, IReadOnlyList<OutboxItem> rows, DateTimeOffset at) =>
            Task.CompletedTask;

        public Task RefusedAsync(System.Data.IDbConnection connection, System.Data.IDbTransaction transaction, OutboxItem row, string reason) => Task.CompletedTask;

        public Task ChatBlockedAsync(System.Data.IDbConnection connection, System.Data.IDbTransaction transaction, long chatId) => Task.CompletedTask;

        public Task<ChatLoss> ChatLostAsync(System.Data.IDbConnection connection, System.Data.IDbTransaction transaction, long chatId, string reason,
            DateTimeOffset sentAt) =>
            Task.FromResult(ChatLoss.NotLost);
    }

    private Task<long> EnqueueAsync(long chatId, string text) =>
        _db.Database.WriteAsync((c, t) => _outbox.EnqueueAsync(c, t, chatId, new SendMessageRequest { ChatId = chatId, Text = text }));

    private Task<IReadOnlyList<(long Id, string State, long Attempts, string? LastError, long? MessageId)>> RowsAsync() =>
        _db.QueryAsync<(long, string, long, string?, long?)>(
            "SELECT id, state, attempts, last_error, telegram_message_id FROM outbox ORDER BY id");

    [Test]
    public async Task ARestartedSender_StartsEachChatsBudgetFromWhatWasSentLately_SoNoLimitIsBrokenAcrossTheRestart()
    {
        // Telegram's limits as the Bot API enforces them: a private chat takes about one message a second, in bursts.
        _telegram.EnforceLimits();
        var limits = new SendLimitOptions();
        for (var i = 0; i < 3; i++) await EnqueueAsync(501, $"before {i}");
        await StartSenderAsync(limits);
        await Eventually.HoldsAsync(() => _db.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE state = 'sent'"), n => n == 3, Timeout, "the burst sent");

        // The host restarts: a new sender, whose buckets know nothing of the burst it just made.
        await _sender!.StopAsync(CancellationToken.None);
        _sender.Dispose();
        await _lease!.DisposeAsync();
        for (var i = 0; i < 3; i++) await EnqueueAsync(501, $"after {i}");
        await StartSenderAsync(limits);
        await Eventually.HoldsAsync(() => _db.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE state = 'sent'"), n => n == 6, Timeout, "all sent");

        var sends = _telegram.Requests.Where(r => r.Method == "sendMessage").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(_telegram.TooManyServed, Is.Zero, "no 429: the restarted sender kept to the chat's budget");
            Assert.That(_telegram.EarlySends, Is.Zero);
            Assert.That(sends.Select(r => r.Text), Is.EqualTo(new[] { "before 0", "before 1", "before 2", "after 0", "after 1", "after 2" }));
        });
    }

    [Test]
    public async Task Drain_SendsEachChatsMessagesInOrder_AndKeepsTelegramsMessageId()
    {
        for (var i = 0; i < 10; i++)
        {
            await EnqueueAsync(1, $"one-{i}");
            await EnqueueAsync(2, $"two-{i}");
        }
        await StartSenderAsync();

        var sent = await _telegram.WaitForSentCountAsync(20, Timeout);

        var rows = await Eventually.HoldsAsync(RowsAsync, r => r.All(x => x.State == "sent"), Timeout, "all rows sent");
        Assert.Multiple(() =>
        {
            Assert.That(sent.Where(m => m.ChatId == 1).Select(m => m.Text), Is.EqualTo(Enumerable.Range(0, 10).Select(i => $"one-{i}")));
            Assert.That(sent.Where(m => m.ChatId == 2).Select(m => m.Text), Is.EqualTo(Enumerable.Range(0, 10).Select(i => $"two-{i}")));
            Assert.That(rows.Select(r => r.MessageId), Is.EquivalentTo(sent.Select(m => (long?)m.MessageId)));
        });
    }

    [Test]
    public async Task OneRequestInFlightPerChat()
    {
        _telegram.Hang("sendMessage");
        await EnqueueAsync(1, "a");
        await EnqueueAsync(1, "b");
        await EnqueueAsync(2, "c");
        await StartSenderAsync();

        await Eventually.HoldsAsync(() => Task.FromResult(_telegram.Requests.Count(r => r.Method == "sendMessage")), n => n >= 2, Timeout, "two chats in flight");
        await Task.Delay(300); // give a wrongly eager sender the chance to send "b"
        var requests = _telegram.Requests.Where(r => r.Method == "sendMessage").ToList();
        _telegram.ReleaseHangs();

        Assert.That(requests.Select(r => r.Text), Is.EquivalentTo(new[] { "a", "c" }));
        await _telegram.WaitForSentAsync(s => s.Any(m => m.Text == "b"), Timeout);
    }

    [Test]
    public async Task TooManyRequests_PausesOnlyThatChat_ForRetryAfter()
    {
        _telegram.TooManyRequests("sendMessage", retryAfter: 2, chatId: 1);
        await EnqueueAsync(1, "first to one");
        await EnqueueAsync(1, "second to one");
        await StartSenderAsync();
        await Eventually.HoldsAsync(() => Task.FromResult(_telegram.Requests.Count(r => r.ChatId == 1)), n => n >= 1, Timeout, "first try");
        await EnqueueAsync(2, "to two");

        var sent = await _telegram.WaitForSentAsync(s => s.Count(m => m.ChatId == 1) == 2 && s.Any(m => m.ChatId == 2), Timeout);

        var refused = _telegram.Requests.First(r => r.ChatId == 1);
        var retried = sent.First(m => m.ChatId == 1);
        Assert.Multiple(() =>
        {
            Assert.That(retried.At - refused.At, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(2)), "no send before retry_after");
            Assert.That(sent.Single(m => m.ChatId == 2).At, Is.LessThan(retried.At), "other chats are not held up");
            Assert.That(sent.Where(m => m.ChatId == 1).Select(m => m.Text), Is.EqualTo(new[] { "first to one", "second to one" }));
            Assert.That(_statistics.TooManyRequestsCount, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task ServerErrors_AreRetriedWithBackoff_UntilSent()
    {
        _telegram.Fail("sendMessage", 502, "Bad Gateway", times: 2);
        await EnqueueAsync(1, "eventually");
        await StartSenderAsync();

        await _telegram.WaitForSentAsync(s => s.Any(m => m.Text == "eventually"), Timeout);

        var row = (await Eventually.HoldsAsync(RowsAsync, r => r[0].State == "sent", Timeout, "sent")).Single();
        var tries = _telegram.Requests.Where(r => r.Method == "sendMessage").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(row.Attempts, Is.EqualTo(3));
            Assert.That(tries, Has.Count.EqualTo(3));
            Assert.That(tries[2].At - tries[1].At, Is.GreaterThan(tries[1].At - tries[0].At), "backoff grows");
        });
    }

    [Test]
    public async Task OtherClientErrors_AreRecordedAndNotRetried_AndTheChatGoesOn()
    {
        _telegram.Fail("sendMessage", 400, "Bad Request: chat not found", chatId: 1);
        await EnqueueAsync(1, "refused");
        await EnqueueAsync(1, "next one");
        await StartSenderAsync();

        await _telegram.WaitForSentAsync(s => s.Any(m => m.Text == "next one"), Timeout);

        var rows = await Eventually.HoldsAsync(RowsAsync, r => r[1].State == "sent", Timeout, "second sent");
        Assert.Multiple(() =>
        {
            Assert.That(rows[0].State, Is.EqualTo("failed"));
            Assert.That(rows[0].LastError, Does.Contain("chat not found"));
            Assert.That(_telegram.Requests.Count(r => r.Text == "refused"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task BlockedByUser_MarksTheChatBlocked()
    {
        _telegram.Blocked(chatId: 5);
        await EnqueueAsync(5, "are you there?");
        await StartSenderAsync();

        var reason = await Eventually.HoldsAsync(
            async () => (await _db.QueryAsync<string>("SELECT reason FROM blocked_chats WHERE chat_id = 5")).SingleOrDefault(),
            r => r is not null, Timeout, "chat marked blocked");

        Assert.Multiple(async () =>
        {
            Assert.That(reason, Does.Contain("blocked by the user"));
            Assert.That((await RowsAsync()).Single().State, Is.EqualTo("failed"));
        });
    }

    [Test]
    public async Task PrivateChatLimit_HoldsTheSustainedRate_AfterABurst()
    {
        var limits = new SendLimitOptions
        {
            PrivateChat = new RateOptions { Messages = 1, Per = TimeSpan.FromMilliseconds(400), Burst = 2 },
        };
        for (var i = 0; i < 6; i++) await EnqueueAsync(1, $"m{i}");
        await StartSenderAsync(limits);

        var sent = await _telegram.WaitForSentCountAsync(6, Timeout);

        // Two at once (the burst), then one per 400 ms: the sixth cannot go before 4 × 400 ms.
        Assert.That(sent[5].At - sent[0].At, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(1500)));
    }

    [Test]
    public async Task GroupLimit_AppliesToNegativeChatIds()
    {
        var limits = new SendLimitOptions
        {
            Group = new RateOptions { Messages = 2, Per = TimeSpan.FromSeconds(1), Burst = 1 },
        };
        for (var i = 0; i < 4; i++) await EnqueueAsync(-100, $"g{i}");
        await StartSenderAsync(limits);

        var sent = await _telegram.WaitForSentCountAsync(4, Timeout);

        Assert.That(sent[3].At - sent[0].At, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(1400)));
    }
}
