using System.Net.Http.Json;
using System.Text.Json;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Conversations;

/// <summary>Staff answers reaching clients, internal notes, and the response log they write.</summary>
public sealed class RelayToClientTests : AgencyTest
{
    protected override bool StartsItsOwnAgency => true;

    private const long Anna = 601;
    private const long AcmeGroup = -801;
    private long _projectId;

    /// <summary>Acme's project with Anna's private chat, and (<paramref name="group"/>) Acme's team group too.</summary>
    private async Task StartAsync(bool forum = true, bool group = false)
    {
        World = await AgencyWorld.StartAsync(forum);
        (_projectId, var code) = await World.ProjectAsync();
        await World.LinkPrivateChatAsync(Anna, code, firstName: "Anna");
        if (!group) return;
        World.Telegram.DefineGroup(AcmeGroup, "Acme team", type: "group");
        World.Telegram.ClientSends(AcmeGroup, $"/link {await World.InviteAsync(_projectId)}", userId: 82, firstName: "Paul");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == AcmeGroup));
    }


    private async Task<SentMessage> ClientAsksAsync(string text)
    {
        World.Telegram.ClientSends(Anna, text, firstName: "Anna");
        var relay = (await World.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains(text) == true)))
            .Single(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains(text) == true);
        // A person reads before replying; by then the post is recorded (its Telegram id comes back after the send).
        await World.SettledAsync();
        return relay;
    }

    private void StaffWrites(string text, int? thread = null, int? replyTo = null, long user = AgencyWorld.Assistant, string name = "Marie") =>
        World.Telegram.ClientSends(AgencyWorld.StaffChat, text, userId: user, firstName: name, threadId: thread, replyToMessageId: replyTo);

    [Test]
    public async Task StaffAnswerInTheTopic_ReachesTheProjectsOnlyChat_AsTheAgency_Signed_QuotingNothing()
    {
        await StartAsync();
        var relay = await ClientAsksAsync("Is the logo final?");

        StaffWrites("Yes, final since Monday.", thread: relay.ThreadId);

        var answer = (await World.WaitForAsync(s => s.Any(m => m.Text?.StartsWith("Yes, final") == true))).Single(m => m.Text?.StartsWith("Yes, final") == true);
        Assert.Multiple(() =>
        {
            Assert.That(answer.ChatId, Is.EqualTo(Anna));
            Assert.That(answer.Text, Is.EqualTo("Yes, final since Monday.\n— Marie"));
            Assert.That(answer.Request.Body["reply_parameters"], Is.Null, "a message in the topic answers no message in particular");
        });
    }

    [Test]
    public async Task FirstAnswer_ClosesTheWaitingPeriod_AndWritesTheResponseLog()
    {
        await StartAsync();
        var relay = await ClientAsksAsync("Where is the invoice?");
        Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM conversations WHERE chat_id = @Anna AND waiting_since IS NOT NULL", new { Anna }), Is.EqualTo(1));

        StaffWrites("Sent it this morning.", thread: relay.ThreadId);
        StaffWrites("Check your spam folder too.", thread: relay.ThreadId);
        await World.WaitForAsync(s => s.Count(m => m.ChatId == Anna && m.Text?.Contains("spam") == true) == 1);
        await World.SettledAsync();

        var log = await World.Db.QueryAsync<(long AnsweredBy, long Seconds, long WaitingSince, long AnsweredAt)>(
            "SELECT r.answered_by, r.seconds, r.waiting_since, r.answered_at FROM response_log r JOIN conversations c ON c.id = r.conversation_id WHERE c.chat_id = @Anna",
            new { Anna });
        var assistant = await World.Db.ScalarAsync<long>("SELECT id FROM staff WHERE telegram_user_id = @Assistant", new { AgencyWorld.Assistant });
        Assert.Multiple(async () =>
        {
            Assert.That(log, Has.Count.EqualTo(1), "only the first answer closes a waiting period");
            Assert.That(log[0].AnsweredBy, Is.EqualTo(assistant));
            Assert.That(log[0].AnsweredAt, Is.GreaterThanOrEqualTo(log[0].WaitingSince));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM conversations WHERE waiting_since IS NOT NULL"), Is.Zero);
        });
    }

    [Test]
    public async Task NotAForum_ReplyToTheRelayedPost_ReachesTheClient()
    {
        await StartAsync(forum: false);
        var relay = await ClientAsksAsync("Can you call me?");

        StaffWrites("Calling you at 3pm.", replyTo: relay.MessageId);

        var answer = (await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text?.StartsWith("Calling") == true)))
            .Single(m => m.ChatId == Anna && m.Text?.StartsWith("Calling") == true);
        Assert.That(answer.Text, Does.StartWith("Calling you at 3pm."));
    }

    [Test]
    public async Task InternalNote_IsRecordedButNeverSent()
    {
        await StartAsync();
        var relay = await ClientAsksAsync("Any news?");

        StaffWrites("// client is nervous, call tomorrow", thread: relay.ThreadId);
        StaffWrites("We are on it.", thread: relay.ThreadId);
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text?.StartsWith("We are on it") == true));
        await World.SettledAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(World.Telegram.Sent.Where(m => m.Text?.Contains("nervous") == true), Is.Empty);
            Assert.That(await World.Db.ScalarAsync<string>("SELECT direction FROM messages WHERE text LIKE '// client is nervous%'"), Is.EqualTo("note"));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM response_log"), Is.EqualTo(1), "a note is not an answer");
        });
    }

    [Test]
    public async Task SomeoneWhoIsNotStaff_InTheStaffGroup_IsIgnored()
    {
        await StartAsync();
        var relay = await ClientAsksAsync("Hello?");

        StaffWrites("I'm a visitor", thread: relay.ThreadId, user: 5555, name: "Visitor");
        StaffWrites("Marie here.", thread: relay.ThreadId);
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text?.StartsWith("Marie here") == true));
        await World.SettledAsync();

        Assert.That(World.Telegram.Sent.Where(m => m.Text?.Contains("visitor") == true), Is.Empty);
    }

    [Test]
    public async Task StaffMedia_IsCopiedToTheClient()
    {
        await StartAsync();
        var relay = await ClientAsksAsync("Send me the mockup");

        var photo = World.Telegram.ClientSendsMedia(AgencyWorld.StaffChat, "photo", caption: "Mockup v2", userId: AgencyWorld.Assistant, firstName: "Marie",
            threadId: relay.ThreadId);

        var copy = (await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Method == "copyMessage"))).Single(m => m.ChatId == Anna && m.Method == "copyMessage");
        Assert.Multiple(() =>
        {
            Assert.That((long?)copy.Request.Body["from_chat_id"], Is.EqualTo(AgencyWorld.StaffChat));
            Assert.That((int?)copy.Request.Body["message_id"], Is.EqualTo(photo));
            Assert.That(copy.Text, Is.EqualTo("Mockup v2\n— Marie"));
        });
    }

    [Test]
    public async Task AnswerInATopicWhoseProjectHasNoClientChat_GetsANoteBack()
    {
        await StartAsync();
        var relay = await ClientAsksAsync("bye");
        await World.Api.DeleteAsync($"/api/projects/{_projectId}/chats/{Anna}");

        StaffWrites("Talk soon!", thread: relay.ThreadId);

        var note = (await World.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains("Not sent") == true)))
            .Single(m => m.Text?.Contains("Not sent") == true);
        Assert.That(note.ThreadId, Is.EqualTo(relay.ThreadId));
        Assert.That(World.Telegram.Sent.Where(m => m.Text?.StartsWith("Talk soon") == true), Is.Empty);
    }

    [Test]
    public async Task ClientWhoBlockedTheBot_IsReportedOnceInTheTopic()
    {
        await StartAsync();
        var relay = await ClientAsksAsync("last question");
        World.Telegram.Blocked(Anna, times: 5);

        StaffWrites("Answer one", thread: relay.ThreadId);
        StaffWrites("Answer two", thread: relay.ThreadId);
        await Eventually.HoldsAsync(() => World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE chat_id = @Anna AND state = 'failed'", new { Anna }),
            n => n == 2, AgencyWorld.Timeout, "both answers refused");
        await World.SettledAsync();

        var reports = World.Telegram.SentTo(AgencyWorld.StaffChat).Where(m => m.Text?.Contains("blocked the bot") == true).ToList();
        Assert.That(reports, Has.Count.EqualTo(1));
        Assert.That(reports[0].ThreadId, Is.EqualTo(relay.ThreadId));
    }

    [Test]
    public async Task ConversationRecord_IsReadableThroughTheApi()
    {
        await StartAsync();
        var relay = await ClientAsksAsync("What's next?");
        StaffWrites("Design review on Friday.", thread: relay.ThreadId);
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text?.StartsWith("Design review") == true));
        await World.SettledAsync();

        var conversations = await World.Api.GetFromJsonAsync<JsonElement>($"/api/projects/{_projectId}/conversations");
        var annas = conversations.EnumerateArray().Single(c => c.GetProperty("chatId").GetInt64() == Anna);
        var messages = await World.Api.GetFromJsonAsync<JsonElement>($"/api/conversations/{annas.GetProperty("id").GetInt64()}/messages");

        Assert.That(messages.EnumerateArray().Select(m => (m.GetProperty("direction").GetString(), m.GetProperty("text").GetString())),
            Is.EqualTo(new[] { ("client", "What's next?"), ("staff", "Design review on Friday.") }));
    }

    [Test]
    public async Task ResponseTimesReport_CountsAnswers_AndListsWhoIsStillWaiting()
    {
        await StartAsync(group: true);
        var relay = await ClientAsksAsync("first question");
        StaffWrites("first answer", replyTo: relay.MessageId);
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text?.StartsWith("first answer") == true));
        World.Telegram.ClientSends(AcmeGroup, "group question", userId: 82, firstName: "Paul");
        await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("group question") == true));
        await World.SettledAsync();

        var report = await World.Api.GetFromJsonAsync<JsonElement>($"/api/reports/response-times?projectId={_projectId}");

        Assert.Multiple(() =>
        {
            Assert.That(report.GetProperty("count").GetInt32(), Is.EqualTo(1));
            Assert.That(report.GetProperty("medianSeconds").GetDouble(), Is.LessThan(60));
            Assert.That(report.GetProperty("shareWithinSla").GetDouble(), Is.EqualTo(1.0));
            Assert.That(report.GetProperty("slaSeconds").GetInt64(), Is.EqualTo(900));
            Assert.That(report.GetProperty("stillWaiting").EnumerateArray().Select(w => w.GetProperty("chatId").GetInt64()), Is.EqualTo(new[] { AcmeGroup }));
        });
    }

    [Test]
    public async Task StaffWritingInTheClientsGroup_CountsAsTheAnswer_AndIsNotRelayed()
    {
        await StartAsync(group: true);
        World.Telegram.ClientSends(AcmeGroup, "Paul here, quick question", userId: 82, firstName: "Paul");
        await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("quick question") == true));

        World.Telegram.ClientSends(AcmeGroup, "Marie answering right here", userId: AgencyWorld.Assistant, firstName: "Marie");
        await World.SettledAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(World.Telegram.Sent.Where(m => m.Text?.Contains("right here") == true), Is.Empty);
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM response_log"), Is.EqualTo(1));
        });
    }
}

