using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Crash;

/// <summary>
/// The host process killed outright (SIGKILL) at the worst moments, then started again on the same database:
/// every update is handled exactly once and every outbox row sent, none twice except a request in flight.
/// </summary>
[Category("Crash")]
public sealed class CrashTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
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

    private HostProcess StartHost() => HostProcess.Start(new Dictionary<string, string?>
    {
        ["Telegram__BotToken"] = FakeBotApi.Token,
        ["Telegram__ApiBaseUrl"] = _telegram.BaseUrl,
        ["Telegram__PollTimeout"] = "00:00:01",
        ["Telegram__Limits__Enabled"] = "false",
        ["Database__ConnectionString"] = _db.ConnectionString, ["Database__Provider"] = _db.Provider.ToString(),
        ["AdminApi__ApiKey"] = "crash-test-admin-api-key",
    }, _db.Folder);

    private Task<long> CountAsync(string sql) => _db.ScalarAsync<long>(sql);

    private async Task<long> CountOrZeroAsync(string sql)
    {
        try { return await CountAsync(sql); }
        catch (System.Data.Common.DbException) { return 0; } // schema not there yet
    }

    [Test]
    public async Task KilledAfterReceivingUpdatesButBeforeHandlingThem_RestartHandlesEachExactlyOnce()
    {
        const int chats = 500, perChat = 10, total = chats * perChat;
        for (var i = 0; i < perChat; i++)
            for (var chat = 1; chat <= chats; chat++)
                _telegram.ClientSends(10_000 + chat, "/start no-such-invite"); // answered every time (a stranger's plain message once a day)

        using (var first = StartHost())
        {
            await Eventually.HoldsAsync(() => CountOrZeroAsync("SELECT COUNT(*) FROM inbox"), n => n > 0, Timeout, "first updates committed");
            first.Kill();
        }
        var pendingAtDeath = await CountAsync("SELECT COUNT(*) FROM inbox WHERE state = 'pending'");
        var receivedAtDeath = await CountAsync("SELECT COUNT(*) FROM inbox");
        Assert.That(pendingAtDeath, Is.GreaterThan(0), "the kill must leave committed but unhandled updates");

        using var second = StartHost();
        await _telegram.WaitForSentCountAsync(total, Timeout);
        await Eventually.HoldsAsync(() => CountAsync("SELECT COUNT(*) FROM outbox WHERE state = 'sent'"), n => n == total, Timeout, "outbox drained");

        Assert.Multiple(async () =>
        {
            Assert.That(receivedAtDeath, Is.LessThan(total), "the kill came before all updates were received");
            Assert.That(await CountAsync("SELECT COUNT(*) FROM inbox WHERE state = 'handled'"), Is.EqualTo(total));
            Assert.That(await CountAsync("SELECT COUNT(*) FROM outbox"), Is.EqualTo(total), "one reply per update, none twice");
            foreach (var chat in _telegram.Sent.GroupBy(m => m.ChatId))
                Assert.That(chat.Count(), Is.EqualTo(perChat), $"chat {chat.Key}");
            var requestsPerChat = _telegram.Requests.Where(r => r.Method == "sendMessage").GroupBy(r => r.ChatId);
            Assert.That(requestsPerChat.Max(g => g.Count()), Is.LessThanOrEqualTo(perChat + 1), "at most the in-flight request repeats");
        });
    }

    [Test]
    public async Task KilledAfterCommittingOutboxRowsButBeforeSendingThem_RestartSendsEachOnce()
    {
        const int chats = 50, perChat = 3, total = chats * perChat;
        for (var i = 0; i < perChat; i++)
            for (var chat = 1; chat <= chats; chat++)
                _telegram.ClientSends(20_000 + chat, "/start no-such-invite");
        _telegram.Hang("sendMessage");

        using (var first = StartHost())
        {
            await Eventually.HoldsAsync(() => CountOrZeroAsync("SELECT COUNT(*) FROM outbox"), n => n == total, Timeout, "all replies queued");
            await Eventually.HoldsAsync(() => Task.FromResult(_telegram.Requests.Count(r => r.Method == "sendMessage")), n => n == chats,
                Timeout, "one request in flight per chat");
            first.Kill();
        }
        Assert.That(await CountAsync("SELECT COUNT(*) FROM outbox WHERE state = 'sent'"), Is.Zero, "nothing was answered before the kill");
        _telegram.ClearFaults();

        using var second = StartHost();
        await _telegram.WaitForSentCountAsync(total, Timeout);
        await Eventually.HoldsAsync(() => CountAsync("SELECT COUNT(*) FROM outbox WHERE state = 'sent'"), n => n == total, Timeout, "outbox drained");

        Assert.Multiple(async () =>
        {
            Assert.That(await CountAsync("SELECT COUNT(*) FROM outbox"), Is.EqualTo(total));
            Assert.That(await CountAsync("SELECT COUNT(*) FROM inbox WHERE state = 'handled'"), Is.EqualTo(total));
            // The request in flight at the kill may or may not have reached the chat; nothing else repeats.
            foreach (var chat in _telegram.Sent.GroupBy(m => m.ChatId))
                Assert.That(chat.Count(), Is.InRange(perChat, perChat + 1), $"chat {chat.Key}");
            foreach (var chat in _telegram.Requests.Where(r => r.Method == "sendMessage").GroupBy(r => r.ChatId))
                Assert.That(chat.Count(), Is.EqualTo(perChat + 1), $"chat {chat.Key}");
        });
    }

    [Test]
    public async Task KilledWhileTelegramHoldsUnconfirmedUpdates_TheyAreDeliveredAgainAndHandledOnce()
    {
        for (var chat = 1; chat <= 20; chat++) _telegram.ClientSends(30_000 + chat, "/start no-such-invite");
        // The first getUpdates answer never arrives: the host dies with the batch in the air.
        _telegram.Hang("getUpdates", times: 1);

        using (var first = StartHost())
        {
            await Eventually.HoldsAsync(() => Task.FromResult(_telegram.GetUpdatesCalls + _telegram.Requests.Count(r => r.Method == "getUpdates")),
                n => n > 0, Timeout, "getUpdates called");
            first.Kill();
        }
        _telegram.ClearFaults();

        using var second = StartHost();
        await _telegram.WaitForSentCountAsync(20, Timeout);
        await Eventually.HoldsAsync(() => CountAsync("SELECT COUNT(*) FROM inbox WHERE state = 'handled'"), n => n == 20, Timeout, "handled");
        Assert.That(_telegram.Sent.GroupBy(m => m.ChatId).Select(g => g.Count()), Is.All.EqualTo(1));
    }
}
