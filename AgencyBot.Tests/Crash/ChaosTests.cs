using System.Text.RegularExpressions;
using AgencyBot.Core.Projects;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Crash;

/// <summary>The relay under kills, outages, 429 storms and duplicated deliveries: nothing lost, order kept.</summary>
[Category("Chaos")]
public sealed partial class ChaosTests
{
    private const long StaffChat = -1009000;

    [GeneratedRegex(@"c(?<chat>\d+)-(?<seq>\d+)#")]
    private static partial Regex Marker();

    private static List<(int Chat, int Seq, int Post)> Lines(IEnumerable<SentMessage> posts) =>
        posts.Where(m => m.ChatId == StaffChat && m.Text is not null)
            .SelectMany((m, i) => Marker().Matches(m.Text!).Select(x => (int.Parse(x.Groups["chat"].Value), int.Parse(x.Groups["seq"].Value), i)))
            .ToList();

    [Test]
    public async Task UnderTelegramsLimits_HostKilledAndRestartedWhileSending_NoChatGetsMoreThanItsLimit()
    {
        const int chats = 12, perChat = 8;
        await using var telegram = await FakeBotApi.StartAsync();
        telegram.DefineGroup(StaffChat, "Staff", isForum: false);
        // Time runs twelve times faster for the staff group: 20 posts per 5 s, for the bot and the Bot API alike.
        telegram.EnforceLimits(groupWindow: TimeSpan.FromSeconds(5));
        await using var db = await TempDatabase.CreateMigratedAsync();
        await db.ExecuteAsync("INSERT INTO clients (id, name, created_at) VALUES (1, 'Acme', 0)");
        for (var p = 1; p <= 4; p++) await db.ExecuteAsync("INSERT INTO projects (id, client_id, name, created_at) VALUES (@p, 1, 'P' || @p, 0)", new { p });
        for (var chat = 0; chat < chats; chat++)
            await db.Database.WriteAsync((c, t) => ChatBindingStore.BindChatAsync(c, t, 60_000 + chat, 1 + chat % 4, DateTimeOffset.UtcNow));
        for (var seq = 0; seq < perChat; seq++)
            for (var chat = 0; chat < chats; chat++)
                telegram.ClientSendsMedia(60_000 + chat, "photo", caption: $"c{chat}-{seq}#"); // a photo is a post of its own: nothing merges

        HostProcess Start() => HostProcess.Start(new Dictionary<string, string?>
        {
            ["Telegram__BotToken"] = FakeBotApi.Token, ["Telegram__ApiBaseUrl"] = telegram.BaseUrl, ["Telegram__PollTimeout"] = "00:00:01",
            ["Telegram__Limits__Group__Per"] = "00:00:05", ["Database__ConnectionString"] = db.ConnectionString, ["Database__Provider"] = db.Provider.ToString(),
            ["AdminApi__ApiKey"] = "chaos-test-admin-api-key", ["Agency__StaffChatId"] = StaffChat.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, db.Folder);

        for (var kill = 0; kill < 3; kill++)
        {
            using var host = Start();
            var sentBefore = telegram.Sent.Count(m => m.ChatId == StaffChat);
            await Eventually.HoldsAsync(() => Task.FromResult(telegram.Sent.Count(m => m.ChatId == StaffChat)), n => n >= sentBefore + 8,
                TimeSpan.FromSeconds(30), "the host sending at the group's pace");
            host.Kill();
        }
        using (Start())
            await telegram.WaitForSentAsync(sent => Lines(sent).Select(l => (l.Chat, l.Seq)).Distinct().Count() == chats * perChat, TimeSpan.FromMinutes(2));

        Assert.Multiple(() =>
        {
            Assert.That(telegram.TooManyServed, Is.Zero, "no 429: every restarted host kept to the group's budget");
            Assert.That(telegram.EarlySends, Is.Zero);
        });
    }

    [Test]
    public async Task TenThousandMessagesInTwoHundredChats_HostKilledTwentyTimes_EachRelayedOnceInOrder()
    {
        const int chats = 200, perChat = 50, kills = 20;
        await using var telegram = await FakeBotApi.StartAsync();
        telegram.DefineGroup(StaffChat, "Staff", isForum: true);
        await using var db = await TempDatabase.CreateMigratedAsync();
        await db.ExecuteAsync("INSERT INTO clients (id, name, created_at) VALUES (1, 'Acme', 0)");
        for (var p = 1; p <= 20; p++) await db.ExecuteAsync("INSERT INTO projects (id, client_id, name, created_at) VALUES (@p, 1, 'P' || @p, 0)", new { p });
        for (var chat = 0; chat < chats; chat++)
            await db.Database.WriteAsync((c, t) => ChatBindingStore.BindChatAsync(c, t, 50_000 + chat, 1 + chat % 20, DateTimeOffset.UtcNow));
        for (var seq = 0; seq < perChat; seq++)
            for (var chat = 0; chat < chats; chat++)
                telegram.ClientSends(50_000 + chat, $"c{chat}-{seq}#");

        HostProcess Start() => HostProcess.Start(new Dictionary<string, string?>
        {
            ["Telegram__BotToken"] = FakeBotApi.Token, ["Telegram__ApiBaseUrl"] = telegram.BaseUrl, ["Telegram__PollTimeout"] = "00:00:01",
            ["Telegram__Limits__Enabled"] = "false", ["Database__ConnectionString"] = db.ConnectionString, ["Database__Provider"] = db.Provider.ToString(), ["AdminApi__ApiKey"] = "chaos-test-admin-api-key",
            ["Agency__StaffChatId"] = StaffChat.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, db.Folder);

        var random = new Random(20);
        for (var kill = 0; kill < kills; kill++)
        {
            using var host = Start();
            // Let it get going, then pull the plug at a random moment of its work.
            await Eventually.HoldsAsync(() => Task.FromResult(telegram.GetUpdatesCalls), n => n > 0, TimeSpan.FromSeconds(30), "host polling");
            await Task.Delay(random.Next(50, 600));
            host.Kill();
        }
        using (Start())
        {
            await telegram.WaitForSentAsync(sent => Lines(sent).Select(l => (l.Chat, l.Seq)).Distinct().Count() == chats * perChat, TimeSpan.FromMinutes(3));
            await Eventually.HoldsAsync(() => db.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE state = 'pending'"), n => n == 0, TimeSpan.FromMinutes(1), "drained");
        }

        var lines = Lines(telegram.Sent);
        var firstSeen = lines.GroupBy(l => (l.Chat, l.Seq)).Select(g => g.First()).ToList();
        var postsWithRepeats = lines.GroupBy(l => (l.Chat, l.Seq)).Where(g => g.Count() > 1).SelectMany(g => g.Skip(1).Select(l => l.Post)).Distinct().Count();
        Assert.Multiple(async () =>
        {
            Assert.That(firstSeen, Has.Count.EqualTo(chats * perChat), "every message relayed");
            foreach (var chat in firstSeen.GroupBy(l => l.Chat))
                Assert.That(chat.Select(l => l.Seq), Is.EqualTo(Enumerable.Range(0, perChat)), $"order of chat {chat.Key}");
            // Only a request in flight at a kill can reach Telegram twice (Telegram has no idempotency key).
            Assert.That(postsWithRepeats, Is.LessThanOrEqualTo(kills));
            Assert.That(await db.ScalarAsync<long>("SELECT COUNT(*) FROM messages WHERE direction = 'client'"), Is.EqualTo(chats * perChat), "recorded once");
            Assert.That(await db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE state <> 'handled'"), Is.Zero);
        });
    }

    [Test]
    public async Task AThirtySecondOutage_ThenA429Storm_EverythingArrives_AndNoChatIsSentToBeforeItsRetryAfter()
    {
        await using var world = await AgencyWorld.StartAsync();
        var projects = new List<long>();
        for (var p = 0; p < 3; p++) projects.Add((await world.ProjectAsync($"Client {p}", "Site")).ProjectId);
        for (var chat = 0; chat < 6; chat++) await world.BindDirectlyAsync(60_000 + chat, projects[chat % 3]);
        await world.SettledAsync();

        world.Telegram.FailUntil("*", DateTimeOffset.UtcNow.AddSeconds(30));
        for (var seq = 0; seq < 5; seq++)
            for (var chat = 0; chat < 6; chat++)
                world.Telegram.ClientSends(60_000 + chat, $"c{chat}-{seq}#");
        // Once Telegram is back, it sheds load for a while: 429 with retry_after on every post, for each chat.
        await Eventually.HoldsAsync(() => Task.FromResult(world.Telegram.Requests.Count(r => r.Method == "getUpdates" && r.At > DateTimeOffset.UtcNow.AddSeconds(-1))),
            n => n > 0, TimeSpan.FromSeconds(90), "polling again");
        world.Telegram.TooManyRequests("sendMessage", retryAfter: 2, times: 6);

        await world.Telegram.WaitForSentAsync(sent => Lines(sent).Select(l => (l.Chat, l.Seq)).Distinct().Count() == 30, TimeSpan.FromSeconds(90));

        Assert.Multiple(() =>
        {
            Assert.That(world.Telegram.TooManyServed, Is.EqualTo(6), "the storm happened");
            Assert.That(world.Telegram.EarlySends, Is.Zero, "no send before retry_after");
            Assert.That(Lines(world.Telegram.Sent).GroupBy(l => l.Chat).Select(g => g.Select(l => l.Seq).Distinct()),
                Is.All.EqualTo(Enumerable.Range(0, 5)), "everything arrived, in order");
        });
    }

    [Test]
    public async Task EveryUpdateDeliveredThreeTimes_MakesNoDuplicateRowsOrRelays()
    {
        await using var world = await AgencyWorld.StartAsync();
        var (project, _) = await world.ProjectAsync();
        for (var chat = 0; chat < 10; chat++) await world.BindDirectlyAsync(70_000 + chat, project);
        world.Telegram.DeliverEachTimes = 3;

        for (var seq = 0; seq < 10; seq++)
            for (var chat = 0; chat < 10; chat++)
                world.Telegram.ClientSends(70_000 + chat, $"c{chat}-{seq}#");
        await world.Telegram.WaitForSentAsync(sent => Lines(sent).Select(l => (l.Chat, l.Seq)).Distinct().Count() == 100, AgencyWorld.Timeout);
        await world.SettledAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(Lines(world.Telegram.Sent), Has.Count.EqualTo(100), "no relay twice");
            Assert.That(await world.Db.ScalarAsync<long>("SELECT COUNT(*) FROM messages WHERE direction = 'client'"), Is.EqualTo(100));
            Assert.That(await world.Db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE chat_id >= 70000"), Is.EqualTo(100));
        });
    }
}
