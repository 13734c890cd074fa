using System.Text.RegularExpressions;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Conversations;

/// <summary>The relay against a Bot API that enforces Telegram's limits with 429 answers.</summary>
public sealed partial class RelayUnderLimitsTests : AgencyTest
{
    protected override bool StartsItsOwnAgency => true;


    private async Task StartAsync(bool forum = true, IDictionary<string, string?>? limits = null)
    {
        var settings = new Dictionary<string, string?> { ["Telegram:Limits:Enabled"] = "true" };
        foreach (var (k, v) in limits ?? new Dictionary<string, string?>()) settings[k] = v;
        World = await AgencyWorld.StartAsync(forum, settings);
        World.Telegram.EnforceLimits();
    }


    [GeneratedRegex(@"c(?<chat>\d+)-(?<seq>\d+)#")]
    private static partial Regex Marker();

    [Test, Category("Load")]
    public async Task TwentyChatsInFiveProjects_FivePerSecondForAMinute_AllReachStaff_InOrder_WithoutA429()
    {
        await StartAsync();
        const int chats = 20, perSecond = 5, seconds = 60, total = perSecond * seconds;
        var projects = new List<long>();
        for (var p = 0; p < 5; p++) projects.Add((await World.ProjectAsync($"Client {p}", "Website")).ProjectId);
        for (var chat = 0; chat < chats; chat++) await World.BindDirectlyAsync(10_000 + chat, projects[chat % 5]);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var sequence = new int[chats];
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds(i / (double)perSecond);
            if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
            var chat = i % chats;
            World.Telegram.ClientSends(10_000 + chat, $"c{chat}-{sequence[chat]++}#", firstName: $"Client{chat}");
        }
        await World.Telegram.WaitForSentAsync(sent => Lines(sent).Count == total, TimeSpan.FromSeconds(60));

