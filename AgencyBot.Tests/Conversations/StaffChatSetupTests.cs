using AgencyBot.Tests.Fakes;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Conversations;

public sealed class StaffChatSetupTests
{
    private AgencyWorld _world = null!;

    [SetUp]
    public async Task SetUp() => _world = await AgencyWorld.StartAsync(settings: new Dictionary<string, string?> { ["Agency:StaffChatId"] = null });

    [TearDown]
    public async Task TearDown() => await _world.DisposeAsync();

    [Test]
    public async Task SetupFromRegisteredStaff_MakesTheGroupTheStaffChat_AndRelaysGoThere()
    {
        const long newStaffChat = -1004242;
        _world.Telegram.DefineGroup(newStaffChat, "Sreda team", isForum: true);
        var (_, code) = await _world.ProjectAsync();
        await _world.LinkPrivateChatAsync(601, code);

        _world.Telegram.ClientSends(newStaffChat, "/setup", userId: AgencyWorld.Assistant, firstName: "Marie");
        await _world.WaitForAsync(s => s.Any(m => m.ChatId == newStaffChat && m.Text?.Contains("staff chat") == true));
        _world.Telegram.ClientSends(601, "hello team");

        var relay = (await _world.WaitForAsync(s => s.Any(m => m.Text?.Contains("hello team") == true))).Single(m => m.Text?.Contains("hello team") == true);
        Assert.That(relay.ChatId, Is.EqualTo(newStaffChat));
        Assert.That(relay.ThreadId, Is.Not.Null);
    }

    [Test]
    public async Task SetupFromSomeoneWhoIsNotStaff_ChangesNothing()
    {
        const long strangersGroup = -1004343;
        _world.Telegram.DefineGroup(strangersGroup, "Someone's group", isForum: true);

        _world.Telegram.ClientSends(strangersGroup, "/setup", userId: 31337, firstName: "Mallory");
        await _world.SettledAsync();

        Assert.That(await _world.Db.ScalarAsync<long>("SELECT COUNT(*) FROM settings WHERE key = 'staff_chat_id'"), Is.Zero);
        Assert.That(_world.Telegram.SentTo(strangersGroup).Where(m => m.Text?.Contains("staff chat") == true), Is.Empty);
    }

    [Test]
    public async Task BotMenu_HasAListForClientsAndOneForGroups()
    {
        var menus = await Eventually.HoldsAsync(() => Task.FromResult(_world.Telegram.Requests.Where(r => r.Method == "setMyCommands").ToList()),
            r => r.Count >= 2, AgencyWorld.Timeout, "setMyCommands");

        var byScope = menus.ToDictionary(m => (string)m.Body["scope"]!["type"]!, m => m.Body["commands"]!.AsArray().Select(c => (string)c!["command"]!).ToList());
        Assert.That(byScope["all_private_chats"], Does.Contain("start").And.Contain("project").And.Contain("help"));
        Assert.That(byScope["all_group_chats"], Does.Contain("link"));
    }
}
