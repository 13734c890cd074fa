using System.Net.Http.Json;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Conversations;

/// <summary>Without Agency:StaffChatId, a manager's confirmed /setup chooses the staff chat; nobody else can, nowhere a
/// client is, and never silently.</summary>
public sealed class StaffChatSetupTests
{
    private const long Paul = 9050;
    private const long TeamChat = -1004242;
    private AgencyWorld _world = null!;

    [SetUp]
    public async Task SetUp()
    {
        _world = await AgencyWorld.StartAsync(settings: new Dictionary<string, string?> { ["Agency:StaffChatId"] = null });
        await _world.StaffAsync(Paul, "Paul Durand", "manager");
        _world.Telegram.DefineGroup(TeamChat, "Sreda team", isForum: true);
    }

    [TearDown]
    public async Task TearDown() => await _world.DisposeAsync();

    /// <summary>Someone sends /setup in a group; returns the bot's answer there.</summary>
    private async Task<SentMessage> SetupAsync(long chat, long user, string name)
    {
        var before = _world.Telegram.SentTo(chat).Count;
        _world.Telegram.ClientSends(chat, "/setup", userId: user, firstName: name);
        return (await _world.WaitForAsync(s => s.Count(m => m.ChatId == chat) > before)).Last(m => m.ChatId == chat);
    }

    private async Task ConfirmAsync(long chat, SentMessage question, long user, string name, string button = "setup:go")
    {
        var answered = _world.Telegram.Requests.Count(r => r.Method == "answerCallbackQuery");
        _world.Telegram.Presses(chat, question.MessageId, button, userId: user, firstName: name);
        await Eventually.HoldsAsync(() => Task.FromResult(_world.Telegram.Requests.Count(r => r.Method == "answerCallbackQuery")),
            n => n > answered, AgencyWorld.Timeout, "the press answered");
        await _world.SettledAsync();
    }

    private Task<long> StaffChatSettingAsync() => _world.Db.ScalarAsync<long>(
        "SELECT COALESCE((SELECT CAST(value AS BIGINT) FROM settings WHERE key = 'staff_chat_id'), 0)");

    [Test]
    public async Task SetupByAManager_OnlyAfterTheConfirmation_MakesTheGroupTheStaffChat_AndRelaysGoThere()
    {
        var (_, code) = await _world.ProjectAsync();
        await _world.LinkPrivateChatAsync(601, code);

        var question = await SetupAsync(TeamChat, Paul, "Paul");
        await _world.SettledAsync();
        var beforeConfirming = await StaffChatSettingAsync();
        await ConfirmAsync(TeamChat, question, Paul, "Paul");
        _world.Telegram.ClientSends(601, "hello team");

        var relay = (await _world.WaitForAsync(s => s.Any(m => m.Text?.Contains("hello team") == true))).Single(m => m.Text?.Contains("hello team") == true);
        Assert.Multiple(() =>
        {
            Assert.That(question.Text, Does.StartWith("Make “Sreda team” the staff chat?"));
            Assert.That(beforeConfirming, Is.Zero, "a question changes nothing");
            Assert.That(relay.ChatId, Is.EqualTo(TeamChat));
            Assert.That(relay.ThreadId, Is.Not.Null);
        });
    }

    [Test]
    public async Task MovingTheStaffChat_IsAnnouncedInTheOldOne_AndToEveryManagerPrivately()
    {
        const long OtherChat = -1004243;
        _world.Telegram.DefineGroup(OtherChat, "Paul's new group", isForum: true);
        _world.Telegram.ClientSends(Paul, "/start", firstName: "Paul");
        await ConfirmAsync(TeamChat, await SetupAsync(TeamChat, Paul, "Paul"), Paul, "Paul");

        await ConfirmAsync(OtherChat, await SetupAsync(OtherChat, Paul, "Paul"), Paul, "Paul");

        Assert.Multiple(async () =>
        {
            Assert.That(await StaffChatSettingAsync(), Is.EqualTo(OtherChat));
            Assert.That(_world.Telegram.SentTo(TeamChat).Last().Text, Does.Contain("made “Paul's new group” the staff chat"));
            Assert.That(_world.Telegram.SentTo(Paul).Select(m => m.Text ?? ""), Has.Some.Contains("made “Paul's new group” the staff chat"));
        });
    }

