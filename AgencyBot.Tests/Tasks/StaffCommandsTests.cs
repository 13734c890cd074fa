using System.Net.Http.Json;
using AgencyBot.Core.Clients;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Tasks;

/// <summary>Account work from the staff topic: /task, /sub, /check, /assign, /due, /done, /tag, /tasks, /my, and the
/// buttons under each relayed message.</summary>
public sealed class StaffCommandsTests : AgencyTest
{
    private const long Anna = 601;
    private long _projectId;
    private int _topic;
    private long _lea;

    [SetUp]
    public async Task ArrangeAsync()
    {
        _lea = await World.StaffAsync(9002, "Léa Martin", "employee");
        await World.StaffAsync(9003, "Léo Bernard", "employee");
        string code;
        (_projectId, code) = await World.ProjectAsync();
        await World.LinkPrivateChatAsync(Anna, code, firstName: "Anna");
        _topic = await World.TopicAsync();
        await World.SettledAsync();
    }

    /// <summary>Marie types in the project's topic; returns the bot's answer to it there.</summary>
    private async Task<string> StaffAsync(string text, long user = AgencyWorld.Assistant, string name = "Marie")
    {
        var id = World.Telegram.ClientSendsReturningId(AgencyWorld.StaffChat, text, userId: user, firstName: name, threadId: _topic);
        bool IsAnswer(SentMessage m) => m.ChatId == AgencyWorld.StaffChat && (int?)m.Request.Body["reply_parameters"]?["message_id"] == id;
        return (await World.WaitForAsync(s => s.Any(IsAnswer))).First(IsAnswer).Text!;
    }

    private Task<TaskDetailAnswer> TaskAsync(long number) => World.Api.GetAsAsync<TaskDetailAnswer>($"/api/projects/{_projectId}/tasks/{number}");

