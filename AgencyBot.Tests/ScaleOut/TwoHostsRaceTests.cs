using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using AgencyBot.Core.Projects;
using AgencyBot.Tests.Fakes;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.ScaleOut;

/// <summary>
/// Two host processes on one PostgreSQL database, each asked at the same moment to do what reads and then writes the
/// same rows: with the write lock no longer one for everything, each race must still end as if one went after the other.
/// </summary>
[Category("Chaos")]
public sealed class TwoHostsRaceTests
{
    private const long StaffChat = -1009000;
    private const string Secret = "race-secret";
    private const string ApiKey = "race-admin-api-key-0123456789";

    private static HostProcess Start(FakeBotApi telegram, TempDatabase db, int port) => HostProcess.Start(new Dictionary<string, string?>
    {
        ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
        ["Telegram__BotToken"] = FakeBotApi.Token, ["Telegram__ApiBaseUrl"] = telegram.BaseUrl,
        ["Telegram__Mode"] = "Webhook", ["Telegram__WebhookUrl"] = "https://bot.example.com/telegram/hook", ["Telegram__WebhookSecret"] = Secret,
        ["Telegram__Limits__Enabled"] = "false",
        ["Database__Provider"] = db.Provider.ToString(), ["Database__ConnectionString"] = db.ConnectionString,
        ["AdminApi__ApiKey"] = ApiKey, ["AdminApi__RateLimit__Requests"] = "1000",
        ["Agency__StaffChatId"] = StaffChat.ToString(CultureInfo.InvariantCulture), ["Agency__BusinessHours"] = "",
    }, db.Folder);

    private static async Task<(HostProcess A, HostProcess B, int[] Ports)> TwoHostsAsync(FakeBotApi telegram, TempDatabase db)
    {
        var ports = new[] { Wire.FreePort(), Wire.FreePort() };
        var a = Start(telegram, db, ports[0]);
        var b = Start(telegram, db, ports[1]);
        using var http = new HttpClient();
        foreach (var port in ports)
            await Eventually.HoldsAsync(async () =>
            {
                try { return (await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health"))).IsSuccessStatusCode; }
                catch (HttpRequestException) { return false; }
            }, ok => ok, TimeSpan.FromSeconds(60), $"host on {port} up");
        return (a, b, ports);
    }

    [Test]
    public async Task TasksCreatedOnBothHostsAtOnce_AreNumberedOneToN_WithoutAGapOrATwin()
    {
        TempDatabase.RequirePostgres();
        await using var telegram = await FakeBotApi.StartAsync();
        telegram.DefineGroup(StaffChat, "Staff", isForum: true);
        await using var db = await TempDatabase.CreateMigratedAsync();
        await db.ExecuteAsync("INSERT INTO clients (name, created_at) VALUES ('Acme', 0); INSERT INTO projects (client_id, name, created_at) VALUES (1, 'Website', 0);");
        var (a, b, ports) = await TwoHostsAsync(telegram, db);
        using (a)
        using (b)
        {
            using var http = new HttpClient();
            http.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
            var created = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
                http.PostAsJsonAsync(new Uri($"http://127.0.0.1:{ports[i % 2]}/api/projects/1/tasks"), new { title = $"Task {i}" })));

            Assert.Multiple(async () =>
            {
                Assert.That(created.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.Created));
                Assert.That(await db.QueryAsync<long>("SELECT number FROM tasks WHERE project_id = 1 ORDER BY number"), Is.EqualTo(Enumerable.Range(1, 40)));
            });
        }
    }

    [Test]
    public async Task ClientsOfTenProjectsWritingToBothHostsAtOnce_AreEachFiledOnce_UnderTheirOwnProject()
    {
        TempDatabase.RequirePostgres();
        await using var telegram = await FakeBotApi.StartAsync();
        telegram.DefineGroup(StaffChat, "Staff", isForum: true);
        await using var db = await TempDatabase.CreateMigratedAsync();
        const int projects = 10;
        await db.ExecuteAsync("INSERT INTO staff (telegram_user_id, name, role, created_at, started_bot) VALUES (9001, 'Marie', 'assistant', 0, 1); INSERT INTO clients (name, created_at) VALUES ('Acme', 0);");
        for (var p = 1; p <= projects; p++)
        {
            await db.ExecuteAsync("INSERT INTO projects (id, client_id, name, created_at) VALUES (@p, 1, 'Project ' || @p, 0)", new { p });
            await db.Database.WriteAsync((c, t) => ChatBindingStore.BindChatAsync(c, t, 70_000 + p, p, DateTimeOffset.UtcNow));
        }
        var (a, b, ports) = await TwoHostsAsync(telegram, db);
        using (a)
        using (b)
        {
            using var http = new HttpClient();
            // Every chat writes four times at once, to both hosts: each host handles its own updates of many projects
            // side by side, and a chat's updates on the two hosts must still be filed in order, each once.
            var updateId = 1;
            var sends = new List<Task>();
            for (var p = 1; p <= projects; p++)
                for (var i = 0; i < 4; i++, updateId++)
                    sends.Add(PostAsync(http, ports[updateId % 2], Wire.TextUpdate(updateId, 70_000 + p, $"p{p}-{i}#")));
            await Task.WhenAll(sends);

            await Eventually.HoldsAsync(() => db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE state = 'handled'"), n => n == projects * 4,
                TimeSpan.FromSeconds(60), "every update handled");
            var filed = await db.QueryAsync<(long ProjectId, long ChatId, long Messages)>("""
                SELECT c.project_id, c.chat_id, COUNT(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id
                WHERE m.direction = 'client' GROUP BY c.project_id, c.chat_id ORDER BY c.project_id
                """);

            Assert.Multiple(async () =>
            {
                Assert.That(filed, Is.EqualTo(Enumerable.Range(1, projects).Select(p => ((long)p, 70_000L + p, 4L))), "four messages under each chat's own project");
                Assert.That(await db.ScalarAsync<long>("SELECT COUNT(*) FROM conversations"), Is.EqualTo(projects), "one conversation each, not two made side by side");
            });
        }
    }

    private static async Task PostAsync(HttpClient http, int port, string body)
    {
        using var request = Wire.WebhookCall(new Uri($"http://127.0.0.1:{port}/telegram/hook"), body, Secret);
        using var response = await http.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
