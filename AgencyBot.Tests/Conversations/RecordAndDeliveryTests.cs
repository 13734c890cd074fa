using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgencyBot.Tests.Fakes;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Conversations;

/// <summary>The record keeps what was said, and an answer counts when Telegram accepted it: staff edits and /unsend
/// reach the client's copy, formatting arrives intact, a refused answer is reported and can be retried, and losing the
/// staff chat loses nothing.</summary>
public sealed class RecordAndDeliveryTests : AgencyTest
{
    private const long Anna = 601;
    private const long Paul = 9020;
    private int _topic;

    [SetUp]
    public async Task SetUp()
    {
        await World.StaffAsync(Paul, "Paul Durand", "manager");
        World.Telegram.ClientSends(Paul, "/start", firstName: "Paul");
        var (_, code) = await World.ProjectAsync();
        await World.LinkPrivateChatAsync(Anna, code, firstName: "Anna");
        _topic = await World.TopicAsync();
        await World.SettledAsync();
    }


    private async Task AnnaAsksAsync(string text)
    {
        World.Telegram.ClientSends(Anna, text, firstName: "Anna");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains(text) == true));
        await World.SettledAsync();
    }

    private int MarieWrites(string text, int? replyTo = null) =>
        World.Telegram.ClientSendsReturningId(AgencyWorld.StaffChat, text, userId: AgencyWorld.Assistant, firstName: "Marie", threadId: _topic, replyToMessageId: replyTo);

    private async Task<SentMessage> ToAnnaAsync(string startsWith) =>
        (await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text?.StartsWith(startsWith) == true)))
            .Last(m => m.ChatId == Anna && m.Text?.StartsWith(startsWith) == true);

    private Task<long> ResponseLogRowsAsync() => World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM response_log");

    [Test]
    public async Task AStaffEditOfADeliveredAnswer_EditsTheClientsCopy_AndTheRecordKeepsBothVersions()
    {
        await AnnaAsksAsync("When is the review?");
        var answer = MarieWrites("The review is on Friday.");
        var copy = await ToAnnaAsync("The review is on Friday.");
        await World.SettledAsync();

        World.Telegram.ClientEdits(AgencyWorld.StaffChat, answer, "The review is on Thursday.", userId: AgencyWorld.Assistant, firstName: "Marie");
        var edit = await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Edits.LastOrDefault()), e => e is not null, AgencyWorld.Timeout, "the copy edited");
        await World.SettledAsync();

        var versions = await World.Db.QueryAsync<(string Kind, string Text)>(
            "SELECT v.kind, v.text FROM message_versions v JOIN messages m ON m.id = v.message_id WHERE m.direction = 'staff'");
        Assert.Multiple(async () =>
        {
            Assert.That(edit!.Method, Is.EqualTo("editMessageText"));
            Assert.That(edit.ChatId, Is.EqualTo(Anna));
            Assert.That((int?)edit.Body["message_id"], Is.EqualTo(copy.MessageId));
            Assert.That(edit.Text, Is.EqualTo("The review is on Thursday.\n— Marie"));
            Assert.That(await World.Db.ScalarAsync<string>("SELECT text FROM messages WHERE direction = 'staff'"), Is.EqualTo("The review is on Friday."));
            Assert.That(versions, Is.EqualTo(new[] { ("edit", "The review is on Thursday.") }));
        });
    }

    [Test]
    public async Task AnEditMadeWhileTheAnswerIsOnItsWay_IsAppliedOnceTelegramHasIt()
    {
        await AnnaAsksAsync("Which colour?");
        World.Telegram.Hang("sendMessage", times: 1);
        var answer = MarieWrites("Blue.");
        await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Requests.Any(r => r.Method == "sendMessage" && r.Text?.StartsWith("Blue.") == true)),
            sent => sent, AgencyWorld.Timeout, "the answer in flight");

        World.Telegram.ClientEdits(AgencyWorld.StaffChat, answer, "Green.", userId: AgencyWorld.Assistant, firstName: "Marie");
        await Eventually.HoldsAsync(() => World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM message_versions"), n => n == 1, AgencyWorld.Timeout, "the edit recorded");
        var editedTooEarly = World.Telegram.Edits.Count;
        World.Telegram.ReleaseHangs();

        var copy = await ToAnnaAsync("Blue.");
        var edit = await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Edits.LastOrDefault()), e => e is not null, AgencyWorld.Timeout, "the copy edited");
        Assert.Multiple(() =>
        {
            Assert.That(editedTooEarly, Is.Zero);
            Assert.That((int?)edit!.Body["message_id"], Is.EqualTo(copy.MessageId));
            Assert.That(edit.Text, Is.EqualTo("Green.\n— Marie"));
        });
    }

    [Test]
    public async Task Unsend_TakesTheAnswerBackFromTheClient_OnlyForItsAuthorOrAManager()
    {
        await World.StaffAsync(9021, "Tom Petit", "assistant");
        await AnnaAsksAsync("Can I pay by card?");
        var answer = MarieWrites("Yes, here is the payment link.");
        var copy = await ToAnnaAsync("Yes, here is the payment link.");
        await World.SettledAsync();

        World.Telegram.ClientSends(AgencyWorld.StaffChat, "/unsend", userId: 9021, firstName: "Tom", threadId: _topic, replyToMessageId: answer);
        await World.WaitForAsync(s => s.Any(m => m.Text?.StartsWith("You can take back only your own answers") == true));
        MarieWrites("/unsend", replyTo: answer);
        await World.WaitForAsync(s => s.Any(m => m.Text?.StartsWith("🗑 Taken back from Anna") == true));
        await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Deleted.Count), n => n == 1, AgencyWorld.Timeout, "the copy deleted");
        await World.SettledAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(World.Telegram.Deleted, Is.EquivalentTo(new[] { (Anna, copy.MessageId) }));
            Assert.That(await World.Db.ScalarAsync<string>("SELECT kind FROM message_versions"), Is.EqualTo("unsent"));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM messages WHERE direction = 'staff'"), Is.EqualTo(1), "the record keeps it");
        });
    }

    [Test]
    public async Task Unsend_WhileTheAnswerIsOnItsWay_TakesItBackOnceDelivered_AndItAnswersNothing()
    {
        await AnnaAsksAsync("What is the code?");
        World.Telegram.Hang("sendMessage", times: 1);
        var answer = MarieWrites("The code is 4711.");
        await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Requests.Any(r => r.Method == "sendMessage" && r.Text?.StartsWith("The code is") == true)),
            sent => sent, AgencyWorld.Timeout, "the answer in flight");

        MarieWrites("/unsend", replyTo: answer);
        await World.WaitForAsync(s => s.Any(m => m.Text?.StartsWith("🗑 Taken back from Anna") == true));
        World.Telegram.ReleaseHangs();
        var copy = await ToAnnaAsync("The code is 4711.");
        await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Deleted.Count), n => n == 1, AgencyWorld.Timeout, "the copy deleted");
        await World.SettledAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(World.Telegram.Deleted, Is.EquivalentTo(new[] { (Anna, copy.MessageId) }), "delivered while being taken back: then deleted");
            Assert.That(await ResponseLogRowsAsync(), Is.Zero, "an answer taken back answers nothing");
        });
    }

    [Test]
    public async Task Unsend_WhileTheAnswerIsOnItsWay_WhichTelegramThenDoesNotTake_IsNeverSent()
    {
        await AnnaAsksAsync("What is the code?");
        World.Telegram.Hang("sendMessage", times: 1, thenStatus: 502);
        var answer = MarieWrites("The code is 4711.");
        await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Requests.Any(r => r.Method == "sendMessage" && r.Text?.StartsWith("The code is") == true)),
            sent => sent, AgencyWorld.Timeout, "the answer in flight");

        MarieWrites("/unsend", replyTo: answer);
        await World.WaitForAsync(s => s.Any(m => m.Text?.StartsWith("🗑 Taken back from Anna") == true));
        World.Telegram.ReleaseHangs();
        await Eventually.HoldsAsync(() => World.Db.ScalarAsync<string>("SELECT state FROM outbox WHERE chat_id = 601 AND payload LIKE '%The code is%'"),
            state => state == "cancelled", AgencyWorld.Timeout, "the withdrawn row cancelled once Telegram did not take it");
        await World.SettledAsync();

        Assert.Multiple(() =>
        {
            Assert.That(World.Telegram.Requests.Count(r => r.Method == "sendMessage" && r.Text?.StartsWith("The code is") == true), Is.EqualTo(1),
                "not tried again");
            Assert.That(World.Telegram.SentTo(Anna).Where(m => m.Text?.StartsWith("The code is") == true), Is.Empty);
        });
    }

    [Test]
    public async Task ASecondUnsend_TakesNothingBackAgain()
    {
        await AnnaAsksAsync("Is the invoice paid?");
        var answer = MarieWrites("Yes, thank you.");
        await ToAnnaAsync("Yes, thank you.");
        await World.SettledAsync();

        MarieWrites("/unsend", replyTo: answer);
        await World.WaitForAsync(s => s.Any(m => m.Text?.StartsWith("🗑 Taken back from Anna") == true));
        MarieWrites("/unsend", replyTo: answer);
        await World.WaitForAsync(s => s.Any(m => m.Text == "That answer was taken back already."));
        await World.SettledAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(World.Telegram.Requests.Count(r => r.Method == "deleteMessage"), Is.EqualTo(1));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM message_versions WHERE kind = 'unsent'"), Is.EqualTo(1));
            Assert.That(World.Telegram.SentTo(AgencyWorld.StaffChat).Select(m => m.Text ?? ""), Has.None.StartsWith("⚠️"));
        });
    }

    [Test]
    public async Task AnUnsentAlbumPart_TakesTheWholeAlbumBack()
    {
        await AnnaAsksAsync("Photos please");
        var parts = Enumerable.Range(0, 2).Select(_ => World.Telegram.ClientSendsMedia(AgencyWorld.StaffChat, "photo", mediaGroupId: "album-unsend",
            userId: AgencyWorld.Assistant, firstName: "Marie", threadId: _topic)).ToList();
        await World.WaitForAsync(s => s.Count(m => m.ChatId == Anna && m.Method == "copyMessages") == 2);
        await World.SettledAsync();
        var copies = World.Telegram.SentTo(Anna).Where(m => m.Method == "copyMessages").Select(m => m.MessageId).ToList();

        MarieWrites("/unsend", replyTo: parts[1]);
        await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Deleted.Count), n => n == 2, AgencyWorld.Timeout, "both copies deleted");

        Assert.That(World.Telegram.Deleted.Select(d => d.Message), Is.EquivalentTo(copies));
    }

    [Test]
    public async Task EditingAnAllAnswer_EditsTheWordsTheClientsGot_AndEditingAnAnswerIntoANote_ChangesNoCopy()
    {
        await AnnaAsksAsync("Office hours?");
        var all = MarieWrites("/all We are closed on Thursday.");
        await ToAnnaAsync("We are closed on Thursday.");
        var plain = MarieWrites("See you Friday.");
        await ToAnnaAsync("See you Friday.");
        await World.SettledAsync();

        World.Telegram.ClientEdits(AgencyWorld.StaffChat, all, "/all  We are closed on Thursday and Friday.", userId: AgencyWorld.Assistant, firstName: "Marie");
        await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Edits.Count), n => n == 1, AgencyWorld.Timeout, "the /all answer edited");
        World.Telegram.ClientEdits(AgencyWorld.StaffChat, plain, "// she keeps asking, ignore", userId: AgencyWorld.Assistant, firstName: "Marie");
        await World.WaitForAsync(s => s.Any(m => m.Text?.StartsWith("⚠️ The client's copy was not changed") == true));
        await World.SettledAsync();

        Assert.Multiple(() =>
        {
            Assert.That(World.Telegram.Edits.Select(e => e.Text), Is.EqualTo(new[] { "We are closed on Thursday and Friday.\n— Marie" }));
            Assert.That(World.Telegram.SentTo(Anna).Select(m => m.Text ?? ""), Has.None.Contains("ignore"));
        });
    }

    [Test]
    public async Task AnAnswerWrittenBeforeAWaitBegan_DoesNotCloseIt()
    {
        await AnnaAsksAsync("First question");
        var relay = World.Telegram.SentTo(AgencyWorld.StaffChat).Last(m => m.Text?.Contains("First question") == true);
        World.Telegram.Hang("sendMessage", times: 1);
        MarieWrites("An answer that takes its time.");
        await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Requests.Any(r => r.Text?.StartsWith("An answer that takes") == true)),
            sent => sent, AgencyWorld.Timeout, "the answer in flight");
        // Meanwhile someone closes the wait (no answer needed), and Anna asks something new.
        World.Telegram.Presses(AgencyWorld.StaffChat, relay.MessageId, relay.Button("Close"), userId: AgencyWorld.Assistant, firstName: "Marie");
        await Eventually.HoldsAsync(() => World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM conversations WHERE waiting_since IS NOT NULL"), n => n == 0,
            AgencyWorld.Timeout, "closed");
        await Task.Delay(1100); // message dates have seconds: the new question comes after the answer was written
        World.Telegram.ClientSends(Anna, "A new question", firstName: "Anna");
        await Eventually.HoldsAsync(() => World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM conversations WHERE waiting_since IS NOT NULL"), n => n == 1,
            AgencyWorld.Timeout, "a new wait");
        World.Telegram.ReleaseHangs();
        await ToAnnaAsync("An answer that takes its time.");
        await World.SettledAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM conversations WHERE waiting_since IS NOT NULL"), Is.EqualTo(1), "Anna still waits");
            Assert.That(await ResponseLogRowsAsync(), Is.Zero);
        });
    }

    [Test]
    public async Task Retry_OfAnAnswerToAChatRemovedSince_OrOfAForgedRow_SendsNothing()
    {
        await AnnaAsksAsync("Did you get it?");
        World.Telegram.Fail("sendMessage", 400, "Bad Request: PEER_ID_INVALID", chatId: Anna);
        MarieWrites("Yes.");
        var report = (await World.WaitForAsync(s => s.Any(m => m.Text?.StartsWith("⚠️ Not delivered to Anna") == true)))
            .Single(m => m.Text?.StartsWith("⚠️ Not delivered to Anna") == true);
        await World.SettledAsync();
        var projectId = await World.Db.ScalarAsync<long>("SELECT project_id FROM chat_bindings WHERE chat_id = @Anna", new { Anna });
        await World.Api.DeleteAsync($"/api/projects/{projectId}/chats/{Anna}");
        // A relay row to the staff chat that nobody reported, failed on purpose.
        var relayRow = await World.Db.ScalarAsync<long>("SELECT MIN(id) FROM outbox WHERE chat_id = @StaffChat", new { AgencyWorld.StaffChat });
        await World.Db.ExecuteAsync("UPDATE outbox SET state = 'failed' WHERE id = @relayRow", new { relayRow });

        World.Telegram.Presses(AgencyWorld.StaffChat, report.MessageId, report.Button("Retry"), userId: AgencyWorld.Assistant, firstName: "Marie");
        World.Telegram.Presses(AgencyWorld.StaffChat, report.MessageId, $"rt:{relayRow}", userId: AgencyWorld.Assistant, firstName: "Marie");
        await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Requests.Count(r => r.Method == "answerCallbackQuery")), n => n == 2,
            AgencyWorld.Timeout, "both presses answered");
        await World.SettledAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(World.Telegram.SentTo(Anna).Where(m => m.Text?.StartsWith("Yes.") == true), Is.Empty);
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE state = 'pending'"), Is.Zero);
        });
    }

    [Test]
    public async Task StaffFormatting_ReachesTheClientIntact_AlsoAcrossALongAnswersParts()
    {
        await AnnaAsksAsync("Where do I log in?");
        const string text = "Log in at the portal with your code 1234.";
        World.Telegram.EnqueueUpdate(StaffText(text, Entity("bold", 0, 6), Entity("text_link", 14, 6, url: "https://portal.example.com"), Entity("code", 36, 4),
            Entity("date_time_future", 0, 3)));
        var longText = new string('a', 4000) + " " + new string('b', 500);
        World.Telegram.EnqueueUpdate(StaffText(longText, Entity("italic", 3990, 100)));

        var copy = await ToAnnaAsync("Log in at");
        var parts = (await World.WaitForAsync(s => s.Count(m => m.ChatId == Anna && m.Text?.StartsWith("a") == true || m.ChatId == Anna && m.Text?.StartsWith("b") == true) == 2))
            .Where(m => m.ChatId == Anna && (m.Text?.StartsWith('a') == true || m.Text?.StartsWith('b') == true)).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(Entities(copy), Is.EqualTo(new[] { ("bold", 0, 6, (string?)null), ("text_link", 14, 6, "https://portal.example.com"), ("code", 36, 4, null) }),
                "formatting kept; an entity type newer than the library left out rather than breaking the send");
            Assert.That(parts[0].Text!.Length + parts[1].Text!.Length, Is.EqualTo(longText.Length + "\n— Marie".Length));
            Assert.That(Entities(parts[0]), Is.EqualTo(new[] { ("italic", 3990, parts[0].Text!.Length - 3990, (string?)null) }));
            Assert.That(Entities(parts[1]), Is.EqualTo(new[] { ("italic", 0, 100 - (parts[0].Text!.Length - 3990), (string?)null) }));
        });
    }

    [Test]
    public async Task AnAnswerClosesTheWaitingPeriod_WhenTelegramAcceptsIt_NotWhenItIsQueued()
    {
        await AnnaAsksAsync("Is it live?");
        World.Telegram.Delay("sendMessage", TimeSpan.FromSeconds(2));
        var written = DateTimeOffset.UtcNow;
        MarieWrites("It is live.");
        await Task.Delay(TimeSpan.FromSeconds(1));
        var loggedWhileOnItsWay = await ResponseLogRowsAsync();
        await ToAnnaAsync("It is live.");
        await World.SettledAsync();

        var answeredAt = DateTimeOffset.FromUnixTimeMilliseconds(await World.Db.ScalarAsync<long>("SELECT answered_at FROM response_log"));
        Assert.Multiple(() =>
        {
            Assert.That(loggedWhileOnItsWay, Is.Zero);
            Assert.That(answeredAt - written, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1.9)), "answered when Telegram accepted it");
        });
    }

    [Test]
    public async Task ARefusedAnswer_KeepsTheClientWaiting_IsReportedWithTelegramsReason_AndRetryDeliversIt()
    {
        await AnnaAsksAsync("Did you get my file?");
        World.Telegram.Fail("sendMessage", 400, "Bad Request: PEER_ID_INVALID", chatId: Anna);
        MarieWrites("Yes, thanks!");
        var report = (await World.WaitForAsync(s => s.Any(m => m.Text?.StartsWith("⚠️ Not delivered to Anna") == true)))
            .Single(m => m.Text?.StartsWith("⚠️ Not delivered to Anna") == true);
        await World.SettledAsync();
        var waitingAfterRefusal = await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM conversations WHERE waiting_since IS NOT NULL");
        var loggedAfterRefusal = await ResponseLogRowsAsync();

        var retry = report.Request.Body["reply_markup"]!["inline_keyboard"]![0]![0]!["callback_data"]!.GetValue<string>();
        World.Telegram.Presses(AgencyWorld.StaffChat, report.MessageId, retry, userId: AgencyWorld.Assistant, firstName: "Marie");
        await ToAnnaAsync("Yes, thanks!");
        World.Telegram.Presses(AgencyWorld.StaffChat, report.MessageId, retry, userId: AgencyWorld.Assistant, firstName: "Marie");
        await World.SettledAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(report.Text, Does.Contain("PEER_ID_INVALID"));
            Assert.That(report.ThreadId, Is.EqualTo(_topic));
            Assert.That(waitingAfterRefusal, Is.EqualTo(1), "not delivered: Anna still waits");
            Assert.That(loggedAfterRefusal, Is.Zero);
            Assert.That(await ResponseLogRowsAsync(), Is.EqualTo(1));
            Assert.That(World.Telegram.SentTo(Anna).Count(m => m.Text?.StartsWith("Yes, thanks!") == true), Is.EqualTo(1), "a second tap sends nothing more");
        });
    }

    [Test]
    public async Task LosingTheStaffChat_KeepsRelaysQueued_TellsManagers_AndEverythingGoesOutWhenTheBotIsBack()
    {
        World.Telegram.RemoveBot(AgencyWorld.StaffChat);
        World.Telegram.EnqueueUpdate(World.Telegram.BotMembership(AgencyWorld.StaffChat, "kicked", AgencyWorld.Assistant));
        foreach (var i in Enumerable.Range(1, 3)) World.Telegram.ClientSends(Anna, $"while the bot is out {i}", firstName: "Anna");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Paul && m.Text?.StartsWith("⛔ I can no longer post in the staff chat") == true));
        await Eventually.HoldsAsync(() => World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE state = 'pending'"), n => n == 0, AgencyWorld.Timeout, "handled");
        var ops = await World.Api.GetFromJsonAsync<JsonElement>("/api/ops");
        var health = await World.Host.CreateClient().GetStringAsync("/health");
        var failed = await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE chat_id = @StaffChat AND state = 'failed'", new { AgencyWorld.StaffChat });

        World.Telegram.RestoreBot(AgencyWorld.StaffChat);
        World.Telegram.EnqueueUpdate(World.Telegram.BotMembership(AgencyWorld.StaffChat, "administrator", AgencyWorld.Assistant));
        await World.WaitForAsync(s => Enumerable.Range(1, 3).All(i => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains($"while the bot is out {i}") == true)));
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Paul && m.Text?.StartsWith("✅ I can post in the staff chat again") == true));

        Assert.Multiple(() =>
        {
            Assert.That(failed, Is.Zero, "nothing for the staff chat is failed for good");
            Assert.That(ops.GetProperty("staffChat").GetProperty("canPost").GetBoolean(), Is.False);
            Assert.That(health, Is.EqualTo("Degraded"));
            Assert.That(World.Telegram.SentTo(Paul).Count(m => m.Text?.StartsWith("⛔") == true), Is.EqualTo(1), "told once");
        });
    }

    private static JsonObject Entity(string type, int offset, int length, string? url = null)
    {
        var entity = new JsonObject { ["type"] = type, ["offset"] = offset, ["length"] = length };
        if (url is not null) entity["url"] = url;
        return entity;
    }

    private JsonObject StaffText(string text, params JsonObject[] entities) => new()
    {
        ["message"] = new JsonObject
        {
            ["message_id"] = 50_000 + text.Length, ["date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["text"] = text,
            ["message_thread_id"] = _topic, ["is_topic_message"] = true,
            ["chat"] = new JsonObject { ["id"] = AgencyWorld.StaffChat, ["type"] = "supergroup", ["title"] = "Agency staff", ["is_forum"] = true },
            ["from"] = new JsonObject { ["id"] = AgencyWorld.Assistant, ["is_bot"] = false, ["first_name"] = "Marie" },
            ["entities"] = new JsonArray(entities.Select(e => (JsonNode)e).ToArray()),
        },
    };

    private static IReadOnlyList<(string Type, int Offset, int Length, string? Url)> Entities(SentMessage message) =>
        (message.Request.Body["entities"]?.AsArray() ?? []).Select(e => ((string)e!["type"]!, (int)e["offset"]!, (int)e["length"]!, (string?)e["url"])).ToList();
}