        var lines = Lines(World.Telegram.SentTo(AgencyWorld.StaffChat));
        Assert.Multiple(() =>
        {
            Assert.That(lines, Has.Count.EqualTo(total), "every message reached the staff chat, once");
            foreach (var chat in lines.GroupBy(l => l.Chat))
                Assert.That(chat.Select(l => l.Seq), Is.EqualTo(Enumerable.Range(0, sequence[chat.Key])), $"order of chat {chat.Key}");
            Assert.That(World.Telegram.TooManyServed, Is.Zero, "no 429 served");
            Assert.That(World.Telegram.EarlySends, Is.Zero, "no send before a retry_after");
        });
    }

    [Test]
    public async Task TooManyRequests_PausesTheWholeStaffChat_NotJustOneProject()
    {
        await StartAsync(limits: new Dictionary<string, string?> { ["Telegram:Limits:Group:Per"] = "00:00:01" });
        var (a, _) = await World.ProjectAsync("Acme", "Site");
        var (b, _) = await World.ProjectAsync("Globex", "Shop");
        await World.BindDirectlyAsync(701, a);
        await World.BindDirectlyAsync(702, b);
        await World.SettledAsync(); // the projects' topics are open (their first notices sent) before Telegram says 429
        var before = World.Telegram.Requests.Count(r => r.ChatId == AgencyWorld.StaffChat && r.Method == "sendMessage");
        World.Telegram.TooManyRequests("sendMessage", retryAfter: 2, chatId: AgencyWorld.StaffChat);

        World.Telegram.ClientSends(701, "from acme");
        await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Requests.Count(r => r.ChatId == AgencyWorld.StaffChat && r.Method == "sendMessage")),
            n => n >= 1, AgencyWorld.Timeout, "first try");
        World.Telegram.ClientSends(702, "from globex");
        await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("from acme") == true) && s.Any(m => m.Text?.Contains("from globex") == true));

        var requests = World.Telegram.Requests.Where(r => r.ChatId == AgencyWorld.StaffChat && r.Method == "sendMessage").Skip(before).ToList();
        Assert.That(requests.Skip(1).Select(r => r.At - requests[0].At), Is.All.GreaterThanOrEqualTo(TimeSpan.FromSeconds(2)));
    }

    [Test]
    public async Task OneChattyClient_DoesNotDelayAnotherClientsFirstMessage()
    {
        await StartAsync(limits: new Dictionary<string, string?> { ["Telegram:Limits:Group:Per"] = "00:00:05" }); // a post every 250 ms
        var (chatty, _) = await World.ProjectAsync("Chatty", "Site");
        var (quiet, _) = await World.ProjectAsync("Quiet", "Site");
        await World.BindDirectlyAsync(801, chatty);
        await World.BindDirectlyAsync(802, quiet);

        for (var i = 0; i < 12; i++) World.Telegram.ClientSendsMedia(801, "photo", caption: $"photo {i}");
        await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("photo 0") == true));
        World.Telegram.ClientSends(802, "quiet question");
        await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("quiet question") == true) && s.Any(m => m.Text?.Contains("photo 11") == true));

        var posts = World.Telegram.SentTo(AgencyWorld.StaffChat).Where(m => m.Text?.Contains("photo") == true || m.Text?.Contains("quiet") == true)
            .Select(m => m.Text!).ToList();
        var quietAt = posts.FindIndex(p => p.Contains("quiet question"));
        Assert.That(quietAt, Is.LessThanOrEqualTo(3), string.Join(" | ", posts));
    }

    [Test]
    public async Task BurstOfTexts_SharesOnePost_AndAReplyToItReachesTheClient()
    {
        await StartAsync(forum: false, limits: new Dictionary<string, string?> { ["Telegram:Limits:Group:Per"] = "00:00:20" }); // one post per second
        var (project, _) = await World.ProjectAsync();
        await World.BindDirectlyAsync(901, project);
        World.Telegram.ClientSends(901, "warm-up");
        await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("warm-up") == true));

        for (var i = 0; i < 6; i++) World.Telegram.ClientSends(901, $"line {i}", firstName: "Anna");
        var sent = await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("line 5") == true));
        var posts = World.Telegram.SentTo(AgencyWorld.StaffChat).Where(m => m.Text?.Contains("line ") == true).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(posts, Has.Count.LessThan(6), "a burst shares posts");
            Assert.That(Enumerable.Range(0, 6).All(i => posts.Any(p => p.Text!.Contains($"line {i}"))), Is.True);
            Assert.That(posts.Select(p => p.Text!.Length), Is.All.LessThanOrEqualTo(4096));
        });

        await Eventually.HoldsAsync(() => World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM relay_posts WHERE telegram_message_id = @id",
            new { id = posts[^1].MessageId }), n => n > 0, AgencyWorld.Timeout, "the post recorded");
        World.Telegram.ClientSends(AgencyWorld.StaffChat, "Noted, all six.", userId: AgencyWorld.Assistant, firstName: "Marie",
            replyToMessageId: posts[^1].MessageId);

        await World.WaitForAsync(s => s.Any(m => m.ChatId == 901 && m.Text?.StartsWith("Noted, all six.") == true));
    }

    [Test]
    public async Task AnswersToClients_DoNotWaitBehindTheStaffGroupsBudget()
    {
        await StartAsync();
        var (project, _) = await World.ProjectAsync();
        await World.BindDirectlyAsync(951, project);
        for (var i = 0; i < 8; i++) World.Telegram.ClientSendsMedia(951, "photo", caption: $"pic {i}");
        var first = (await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("pic 0") == true))).First(m => m.Text?.Contains("pic 0") == true);

        // The group now has ~20 s of photos queued; an answer to the client must not wait for them.
        World.Telegram.ClientSends(AgencyWorld.StaffChat, "Got your pictures", userId: AgencyWorld.Assistant, firstName: "Marie", threadId: first.ThreadId);
        var answer = (await World.WaitForAsync(s => s.Any(m => m.ChatId == 951 && m.Text?.StartsWith("Got your pictures") == true)))
            .First(m => m.ChatId == 951);

        Assert.That(World.Telegram.SentTo(AgencyWorld.StaffChat).Count(m => m.Text?.Contains("pic") == true), Is.LessThan(8),
            "the answer went out while photos were still queued for the staff group");
        Assert.That(answer.At - first.At, Is.LessThan(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public async Task OperationsView_ShowsTheQueuePerChat_AndTheOldestPendingRelay()
    {
        await StartAsync();
        var (project, _) = await World.ProjectAsync();
        await World.BindDirectlyAsync(961, project);
        for (var i = 0; i < 5; i++) World.Telegram.ClientSendsMedia(961, "photo", caption: $"shot {i}");
        await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("shot 0") == true));
        await Eventually.HoldsAsync(() => World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE state = 'pending'"), n => n == 0,
            AgencyWorld.Timeout, "all handled");

        var ops = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<System.Text.Json.JsonElement>(World.Api, "/api/ops");

        var staffQueue = ops.GetProperty("outbox").GetProperty("queuedByChat").EnumerateArray()
            .Single(q => q.GetProperty("chatId").GetInt64() == AgencyWorld.StaffChat);
        var oldest = ops.GetProperty("outbox").GetProperty("oldestPendingRelay");
        Assert.Multiple(() =>
        {
            Assert.That(staffQueue.GetProperty("pending").GetInt64(), Is.GreaterThanOrEqualTo(3));
            Assert.That(oldest.GetProperty("projectId").GetInt64(), Is.EqualTo(project));
            Assert.That(oldest.GetProperty("chatId").GetInt64(), Is.EqualTo(AgencyWorld.StaffChat));
        });
    }

    [Test]
    public async Task AlbumsAndNewTopics_CountAgainstTheGroupsBudget_WithoutA429()
    {
        // Time runs twelve times faster: 20 posts per 5 s, for the bot and for the Bot API alike.
        await StartAsync(limits: new Dictionary<string, string?> { ["Telegram:Limits:Group:Per"] = "00:00:05" });
        World.Telegram.EnforceLimits(groupWindow: TimeSpan.FromSeconds(5));
        var projects = new List<long>();
        for (var p = 0; p < 3; p++) projects.Add((await World.ProjectAsync($"Client {p}", "Site")).ProjectId);
        for (var p = 0; p < 3; p++) await World.BindDirectlyAsync(971 + p, projects[p]);

        for (var p = 0; p < 3; p++)
        {
            for (var i = 0; i < 4; i++) World.Telegram.ClientSendsMedia(971 + p, "photo", mediaGroupId: $"album-{p}");
            World.Telegram.ClientSends(971 + p, $"after the album {p}");
        }
        await World.Telegram.WaitForSentAsync(s => Enumerable.Range(0, 3).All(p => s.Any(m => m.Text?.Contains($"after the album {p}") == true)),
            TimeSpan.FromSeconds(30));

        Assert.Multiple(() =>
        {
            Assert.That(World.Telegram.Requests.Where(r => r.Method == "copyMessages" && r.Body["message_ids"] is not null).Select(r => r.Body["message_ids"]!.AsArray().Count), Is.All.EqualTo(4));
            Assert.That(World.Telegram.TooManyServed, Is.Zero);
        });
    }

    [Test]
    public async Task TwentyClientsLinkingThenWriting_TheirMessagesGoBeforeTheLinkNotices()
    {
        // Time runs twelve times faster: 20 posts per 5 s, for the bot and for the Bot API alike.
        await StartAsync(forum: false, limits: new Dictionary<string, string?> { ["Telegram:Limits:Group:Per"] = "00:00:05" });
        World.Telegram.EnforceLimits(groupWindow: TimeSpan.FromSeconds(5));
        var codes = new List<string>();
        for (var i = 0; i < 20; i++) codes.Add((await World.ProjectAsync($"Client {i}", "Site")).Code);
        for (var i = 0; i < 20; i++) World.Telegram.ClientSends(2_000 + i, $"/start {codes[i]}", firstName: $"Client{i}");
        await World.WaitForAsync(s => Enumerable.Range(0, 20).All(i => s.Any(m => m.ChatId == 2_000 + i)));

        for (var i = 0; i < 20; i++) World.Telegram.ClientSends(2_000 + i, $"first question #{i}#", firstName: $"Client{i}");
        await World.Telegram.WaitForSentAsync(s => Enumerable.Range(0, 20).All(i => s.Any(m => m.Text?.Contains($"first question #{i}#") == true)),
            TimeSpan.FromSeconds(30));

        var posts = World.Telegram.SentTo(AgencyWorld.StaffChat).Select(m => m.Text ?? "").ToList();
        var firstRelay = posts.FindIndex(p => p.Contains("first question"));
        var lastRelay = posts.FindLastIndex(p => p.Contains("first question"));
        var noticesBetween = posts.Skip(firstRelay).Take(lastRelay - firstRelay).Count(p => p.Contains("linked their private chat"));
        Assert.Multiple(() =>
        {
            Assert.That(noticesBetween, Is.LessThanOrEqualTo(1), "at most the notice already on its way when the first question came");
            Assert.That(posts.Count(p => p.Contains("linked their private chat")), Is.LessThan(20), "the notices share posts");
            Assert.That(World.Telegram.TooManyServed, Is.Zero);
        });
    }

    private static List<(int Chat, int Seq)> Lines(IReadOnlyList<SentMessage> sent) =>
        sent.Where(m => m.ChatId == AgencyWorld.StaffChat && m.Text is not null)
            .SelectMany(m => Marker().Matches(m.Text!).Select(x => (int.Parse(x.Groups["chat"].Value), int.Parse(x.Groups["seq"].Value))))
            .ToList();
}