    private async Task ClientAsksAsync(string text)
    {
        World.Telegram.ClientSends(Anna, text, firstName: "Anna");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains(text) == true));
    }

    [Test]
    public async Task Task_TurnsTheLastClientMessageIntoItsDescription()
    {
        await ClientAsksAsync("Please add a contact form to the homepage");

        var answer = await StaffAsync("/task Contact form");

        var task = await TaskAsync(1);
        Assert.Multiple(() =>
        {
            Assert.That(answer, Does.Contain("#1").And.Contain("Contact form"));
            Assert.That(task.Task.Description, Is.EqualTo("Please add a contact form to the homepage"));
            Assert.That(task.Task.SourceMessageId, Is.Not.Null);
        });
    }

    [Test]
    public async Task SubtasksAndChecklists_CountTowardsProgress_AndDoneTicksThem()
    {
        await StaffAsync("/task Design");
        await StaffAsync("/sub #1 Homepage mock-up");
        await StaffAsync("/check #2 Mobile version");
        await StaffAsync("/check #2 Desktop version");

        var done = await StaffAsync("/done #2.1");
        var tasks = await StaffAsync("/tasks");

        Assert.Multiple(async () =>
        {
            Assert.That(done, Does.Contain("#2.1").And.Contain("Mobile version"));
            Assert.That(tasks, Does.Contain("#1 Design").And.Contain("1/3").And.Contain("#2 Homepage mock-up"));
            Assert.That((await TaskAsync(2)).Checklist.Select(i => i.Done), Is.EqualTo(new[] { true, false }));
        });
    }

    [Test]
    public async Task Assign_KeepsWhoWasResponsibleWhen()
    {
        await StaffAsync("/task Logo");

        var first = await StaffAsync("/assign #1 Léa Martin");
        var second = await StaffAsync("/assign #1 me");

        var history = (await TaskAsync(1)).Responsible.Select(a => a.StaffName).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(first, Does.Contain("Léa Martin"));
            Assert.That(second, Does.Contain("Marie"));
            Assert.That(history, Is.EqualTo(new[] { "Léa Martin", "Marie" }));
        });
    }

    [Test]
    public async Task Assign_ToANameMatchingNobodyOrSeveral_ChangesNothing()
    {
        await StaffAsync("/task Logo");

        var nobody = await StaffAsync("/assign #1 Zorro");
        var several = await StaffAsync("/assign #1 Lé");

        Assert.Multiple(async () =>
        {
            Assert.That(nobody, Does.Contain("Nobody").And.Contain("Zorro"));
            Assert.That(several, Does.Contain("Several people").And.Contain("Léa Martin").And.Contain("Léo Bernard"));
            Assert.That((await TaskAsync(1)).Responsible, Is.Empty);
        });
    }

    [Test]
    public async Task Assigning_NotifiesTheAssignee_InTheTopicUntilTheyStartTheBot_ThenPrivately()
    {
        await StaffAsync("/task Logo");
        await StaffAsync("/assign #1 Léa");
        var mention = World.Telegram.SentTo(AgencyWorld.StaffChat).Single(m => m.Text?.Contains("you are now responsible") == true);

        World.Telegram.ClientSends(9002, "/start", userId: 9002, firstName: "Léa");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == 9002));
        await StaffAsync("/task Banner");
        await StaffAsync("/assign #2 Léa");

        var direct = (await World.WaitForAsync(s => s.Any(m => m.ChatId == 9002 && m.Text?.Contains("Banner") == true))).Single(m => m.ChatId == 9002 && m.Text?.Contains("Banner") == true);
        Assert.Multiple(() =>
        {
            Assert.That(mention.ThreadId, Is.EqualTo(_topic));
            Assert.That((string?)mention.Request.Body["parse_mode"], Is.EqualTo("HTML").IgnoreCase);
            Assert.That(mention.Text, Does.Contain("tg://user?id=9002"));
            Assert.That(direct.Text, Does.Contain("#2").And.Contain("You are now responsible"));
        });
    }

    [Test]
    public async Task Due_ReschedulesAndTellsTheClient_UnlessQuiet()
    {
        await StaffAsync("/task Homepage");
        await StaffAsync("/task Internal review");

        var told = await StaffAsync("/due #1 2027-03-15");
        var quiet = await StaffAsync("/due #2 15.03.2027 quiet");

        var clientNotes = await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text?.Contains("New date") == true));
        await World.SettledAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(told, Does.Contain("2027").And.Contain("client has been told"));
            Assert.That(quiet, Does.Contain("client not told"));
            Assert.That(World.Telegram.SentTo(Anna).Where(m => m.Text?.Contains("New date") == true).Select(m => m.Text),
                Is.EqualTo(new[] { "📅 New date for “Homepage”: 15 Mar." }));
            Assert.That((await TaskAsync(2)).Task.DueOn, Is.EqualTo("2027-03-15"));
        });
    }

    [TestCase("/due #1 2020-01-01", "in the past")]
    [TestCase("/due #1 someday", "not a date")]
    [TestCase("/due #1", "/due <#task> <date>")]
    [TestCase("/due #99 2027-01-01", "no task #99")]
    [TestCase("/done", "/done <#task")]
    [TestCase("/done #1.7", "no checklist item 7")]
    [TestCase("/sub #1", "/sub <#task> <title>")]
    [TestCase("/check", "/check <#task> <item>")]
    [TestCase("/assign #1", "/assign <#task>")]
    [TestCase("/assign #1 @", "/assign <#task>")]
    [TestCase("/task", "/task <title>")]
    [TestCase("/frobnicate", "not a command I know")]
    public async Task WrongOrMissingArguments_GetTheUsageLine_AndChangeNothing(string command, string expected)
    {
        await StaffAsync("/task Homepage");
        var events = await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM task_events");

        var answer = await StaffAsync(command);

        Assert.That(answer, Does.Contain(expected));
        Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM task_events"), Is.EqualTo(events));
        Assert.That(World.Telegram.SentTo(Anna).Where(m => m.Text?.Contains("frobnicate") == true), Is.Empty);
    }

    [Test]
    public async Task Done_TellsTheClientInOneLine_ButNotForStaffOnlyTasks_OrWhenTheProjectSwitchIsOff()
    {
        await StaffAsync("/task Homepage");
        await StaffAsync("/sub #1 Mock-up");
        await StaffAsync("/itask Margin check");
        await StaffAsync("/task Footer");

        await StaffAsync("/done #2");
        await StaffAsync("/done #3");
        await World.Api.PatchAsJsonAsync($"/api/projects/{_projectId}", new { notifyProgress = false });
        await StaffAsync("/done #4");
        await World.SettledAsync();

        Assert.That(World.Telegram.SentTo(Anna).Where(m => m.Text?.StartsWith("✅") == true).Select(m => m.Text),
            Is.EqualTo(new[] { "✅ Done: “Mock-up” (part of “Homepage”, 1/1 done)." }));
    }

    [Test]
    public async Task Tag_TagsTheConversation()
    {
        await ClientAsksAsync("The invoice is wrong");

        var answer = await StaffAsync("/tag invoice, #urgent");

        Assert.That(answer, Does.Contain("invoice").And.Contain("urgent"));
        Assert.That(await World.Db.QueryAsync<string>("SELECT tag FROM conversation_tags ORDER BY tag"), Is.EqualTo(new[] { "invoice", "urgent" }));
    }

    [Test]
    public async Task My_ListsTheStaffMembersOpenTasksByDueDate()
    {
        await StaffAsync("/task Later");
        await StaffAsync("/task Sooner");
        await StaffAsync("/task Someone else's");
        await StaffAsync("/assign #1 me");
        await StaffAsync("/assign #2 me");
        await StaffAsync("/assign #3 Léa");
        await StaffAsync("/due #1 2027-06-01");
        await StaffAsync("/due #2 2027-05-01");

        var my = await StaffAsync("/my");

        Assert.That(my, Does.Contain("#2 Sooner"));
        Assert.That(my.IndexOf("#2 Sooner", StringComparison.Ordinal), Is.LessThan(my.IndexOf("#1 Later", StringComparison.Ordinal)));
        Assert.That(my, Does.Not.Contain("Someone else"));
    }

    [Test]
    public async Task ClientTypingAStaffCommand_GetsTheClientHelp_AndNothingHappens()
    {
        World.Telegram.ClientSends(Anna, "/task steal all the tasks");

        var reply = (await World.WaitForAsync(s => s.Count(m => m.ChatId == Anna) >= 2)).Where(m => m.ChatId == Anna).Last();
        Assert.That(reply.Text, Is.EqualTo(ClientTexts.Get("ClientHelp", "en")));
        Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM tasks"), Is.Zero);
    }

    [Test]
    public async Task RelayedMessages_CarryButtons_WithinTelegramsCallbackLimit()
    {
        await ClientAsksAsync("Button check");

        var relay = World.Telegram.SentTo(AgencyWorld.StaffChat).Single(m => m.Text?.Contains("Button check") == true);
        var data = relay.Request.Body["reply_markup"]!["inline_keyboard"]!.AsArray().SelectMany(row => row!.AsArray()).Select(b => (string)b!["callback_data"]!).ToList();

        Assert.That(data, Has.Count.EqualTo(4));
        Assert.That(data.Select(d => System.Text.Encoding.UTF8.GetByteCount(d)), Is.All.LessThanOrEqualTo(64));
    }

    [Test]
    public async Task Buttons_MakeATask_TakeIt_AndClose()
    {
        await ClientAsksAsync("Hi Marie, can you move the logo left? It looks off on mobile.");
        var relay = World.Telegram.SentTo(AgencyWorld.StaffChat).Single(m => m.Text?.Contains("logo left") == true);
        string Data(string action) => relay.Request.Body["reply_markup"]!["inline_keyboard"]!.AsArray().SelectMany(r => r!.AsArray())
            .Select(b => (string)b!["callback_data"]!).Single(d => d.StartsWith($"b:{action}:", StringComparison.Ordinal));

        World.Telegram.Presses(AgencyWorld.StaffChat, relay.MessageId, Data("task"), userId: AgencyWorld.Assistant, firstName: "Marie");
        World.Telegram.Presses(AgencyWorld.StaffChat, relay.MessageId, Data("take"), userId: AgencyWorld.Assistant, firstName: "Marie");
        World.Telegram.Presses(AgencyWorld.StaffChat, relay.MessageId, Data("close"), userId: AgencyWorld.Assistant, firstName: "Marie");
        await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("Closed by Marie") == true));
        var made = await TaskAsync(1);
        var renamed = await StaffAsync("/title #1 Logo: move left on mobile");

        var task = await TaskAsync(1);
        Assert.Multiple(async () =>
        {
            Assert.That(made.Task.Title, Is.EqualTo("Can you move the logo left?"), "the request, not the greeting nor the whole message");
            Assert.That(made.Task.Description, Is.EqualTo("Hi Marie, can you move the logo left? It looks off on mobile."));
            Assert.That(renamed, Does.Contain("#1 is now “Logo: move left on mobile”"));
            Assert.That(task.Task.Title, Is.EqualTo("Logo: move left on mobile"));
            Assert.That(task.Task.ResponsibleName, Is.EqualTo("Marie"));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM conversations WHERE taken_by IS NOT NULL"), Is.EqualTo(1));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM conversations WHERE waiting_since IS NOT NULL"), Is.Zero);
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM response_log"), Is.Zero, "closing is not answering");
        });
    }

    [TestCase("Bonjour, pourriez-vous envoyer la facture de novembre ? Merci", "Pourriez-vous envoyer la facture de novembre ?")]
    [TestCase("hello!\nthe form on the contact page does not send anything when I click", "The form on the contact page does not send anything when I…")]
    [TestCase("", "Client request")]
    [TestCase("Ok.", "Ok")]
    public void ATitleFromAClientMessage_IsItsFirstRequest_Short(string message, string title) =>
        Assert.That(AgencyBot.Core.Tasks.StaffButtons.TitleOf(message), Is.EqualTo(title));

    [Test]
    public async Task MakeATask_TappedTwice_OrByTwoPeopleAtOnce_MakesOneTask()
    {
        await ClientAsksAsync("Please add our new address");
        var relay = World.Telegram.SentTo(AgencyWorld.StaffChat).Single(m => m.Text?.Contains("new address") == true);
        var task = relay.Request.Body["reply_markup"]!["inline_keyboard"]!.AsArray().SelectMany(r => r!.AsArray())
            .Select(b => (string)b!["callback_data"]!).Single(d => d.StartsWith("b:task:", StringComparison.Ordinal));

        World.Telegram.Presses(AgencyWorld.StaffChat, relay.MessageId, task, userId: AgencyWorld.Assistant, firstName: "Marie");
        World.Telegram.Presses(AgencyWorld.StaffChat, relay.MessageId, task, userId: AgencyWorld.Assistant, firstName: "Marie");
        World.Telegram.Presses(AgencyWorld.StaffChat, relay.MessageId, task, userId: 9002, firstName: "Léa");
        await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Requests.Count(r => r.Method == "answerCallbackQuery")), n => n == 3,
            AgencyWorld.Timeout, "three taps answered");
        await World.SettledAsync();

        var answers = World.Telegram.Requests.Where(r => r.Method == "answerCallbackQuery").Select(r => (string?)r.Body["text"]).ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM tasks"), Is.EqualTo(1));
            Assert.That(answers, Is.EquivalentTo(new[] { "Task #1 created.", "Task #1 was made from this message already.", "Task #1 was made from this message already." }));
        });
    }

    [Test]
    public async Task TagButton_OffersTheAgencysTags_AndTagsTheConversation()
    {
        await ClientAsksAsync("Something is broken");
        var relay = World.Telegram.SentTo(AgencyWorld.StaffChat).Single(m => m.Text?.Contains("Something is broken") == true);
        var tagData = relay.Request.Body["reply_markup"]!["inline_keyboard"]![1]![0]!["callback_data"]!.GetValue<string>();

        World.Telegram.Presses(AgencyWorld.StaffChat, relay.MessageId, tagData, userId: AgencyWorld.Assistant, firstName: "Marie");
        var choices = (await World.WaitForAsync(s => s.Any(m => m.Text == "Tag this conversation:"))).Single(m => m.Text == "Tag this conversation:");
        var bug = choices.Request.Body["reply_markup"]!["inline_keyboard"]!.AsArray().SelectMany(r => r!.AsArray())
            .Single(b => (string?)b!["text"] == "bug")!["callback_data"]!.GetValue<string>();
        World.Telegram.Presses(AgencyWorld.StaffChat, choices.MessageId, bug, userId: AgencyWorld.Assistant, firstName: "Marie");

        await Eventually.HoldsAsync(async () => (await World.Db.QueryAsync<string>("SELECT tag FROM conversation_tags")).ToList(),
            tags => tags.SequenceEqual(["bug"]), AgencyWorld.Timeout, "tagged");
        Assert.That(choices.ThreadId, Is.EqualTo(relay.ThreadId));
    }

    [Test]
    public async Task Buttons_PressedBySomeoneWhoIsNotStaff_DoNothing()
    {
        await ClientAsksAsync("Visitor test");
        var relay = World.Telegram.SentTo(AgencyWorld.StaffChat).Single(m => m.Text?.Contains("Visitor test") == true);
        var data = relay.Request.Body["reply_markup"]!["inline_keyboard"]![0]![1]!["callback_data"]!.GetValue<string>();

        World.Telegram.Presses(AgencyWorld.StaffChat, relay.MessageId, data, userId: 31337, firstName: "Mallory");
        await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Requests.Count(r => r.Method == "answerCallbackQuery")), n => n == 1,
            AgencyWorld.Timeout, "answered");

        Assert.That((string?)World.Telegram.Requests.Single(r => r.Method == "answerCallbackQuery").Body["text"], Does.Contain("Only registered staff"));
        Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM tasks"), Is.Zero);
    }

    [Test]
    public async Task Commands_AreRecordedOnTheConversation()
    {
        await ClientAsksAsync("Need an invoice");
        await StaffAsync("/task Invoice");

        var kinds = await World.Db.QueryAsync<(string Direction, string Kind, string? Text)>(
            "SELECT direction, kind, text FROM messages ORDER BY id");
        Assert.That(kinds, Does.Contain(("note", "command", "/task Invoice")));
    }
}