    [Test]
    public async Task SetupByAnAssistant_ACancel_OrAForgedConfirmation_ChangesNothing()
    {
        var refused = await SetupAsync(TeamChat, AgencyWorld.Assistant, "Marie");
        var question = await SetupAsync(TeamChat, Paul, "Paul");
        await ConfirmAsync(TeamChat, question, Paul, "Paul", button: "setup:no");
        // Marie presses the confirmation herself (or forges one).
        await ConfirmAsync(TeamChat, question, AgencyWorld.Assistant, "Marie");
        // A stranger who is in the group.
        await ConfirmAsync(TeamChat, question, 31337, "Mallory");

        Assert.Multiple(async () =>
        {
            Assert.That(refused.Text, Is.EqualTo("Only a manager can choose the staff chat."));
            Assert.That(await StaffChatSettingAsync(), Is.Zero);
        });
    }

    [Test]
    public async Task SetupInAClientsGroup_IsRefused_EvenForAManager_AndEvenWithAnOldConfirmation()
    {
        const long ClientGroup = -1007000;
        var (_, code) = await _world.ProjectAsync();
        _world.Telegram.DefineGroup(ClientGroup, "Acme & Sreda");
        var question = await SetupAsync(ClientGroup, Paul, "Paul");
        _world.Telegram.ClientSends(ClientGroup, $"/link {code}", userId: 84);
        await _world.WaitForAsync(s => s.Count(m => m.ChatId == ClientGroup) >= 2);

        await ConfirmAsync(ClientGroup, question, Paul, "Paul");
        var refused = await SetupAsync(ClientGroup, Paul, "Paul");

        Assert.Multiple(async () =>
        {
            Assert.That(refused.Text, Does.Contain("linked to a client's project"));
            Assert.That(await StaffChatSettingAsync(), Is.Zero);
        });
    }

    [Test]
    public async Task SetupInAGroupThatAskedToJoinAProject_IsRefused()
    {
        const long AskingGroup = -1007002;
        var (projectId, _) = await _world.ProjectAsync();
        var team = (await (await _world.Api.PostAsJsonAsync($"/api/projects/{projectId}/invites", new { kind = "team" })).Content
            .ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("code").GetString();
        _world.Telegram.DefineGroup(AskingGroup, "Acme board");
        _world.Telegram.ClientSends(AskingGroup, $"/link {team}", userId: 84);
        await _world.WaitForAsync(s => s.Any(m => m.ChatId == AskingGroup));

        var refused = await SetupAsync(AskingGroup, Paul, "Paul");

        Assert.Multiple(async () =>
        {
            Assert.That(refused.Text, Does.Contain("linked to a client's project"));
            Assert.That(await StaffChatSettingAsync(), Is.Zero);
        });
    }

    [Test]
    public async Task MovingTheStaffChat_WhileTheBotIsShutOutOfTheOldOne_SendsWhatWaitedToTheNewOne()
    {
        const long NewChat = -1004244;
        _world.Telegram.DefineGroup(NewChat, "Sreda team 2", isForum: true);
        await ConfirmAsync(TeamChat, await SetupAsync(TeamChat, Paul, "Paul"), Paul, "Paul");
        var (_, code) = await _world.ProjectAsync();
        await _world.LinkPrivateChatAsync(601, code);
        await _world.SettledAsync();
        _world.Telegram.RemoveBot(TeamChat);
        _world.Telegram.ClientSends(601, "written while the bot was shut out");
        await Eventually.HoldsAsync(() => _world.Db.ScalarAsync<long>("SELECT COUNT(*) FROM chat_outages"), n => n == 1, AgencyWorld.Timeout, "the outage seen");

        await ConfirmAsync(NewChat, await SetupAsync(NewChat, Paul, "Paul"), Paul, "Paul");

        var relay = (await _world.WaitForAsync(s => s.Any(m => m.ChatId == NewChat && m.Text?.Contains("written while the bot was shut out") == true)))
            .Single(m => m.ChatId == NewChat && m.Text?.Contains("written while the bot was shut out") == true);
        Assert.That(relay.ThreadId, Is.Not.Null, "into the project's topic in the new staff chat");
    }

    [Test]
    public async Task SetupFromSomeoneWhoIsNotStaff_ChangesNothing()
    {
        const long strangersGroup = -1004343;
        _world.Telegram.DefineGroup(strangersGroup, "Someone's group", isForum: true);

        _world.Telegram.ClientSends(strangersGroup, "/setup", userId: 31337, firstName: "Mallory");
        await _world.SettledAsync();

        Assert.That(await StaffChatSettingAsync(), Is.Zero);
        Assert.That(_world.Telegram.SentTo(strangersGroup).Where(m => m.Text?.Contains("staff chat") == true), Is.Empty);
    }
}
