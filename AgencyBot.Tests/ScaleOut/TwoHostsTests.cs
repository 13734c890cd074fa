using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using AgencyBot.Core.Projects;
using AgencyBot.Tests.Fakes;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.ScaleOut;

/// <summary>
/// Two hosts as separate processes on one PostgreSQL database, in webhook mode behind a (test-played) load balancer,
/// one Bot API: updates spread over both, Quartz clustered, then one host killed outright.
/// </summary>
[Category("Chaos")]
public sealed partial class TwoHostsTests
{
    private const long StaffChat = -1009000;
    private const long Manager = 9500;
    private const string Secret = "two-hosts-secret";
    private const int Chats = 10;
    private const int PerChat = 30;

    [GeneratedRegex(@"c(?<chat>\d+)-(?<seq>\d+)#")]
    private static partial Regex Marker();

    private static List<(int Chat, int Seq, int Post)> Lines(IEnumerable<SentMessage> posts) =>
        posts.Where(m => m.ChatId == StaffChat && m.Text is not null)
            .SelectMany((m, i) => Marker().Matches(m.Text!).Select(x => (int.Parse(x.Groups["chat"].Value, CultureInfo.InvariantCulture), int.Parse(x.Groups["seq"].Value, CultureInfo.InvariantCulture), i)))
            .ToList();

    [Test]
    public async Task TwoHostsOnOnePostgres_UpdatesSpreadOverBoth_OneKilled_EveryMessageRelayedOnce_EveryJobFiredOnce()
    {
        TempDatabase.RequirePostgres();
        await using var telegram = await FakeBotApi.StartAsync();
        telegram.DefineGroup(StaffChat, "Staff", isForum: true);
        await using var db = await TempDatabase.CreateMigratedAsync();
        await db.ExecuteAsync("""
            INSERT INTO staff (telegram_user_id, name, role, created_at, started_bot) VALUES (9001, 'Marie', 'assistant', 0, 1), (@Manager, 'Paul', 'manager', 0, 1);
            INSERT INTO clients (name, created_at) VALUES ('Acme', 0);
            INSERT INTO projects (client_id, name, created_at) VALUES (1, 'Website launch', 0);
            """, new { Manager });
        for (var chat = 0; chat < Chats; chat++)
            await db.Database.WriteAsync((c, t) => ChatBindingStore.BindChatAsync(c, t, 50_000 + chat, 1, DateTimeOffset.UtcNow));

        var ports = new[] { Wire.FreePort(), Wire.FreePort() };
        HostProcess Start(int port) => HostProcess.Start(new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Telegram__BotToken"] = FakeBotApi.Token, ["Telegram__ApiBaseUrl"] = telegram.BaseUrl,
            ["Telegram__Mode"] = "Webhook", ["Telegram__WebhookUrl"] = "https://bot.example.com/telegram/hook", ["Telegram__WebhookSecret"] = Secret,
            ["Telegram__Limits__Enabled"] = "false",
            ["Database__Provider"] = db.Provider.ToString(), ["Database__ConnectionString"] = db.ConnectionString,
            ["AdminApi__ApiKey"] = "two-hosts-admin-api-key",
            [$"Logging__LogLevel__{typeof(AgencyBot.Core.Sending.SendingLease).FullName}"] = "Information", // says which host sends
            ["Agency__StaffChatId"] = StaffChat.ToString(CultureInfo.InvariantCulture),
            // Always open, and a waiting client escalates to the manager after a few seconds; both hosts check every second.
            ["Agency__BusinessHours"] = "",
            ["Sla__CheckInterval"] = "00:00:01", ["Sla__Remind"] = "00:00:02", ["Sla__FirstResponse"] = "00:00:03", ["Sla__Escalate"] = "00:00:04",
            // The day's digest is due at once: both hosts try it on start.
            ["Digest__Time"] = "00:00",
        }, db.Folder);