public sealed class ReplyToUnknownPostTests
{
    [Test]
    public async Task AQuickReplyToAPostWhoseIdIsStillOnItsWay_WaitsForIt_AndReachesTheClient()
    {
        var world = await AgencyWorld.StartAsync(forum: false);
        try
        {
            var (_, code) = await world.ProjectAsync();
            await world.LinkPrivateChatAsync(601, code, firstName: "Anna");
            await world.SettledAsync();
            await Eventually.HoldsAsync(() => Task.FromResult(world.Telegram.Requests.Count(r => r.Method == "getMe")), n => n > 0, AgencyWorld.Timeout, "getMe");
            // Telegram shows the relay at once, but tells the bot its id only four seconds later.
            world.Telegram.AnswerSlowly(AgencyWorld.StaffChat, TimeSpan.FromSeconds(4));

            world.Telegram.ClientSends(601, "Quick: is the launch today?", firstName: "Anna");
            var relay = (await world.WaitForAsync(s => s.Any(m => m.Text?.Contains("launch today") == true))).Single(m => m.Text?.Contains("launch today") == true);
            world.Telegram.ClientSends(AgencyWorld.StaffChat, "Yes, at noon.", userId: AgencyWorld.Assistant, firstName: "Marie", replyToMessageId: relay.MessageId);

            await world.WaitForAsync(s => s.Any(m => m.ChatId == 601 && m.Text?.StartsWith("Yes, at noon.") == true));
            Assert.That(await world.Db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE state = 'dead'"), Is.Zero);
        }
        finally
        {
            await world.DisposeAsync();
        }
    }

    [Test]
    public async Task AReplyToABotPostThatCarriesNoClientMessage_GetsANoteBack_NotSilence()
    {
        var world = await AgencyWorld.StartAsync(forum: false);
        try
        {
            var (_, code) = await world.ProjectAsync();
            await world.LinkPrivateChatAsync(601, code, firstName: "Anna");
            var notice = (await world.WaitForAsync(s => s.Any(m => m.Text?.Contains("linked") == true))).First(m => m.Text?.Contains("linked") == true);
            await world.SettledAsync();
            await Eventually.HoldsAsync(() => Task.FromResult(world.Telegram.Requests.Count(r => r.Method == "getMe")), n => n > 0, AgencyWorld.Timeout, "getMe");

            var reply = world.Telegram.ClientSendsReturningId(AgencyWorld.StaffChat, "Welcome aboard!", userId: AgencyWorld.Assistant,
                firstName: "Marie", replyToMessageId: notice.MessageId);

            var note = (await world.WaitForAsync(s => s.Any(m => (int?)m.Request.Body["reply_parameters"]?["message_id"] == reply)))
                .First(m => (int?)m.Request.Body["reply_parameters"]?["message_id"] == reply);
            Assert.That(note.Text, Does.Contain("Not sent"));
            Assert.That(note.Request.ThreadId, Is.Null, "Telegram threads the reply, but a chat without topics has none to write into");
            Assert.That(world.Telegram.SentTo(601).Where(m => m.Text?.StartsWith("Welcome aboard") == true), Is.Empty);
        }
        finally
        {
            await world.DisposeAsync();
        }
    }
}
