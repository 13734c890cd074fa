using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
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

    private FakeBotApi _telegram = null!;
    private TempDatabase _db = null!;

    /// <summary>Every test: a fake Bot API with the staff forum, and a migrated PostgreSQL database.</summary>
    [SetUp]
    public async Task StartAsync()
    {
        TempDatabase.RequirePostgres();
        _telegram = await FakeBotApi.StartAsync();
        _telegram.DefineGroup(StaffChat, "Staff", isForum: true);
        _db = await TempDatabase.CreateMigratedAsync();
    }

    [TearDown]
    public async Task StopAsync()
    {
        if (_db is not null) await _db.DisposeAsync();
        if (_telegram is not null) await _telegram.DisposeAsync();
    }

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

    /// <summary>Client Acme with one project (id 1), and both hosts up.</summary>
    private async Task<(HostProcess A, HostProcess B, int[] Ports)> OneProjectOnTwoHostsAsync()
    {
        await _db.ExecuteAsync("INSERT INTO clients (name, created_at) VALUES ('Acme', 0); INSERT INTO projects (client_id, name, created_at) VALUES (1, 'Website', 0);");
        return await TwoHostsAsync(_telegram, _db);
    }

    private static HttpClient AdminApiClient()
    {
        var http = new HttpClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        return http;
    }

    /// <summary>Marie the assistant, client Acme, and <paramref name="projects"/> projects (ids 1…n), each with one client
    /// chat bound to it (70,000 + its id).</summary>
    private static async Task ProjectsWithAClientEachAsync(TempDatabase db, int projects)
    {
        await db.ExecuteAsync("INSERT INTO staff (telegram_user_id, name, role, created_at, started_bot) VALUES (9001, 'Marie', 'assistant', 0, 1); INSERT INTO clients (name, created_at) VALUES ('Acme', 0);");
        for (var p = 1; p <= projects; p++)
        {
            await db.ExecuteAsync("INSERT INTO projects (id, client_id, name, created_at) VALUES (@p, 1, 'Project ' || @p, 0)", new { p });
            await db.Database.WriteAsync((c, t) => ChatBindingStore.BindChatAsync(c, t, 70_000 + p, p, DateTimeOffset.UtcNow));
        }
    }

    /// <summary>Two projects with a client each, both hosts up, and each client's question ("question 1", "question 2")
    /// posted to the first host.</summary>
    private async Task<(HostProcess A, HostProcess B, int[] Ports)> TwoProjectsAskingOnTwoHostsAsync(HttpClient http)
    {
        await ProjectsWithAClientEachAsync(_db, 2);
        var hosts = await TwoHostsAsync(_telegram, _db);
        for (var p = 1; p <= 2; p++) await PostAsync(http, hosts.Ports[0], Wire.TextUpdate(p, 70_000 + p, $"question {p}"));
        return hosts;
    }

    [Test]
    public async Task TasksCreatedOnBothHostsAtOnce_AreNumberedOneToN_WithoutAGapOrATwin()
    {
        var (a, b, ports) = await OneProjectOnTwoHostsAsync();
        using (a)
        using (b)
        {
            using var http = AdminApiClient();
            var created = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
                http.PostAsJsonAsync(new Uri($"http://127.0.0.1:{ports[i % 2]}/api/projects/1/tasks"), new { title = $"Task {i}" })));

            Assert.Multiple(async () =>
            {
                Assert.That(created.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.Created));
                Assert.That(await _db.QueryAsync<long>("SELECT number FROM tasks WHERE project_id = 1 ORDER BY number"), Is.EqualTo(Enumerable.Range(1, 40)));
            });
        }
    }

    /// <summary>/task in two projects' topics, sent to both hosts at once: they lock only their project, so the two
    /// projects' commands run beside each other, and within a project they still take turns.</summary>
    [Test]
    public async Task TaskCommandsInTwoTopicsOnBothHostsAtOnce_AreNumberedOneToN_PerProject_EachAnsweredOnce()
    {
        const int perProject = 15;
        using var http = new HttpClient();
        var (a, b, ports) = await TwoProjectsAskingOnTwoHostsAsync(http);
        using (a)
        using (b)
        {
            var topics = (await Eventually.HoldsAsync(() => _db.QueryAsync<(long Project, long Thread)>("SELECT project_id, thread_id FROM staff_topics"),
                t => t.Count == 2, TimeSpan.FromSeconds(60), "both projects' topics")).ToDictionary(t => t.Project, t => (int)t.Thread);
            await Task.WhenAll(Enumerable.Range(0, 2 * perProject).Select(i =>
                PostAsync(http, ports[i % 2], StaffTopicMessage(300 + i, topics[1 + i / perProject], $"/task Task {i}"))));
            await Eventually.HoldsAsync(() => _db.ScalarAsync<long>("SELECT COUNT(*) FROM tasks"), n => n == 2 * perProject,
                TimeSpan.FromSeconds(60), "every task created");
            await Eventually.HoldsAsync(() => _db.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE state = 'pending'"), n => n == 0,
                TimeSpan.FromSeconds(60), "every answer delivered");

            Assert.Multiple(async () =>
            {
                foreach (var project in new[] { 1L, 2L })
                    Assert.That(await _db.QueryAsync<long>("SELECT number FROM tasks WHERE project_id = @project ORDER BY number", new { project }),
                        Is.EqualTo(Enumerable.Range(1, perProject)), $"project {project}: numbered 1 to {perProject}");
                foreach (var i in Enumerable.Range(0, 2 * perProject))
                    Assert.That(_telegram.SentTo(StaffChat).Count(m => (int?)m.Request.Body["reply_parameters"]?["message_id"] == 10_000 + 300 + i),
                        Is.EqualTo(1), $"/task {i} answered once");
            });
        }
    }

    /// <summary>"Make a task" under two projects' relayed questions, pressed many times on both hosts at once (a double
    /// tap, two colleagues): each press locks the project of the message it names, so the presses on one message take
    /// turns; the first makes the task, every other finds it made, and each press is answered once.</summary>
    [Test]
    public async Task MakeATaskPressedOnBothHostsAtOnce_MakesOneTaskPerMessage_AndAnswersEachPressOnce()
    {
        const int pressesPerQuestion = 10;
        using var http = new HttpClient();
        var (a, b, ports) = await TwoProjectsAskingOnTwoHostsAsync(http);
        using (a)
        using (b)
        {
            var relays = await Eventually.HoldsAsync(() => Task.FromResult(_telegram.SentTo(StaffChat)
                    .Where(m => m.Text?.Contains("question", StringComparison.Ordinal) == true && m.Request.Body["reply_markup"] is not null).ToList()),
                r => r.Count == 2, TimeSpan.FromSeconds(60), "both questions relayed with their buttons");
            var presses = relays.SelectMany(relay => Enumerable.Range(0, pressesPerQuestion).Select(_ => relay))
                .Select((relay, i) => StaffPress(500 + i, relay, relay.Button("Make a task"))).ToList();
            await Task.WhenAll(presses.Select((press, i) => PostAsync(http, ports[i % 2], press)));
            var answers = await Eventually.HoldsAsync(() => Task.FromResult(_telegram.Requests
                    .Where(r => r.Method.Equals("answerCallbackQuery", StringComparison.OrdinalIgnoreCase)).ToList()),
                r => r.Count >= presses.Count, TimeSpan.FromSeconds(60), "every press answered");

            Assert.Multiple(async () =>
            {
                Assert.That(await _db.QueryAsync<(long, long)>("SELECT project_id, number FROM tasks ORDER BY project_id"),
                    Is.EqualTo(new[] { (1L, 1L), (2L, 1L) }), "one task per question, #1 in each project");
                Assert.That(answers.Select(r => (string?)r.Body["callback_query_id"]).Distinct().Count(), Is.EqualTo(answers.Count), "each press answered once");
                Assert.That(answers.Count(r => r.Text == "Task #1 created."), Is.EqualTo(2), "one press per question made its task");
                Assert.That(answers.Count(r => r.Text == "Task #1 was made from this message already."), Is.EqualTo(presses.Count - 2),
                    "every other press found it made");
            });
        }
    }

    /// <summary>One single-use invite opened by ten chats on both hosts at once (a link forwarded to a group chat, say):
    /// each /start locks the invite's project, so they take turns; the first links its chat, every other is told the
    /// link was already used, and nothing else is linked.</summary>
    [Test]
    public async Task OneInviteOpenedByTenChatsOnBothHostsAtOnce_LinksTheFirstChatOnly_AndTellsEveryOther()
    {
        const int chats = 10;
        var (a, b, ports) = await OneProjectOnTwoHostsAsync();
        using (a)
        using (b)
        {
            using var http = AdminApiClient();
            using var invite = await http.PostAsync(new Uri($"http://127.0.0.1:{ports[0]}/api/projects/1/invites"), null);
            var code = (string?)(await invite.Content.ReadFromJsonAsync<JsonObject>())!["code"];
            await Task.WhenAll(Enumerable.Range(0, chats).Select(i => PostAsync(http, ports[i % 2], Wire.TextUpdate(700 + i, 80_000 + i, $"/start {code}"))));
            var answers = await Eventually.HoldsAsync(() => Task.FromResult(Enumerable.Range(0, chats).Select(i => _telegram.SentTo(80_000 + i)).ToList()),
                sent => sent.All(s => s.Count > 0), TimeSpan.FromSeconds(60), "every chat answered");

            Assert.Multiple(async () =>
            {
                Assert.That(await _db.ScalarAsync<long>("SELECT COUNT(*) FROM chat_bindings WHERE project_id = 1"), Is.EqualTo(1), "one chat linked");
                Assert.That(answers.Count(s => s.Any(m => m.Text?.StartsWith("Welcome!", StringComparison.Ordinal) == true)), Is.EqualTo(1), "one welcomed");
                Assert.That(answers.Count(s => s.Any(m => m.Text?.Contains("already used", StringComparison.Ordinal) == true)), Is.EqualTo(chats - 1),
                    "every other told the link was used");
            });
        }
    }

    /// <summary>Marie presses a button under a message the bot posted in the staff forum, as Telegram sends the press.</summary>
    private static string StaffPress(int updateId, SentMessage under, string data) => new JsonObject
    {
        ["update_id"] = updateId,
        ["callback_query"] = new JsonObject
        {
            ["id"] = $"press-{updateId}", ["chat_instance"] = "staff-forum", ["data"] = data,
            ["from"] = new JsonObject { ["id"] = 9001, ["is_bot"] = false, ["first_name"] = "Marie" },
            ["message"] = new JsonObject
            {
                ["message_id"] = under.MessageId, ["date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["text"] = under.Text,
                ["message_thread_id"] = under.ThreadId, ["is_topic_message"] = true,
                ["chat"] = new JsonObject { ["id"] = StaffChat, ["type"] = "supergroup", ["title"] = "Staff", ["is_forum"] = true },
                ["from"] = new JsonObject { ["id"] = FakeBotApi.BotId, ["is_bot"] = true, ["first_name"] = "Agency", ["username"] = FakeBotApi.BotUsername },
            },
        },
    }.ToJsonString();

    [Test]
    public async Task ClientsOfTenProjectsWritingToBothHostsAtOnce_AreEachFiledOnce_UnderTheirOwnProject()
    {
        const int projects = 10;
        await ProjectsWithAClientEachAsync(_db, projects);
        var (a, b, ports) = await TwoHostsAsync(_telegram, _db);
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

            await Eventually.HoldsAsync(() => _db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE state = 'handled'"), n => n == projects * 4,
                TimeSpan.FromSeconds(60), "every update handled");
            var filed = await _db.QueryAsync<(long ProjectId, long ChatId, long Messages)>("""
                SELECT c.project_id, c.chat_id, COUNT(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id
                WHERE m.direction = 'client' GROUP BY c.project_id, c.chat_id ORDER BY c.project_id
                """);

            Assert.Multiple(async () =>
            {
                Assert.That(filed, Is.EqualTo(Enumerable.Range(1, projects).Select(p => ((long)p, 70_000L + p, 4L))), "four messages under each chat's own project");
                Assert.That(await _db.ScalarAsync<long>("SELECT COUNT(*) FROM conversations"), Is.EqualTo(projects), "one conversation each, not two made side by side");
            });
        }
    }

    /// <summary>
    /// A staff answer closes the client's waiting period (when Telegram has accepted it) while the same client writes
    /// again, on the other host: the two must end as one after the other. The closing first: the period it closed is
    /// logged, and the follow-up opens a new one. The follow-up first: it joins the period, which the answer then
    /// closes. Never a period logged twice or not at all, nor a client left waiting on the period already answered.
    /// </summary>
    [Test]
    public async Task AStaffAnswerAndTheClientsNextMessage_OnTheTwoHostsAtOnce_EndAsOneAfterTheOther()
    {
        const int projects = 10;
        await ProjectsWithAClientEachAsync(_db, projects);
        // Whole seconds apart, as Telegram dates messages: which period a client waits in shows in its start.
        var askedAt = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 120);
        var followedUpAt = askedAt.AddSeconds(60);
        var (a, b, ports) = await TwoHostsAsync(_telegram, _db);
        using (a)
        using (b)
        {
            using var http = new HttpClient();
            for (var p = 1; p <= projects; p++) await PostAsync(http, ports[0], Dated(Wire.TextUpdate(p, 70_000 + p, $"question {p}"), askedAt));
            await Eventually.HoldsAsync(() => _db.ScalarAsync<long>("SELECT COUNT(*) FROM conversations WHERE waiting_since IS NOT NULL"), n => n == projects,
                TimeSpan.FromSeconds(60), "every client waiting");
            var topics = (await Eventually.HoldsAsync(() => _db.QueryAsync<(long Project, long Thread)>("SELECT project_id, thread_id FROM staff_topics"),
                t => t.Count == projects, TimeSpan.FromSeconds(60), "every project's topic")).ToDictionary(t => t.Project, t => (int)t.Thread);

            // The answers at once; the follow-ups staggered over the time an answer takes to be delivered, so some come
            // before its closing and some after.
            var race = new List<Task>();
            for (var p = 1; p <= projects; p++) race.Add(PostAsync(http, ports[1], StaffTopicMessage(200 + p, topics[p], $"answer {p}")));
            for (var p = 1; p <= projects; p++)
            {
                var project = p;
                race.Add(Task.Run(async () =>
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(60 * (project - 1)));
                    await PostAsync(http, ports[0], Dated(Wire.TextUpdate(100 + project, 70_000 + project, $"follow-up {project}"), followedUpAt));
                }));
            }
            await Task.WhenAll(race);
            await Eventually.HoldsAsync(() => _db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE state = 'handled'"), n => n == projects * 3,
                TimeSpan.FromSeconds(60), "every update handled");
            await Eventually.HoldsAsync(() => _db.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE state = 'pending'"), n => n == 0,
                TimeSpan.FromSeconds(60), "every answer delivered");

            var ends = await _db.QueryAsync<(long Project, long Logged, long? LoggedSince, long? WaitingSince)>("""
                SELECT c.project_id, (SELECT COUNT(*) FROM response_log r WHERE r.conversation_id = c.id),
                       (SELECT MIN(r.waiting_since) FROM response_log r WHERE r.conversation_id = c.id), c.waiting_since
                FROM conversations c ORDER BY c.project_id
                """);
            TestContext.Out.WriteLine($"the follow-up came after the closing in {ends.Count(e => e.WaitingSince is not null)} of {projects}");
            Assert.That(ends, Has.Count.EqualTo(projects));
            Assert.Multiple(() =>
            {
                foreach (var end in ends)
                {
                    Assert.That((end.Logged, end.LoggedSince), Is.EqualTo((1L, (long?)askedAt.ToUnixTimeMilliseconds())), $"project {end.Project}: the question's period, logged once");
                    Assert.That(end.WaitingSince, Is.Null.Or.EqualTo(followedUpAt.ToUnixTimeMilliseconds()), $"project {end.Project}: waits, if at all, since the follow-up");
                    Assert.That(_telegram.SentTo(70_000 + end.Project).Count(m => m.Text?.StartsWith($"answer {end.Project}\n", StringComparison.Ordinal) == true),
                        Is.EqualTo(1), $"project {end.Project}: the answer sent once");
                }
            });
        }
    }

    private static string Dated(string update, DateTimeOffset at)
    {
        var json = JsonNode.Parse(update)!;
        json["message"]!["date"] = at.ToUnixTimeSeconds();
        return json.ToJsonString();
    }

    /// <summary>Both hosts start at once on a database with open projects that have no staff topic: each topic is
    /// opened once, not once per host.</summary>
    [Test]
    public async Task TwoHostsStartingTogether_OpenEachMissingTopicOnce()
    {
        const int projects = 10;
        await _db.ExecuteAsync("INSERT INTO clients (name, created_at) VALUES ('Acme', 0); INSERT INTO settings (key, value, updated_at) VALUES (@Key, '1', 0)",
            new { Key = $"forum:{StaffChat}" });
        for (var p = 1; p <= projects; p++)
            await _db.ExecuteAsync("INSERT INTO projects (id, client_id, name, created_at) VALUES (@p, 1, 'Project ' || @p, 0)", new { p });
        var (a, b, _) = await TwoHostsAsync(_telegram, _db);
        using (a)
        using (b)
        {
            await Eventually.HoldsAsync(() => _db.ScalarAsync<long>("SELECT COUNT(*) FROM staff_topics"), n => n == projects, TimeSpan.FromSeconds(60), "every topic recorded");
            await Eventually.HoldsAsync(() => _db.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE state = 'pending'"), n => n == 0, TimeSpan.FromSeconds(60), "outbox drained");

            Assert.Multiple(() =>
            {
                Assert.That(_telegram.Requests.Count(r => r.Method == "createForumTopic"), Is.EqualTo(projects));
                Assert.That(_telegram.Topics.Values.Order(), Is.EqualTo(Enumerable.Range(1, projects).Select(p => $"Acme · Project {p}").Order()));
            });
        }
    }

    /// <summary>Marie's message in a project's topic, as Telegram sends it from a forum: a topic message that replies to
    /// the topic's creation.</summary>
    private static string StaffTopicMessage(int updateId, int thread, string text)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        JsonObject Chat() => new() { ["id"] = StaffChat, ["type"] = "supergroup", ["title"] = "Staff", ["is_forum"] = true };
        return new JsonObject
        {
            ["update_id"] = updateId,
            ["message"] = new JsonObject
            {
                ["message_id"] = 10_000 + updateId, ["date"] = now, ["text"] = text, ["message_thread_id"] = thread, ["is_topic_message"] = true,
                ["chat"] = Chat(), ["from"] = new JsonObject { ["id"] = 9001, ["is_bot"] = false, ["first_name"] = "Marie" },
                ["reply_to_message"] = new JsonObject
                {
                    ["message_id"] = thread, ["date"] = now, ["chat"] = Chat(), ["message_thread_id"] = thread, ["is_topic_message"] = true,
                    ["from"] = new JsonObject { ["id"] = FakeBotApi.BotId, ["is_bot"] = true, ["first_name"] = "Agency", ["username"] = FakeBotApi.BotUsername },
                    ["forum_topic_created"] = new JsonObject { ["name"] = "topic", ["icon_color"] = 7322096 },
                },
            },
        }.ToJsonString();
    }

    private static async Task PostAsync(HttpClient http, int port, string body)
    {
        using var request = Wire.WebhookCall(new Uri($"http://127.0.0.1:{port}/telegram/hook"), body, Secret);
        using var response = await http.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
