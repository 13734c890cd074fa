using System.Net.Http.Json;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Conversations;

/// <summary>Without Agency:StaffChatId, a manager's confirmed /setup chooses the staff chat; nobody else can, nowhere a
/// client is, and never silently.</summary>
public sealed class StaffChatSetupTests : AgencyTest
{
    private const long Paul = 9050;
    private const long TeamChat = -1004242;

    protected override Task<AgencyWorld> StartAgencyAsync() =>
        AgencyWorld.StartAsync(settings: new Dictionary<string, string?> { ["Agency:StaffChatId"] = null });

    [SetUp]
    public async Task SetUp()
    {
        await World.StaffAsync(Paul, "Paul Durand", "manager");
        World.Telegram.DefineGroup(TeamChat, "Sreda team", isForum: true);
    }


    /// <summary>Someone sends /setup in a group; returns the bot's answer there.</summary>
    private async Task<SentMessage> SetupAsync(long chat, long user, string name)
    {
        var before = World.Telegram.SentTo(chat).Count;
        World.Telegram.ClientSends(chat, "/setup", userId: user, firstName: name);
        return (await World.WaitForAsync(s => s.Count(m => m.ChatId == chat) > before)).Last(m => m.ChatId == chat);
    }

    private async Task ConfirmAsync(long chat, SentMessage question, long user, string name, string button = "setup:go")
    {
        var answered = World.Telegram.Requests.Count(r => r.Method == "answerCallbackQuery");
        World.Telegram.Presses(chat, question.MessageId, button, userId: user, firstName: name);
        await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Requests.Count(r => r.Method == "answerCallbackQuery")),
            n => n > answered, AgencyWorld.Timeout, "the press answered");
        await World.SettledAsync();
    }

    private Task<long> StaffChatSettingAsync() => World.Db.ScalarAsync<long>(
        "SELECT COALESCE((SELECT CAST(value AS BIGINT) FROM settings WHERE key = 'staff_chat_id'), 0)");

    [Test]
    public async Task SetupByAManager_OnlyAfterTheConfirmation_MakesTheGroupTheStaffChat_AndRelaysGoThere()
    {
        var (_, code) = await World.ProjectAsync();
        await World.LinkPrivateChatAsync(601, code);

        var question = await SetupAsync(TeamChat, Paul, "Paul");
        await World.SettledAsync();
        var beforeConfirming = await StaffChatSettingAsync();
        await ConfirmAsync(TeamChat, question, Paul, "Paul");
        World.Telegram.ClientSends(601, "hello team");

        var relay = (await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("hello team") == true))).Single(m => m.Text?.Contains("hello team") == true);
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
        World.Telegram.DefineGroup(OtherChat, "Paul's new group", isForum: true);
        World.Telegram.ClientSends(Paul, "/start", firstName: "Paul");
        await ConfirmAsync(TeamChat, await SetupAsync(TeamChat, Paul, "Paul"), Paul, "Paul");

        await ConfirmAsync(OtherChat, await SetupAsync(OtherChat, Paul, "Paul"), Paul, "Paul");

        Assert.Multiple(async () =>
        {
            Assert.That(await StaffChatSettingAsync(), Is.EqualTo(OtherChat));
            Assert.That(World.Telegram.SentTo(TeamChat).Last().Text, Does.Contain("made “Paul's new group” the staff chat"));
            Assert.That(World.Telegram.SentTo(Paul).Select(m => m.Text ?? ""), Has.Some.Contains("made “Paul's new group” the staff chat"));
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
        var (_, code) = await World.ProjectAsync();
        World.Telegram.DefineGroup(ClientGroup, "Acme & Sreda");
        var question = await SetupAsync(ClientGroup, Paul, "Paul");
        World.Telegram.ClientSends(ClientGroup, $"/link {code}", userId: 84);
        await World.WaitForAsync(s => s.Count(m => m.ChatId == ClientGroup) >= 2);

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
        var (projectId, _) = await World.ProjectAsync();
        var team = (await (await World.Api.PostAsJsonAsync($"/api/projects/{projectId}/invites", new { kind = "team" })).Content
            .ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("code").GetString();
        World.Telegram.DefineGroup(AskingGroup, "Acme board");
        World.Telegram.ClientSends(AskingGroup, $"/link {team}", userId: 84);
        await World.WaitForAsync(s => s.Any(m => m.ChatId == AskingGroup));

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
        World.Telegram.DefineGroup(NewChat, "Sreda team 2", isForum: true);
        await ConfirmAsync(TeamChat, await SetupAsync(TeamChat, Paul, "Paul"), Paul, "Paul");
        var (_, code) = await World.ProjectAsync();
        await World.LinkPrivateChatAsync(601, code);
        await World.SettledAsync();
        World.Telegram.RemoveBot(TeamChat);
        World.Telegram.ClientSends(601, "written while the bot was shut out");
        await Eventually.HoldsAsync(() => World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM chat_outages"), n => n == 1, AgencyWorld.Timeout, "the outage seen");

        await ConfirmAsync(NewChat, await SetupAsync(NewChat, Paul, "Paul"), Paul, "Paul");

        var relay = (await World.WaitForAsync(s => s.Any(m => m.ChatId == NewChat && m.Text?.Contains("written while the bot was shut out") == true)))
            .Single(m => m.ChatId == NewChat && m.Text?.Contains("written while the bot was shut out") == true);
        Assert.That(relay.ThreadId, Is.Not.Null, "into the project's topic in the new staff chat");
    }

    [Test]
    public async Task SetupFromSomeoneWhoIsNotStaff_ChangesNothing()
    {
        const long strangersGroup = -1004343;
        World.Telegram.DefineGroup(strangersGroup, "Someone's group", isForum: true);

        World.Telegram.ClientSends(strangersGroup, "/setup", userId: 31337, firstName: "Mallory");
        await World.SettledAsync();

        Assert.That(await StaffChatSettingAsync(), Is.Zero);
        Assert.That(World.Telegram.SentTo(strangersGroup).Where(m => m.Text?.Contains("staff chat") == true), Is.Empty);
    }
}