        using var hostA = Start(ports[0]);
        using var hostB = Start(ports[1]);
        HostProcess[] hosts = [hostA, hostB];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var port in ports)
            await Eventually.HoldsAsync(() => HealthyAsync(http, port), ok => ok, TimeSpan.FromSeconds(60), $"host on {port} up");
        await Eventually.HoldsAsync(() => db.ScalarAsync<long>("SELECT COUNT(*) FROM qrtz_scheduler_state"), n => n == 2, TimeSpan.FromSeconds(30),
            "both schedulers checked in to the cluster");

        // First half: the load balancer alternates between the hosts.
        var updateId = 1;
        for (var seq = 0; seq < PerChat / 2; seq++)
            for (var chat = 0; chat < Chats; chat++, updateId++)
                await PostAsync(http, ports[updateId % 2], Wire.TextUpdate(updateId, 50_000 + chat, $"c{chat}-{seq}#"));
        // Both hosts run the SLA job every second, and both tried the digest on start: each conversation escalates once,
        // the manager gets one digest.
        await telegram.WaitForSentAsync(sent => sent.Count(m => m.ChatId == Manager && m.Text?.StartsWith("🚨", StringComparison.Ordinal) == true) >= Chats,
            TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(3)); // more checks on both hosts: they must change nothing

        // The host that sends dies right after acknowledging an update, with whatever it was doing; the other must
        // handle what it left and take over sending.
        var sender = Array.FindIndex(hosts, h => h.Output.Contains("This host now sends the outbox", StringComparison.Ordinal));
        Assert.That(sender, Is.Not.EqualTo(-1), "one host sends");
        var survivor = 1 - sender;
        await PostAsync(http, ports[sender], Wire.TextUpdate(updateId++, 50_000, $"c0-{PerChat / 2}#"));
        hosts[sender].Kill();
        for (var seq = PerChat / 2; seq < PerChat; seq++)
            for (var chat = 0; chat < Chats; chat++)
            {
                if (chat == 0 && seq == PerChat / 2) continue; // went to the killed host
                await PostAsync(http, ports[survivor], Wire.TextUpdate(updateId++, 50_000 + chat, $"c{chat}-{seq}#"));
            }

        await telegram.WaitForSentAsync(sent => Lines(sent).Select(l => (l.Chat, l.Seq)).Distinct().Count() == Chats * PerChat, TimeSpan.FromSeconds(90));
        await Eventually.HoldsAsync(() => db.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE state = 'pending'"), n => n == 0, TimeSpan.FromSeconds(30), "drained");

        var lines = Lines(telegram.Sent);
        var toManager = telegram.SentTo(Manager);
        Assert.Multiple(async () =>
        {
            Assert.That(lines.Select(l => (l.Chat, l.Seq)).Distinct().Count(), Is.EqualTo(Chats * PerChat), "every message relayed");
            foreach (var chat in lines.GroupBy(l => l.Chat))
                Assert.That(chat.Select(l => l.Seq).Distinct(), Is.EqualTo(Enumerable.Range(0, PerChat)), $"order of chat {chat.Key}");
            // Telegram has no idempotency key: only a request in flight at the kill could reach it twice.
            Assert.That(lines.GroupBy(l => (l.Chat, l.Seq)).Where(g => g.Count() > 1).SelectMany(g => g.Skip(1).Select(l => l.Post)).Distinct().Count(),
                Is.LessThanOrEqualTo(1), "posts repeated");
            Assert.That(toManager.Count(m => m.Text!.StartsWith("🚨", StringComparison.Ordinal)), Is.EqualTo(Chats), "one escalation per waiting conversation");
            Assert.That(toManager.Count(m => m.Text!.StartsWith("📊 Daily digest", StringComparison.Ordinal)), Is.EqualTo(1), "one digest");
            Assert.That(await db.ScalarAsync<long>("SELECT COUNT(*) FROM messages WHERE direction = 'client'"), Is.EqualTo(Chats * PerChat), "recorded once");
            Assert.That(await db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE state <> 'handled'"), Is.Zero, "the survivor handled the dead host's updates");
            Assert.That(hosts[survivor].Output, Does.Contain("This host now sends the outbox"), "the survivor took over sending");
        });
    }


    private static async Task<bool> HealthyAsync(HttpClient http, int port)
    {
        try { return (await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health"))).IsSuccessStatusCode; }
        catch (HttpRequestException) { return false; }
    }

    private static async Task PostAsync(HttpClient http, int port, string body)
    {
        using var request = Wire.WebhookCall(new Uri($"http://127.0.0.1:{port}/telegram/hook"), body, Secret);
        using var response = await http.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the webhook acknowledged the update");
    }

}
