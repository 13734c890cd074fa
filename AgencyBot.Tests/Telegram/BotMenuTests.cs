using System.Net.Http.Json;
using AgencyBot.Core.Messaging;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Telegram;

/// <summary>The menus Telegram shows when someone types "/", set by the bot at start-up from its command tables.</summary>
public sealed class BotMenuTests : AgencyTest
{
    [Test]
    public async Task BotMenu_ComesFromTheCommandTables_ClientsInTheirLanguage_StaffWithEveryStaffCommand()
    {
        var menus = await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Requests.Where(r => r.Method == "setMyCommands").ToList()),
            r => r.Count >= 5, AgencyWorld.Timeout, "setMyCommands");

        var byScope = menus.ToDictionary(m => ((string)m.Body["scope"]!["type"]!, (string?)m.Body["language_code"]),
            m => m.Body["commands"]!.AsArray().ToDictionary(c => (string)c!["command"]!, c => (string)c!["description"]!));
        Assert.Multiple(() =>
        {
            Assert.That(byScope[("all_private_chats", null)].Keys, Is.EqualTo(new[] { "start", "project", "status", "files", "help" }));
            Assert.That(byScope[("all_private_chats", null)]["help"], Is.EqualTo("How this chat works"));
            Assert.That(byScope[("all_private_chats", "fr")]["help"], Is.EqualTo("Comment fonctionne cette discussion"));
            Assert.That(byScope[("all_group_chats", null)].Keys, Is.EqualTo(new[] { "link", "project", "status", "files", "help" }));
            Assert.That(byScope[("chat", null)].Keys, Is.EqualTo(BotCommands.StaffChat.Select(c => c.Name)));
            Assert.That(byScope[("chat", null)].Keys, Does.Contain("task").And.Contain("all").And.Contain("setup"));
        });
    }

    [Test]
    public async Task AStaffMember_GetsTheStaffMenuInTheirPrivateChat_AndLosesItWhenTheyLeave()
    {
        var paul = await World.StaffAsync(9009, "Paul", "manager");
        World.Telegram.ClientSends(9009, "/start", firstName: "Paul");
        var set = await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Requests.Where(r => r.Method == "setMyCommands"
            && (string?)r.Body["scope"]!["type"] == "chat" && (long?)r.Body["scope"]!["chat_id"] == 9009).ToList()), r => r.Count == 1, AgencyWorld.Timeout, "staff menu");
        (await World.Api.PatchAsJsonAsync($"/api/staff/{paul}", new { active = false })).EnsureSuccessStatusCode();
        await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Requests.Count(r => r.Method == "deleteMyCommands"
            && (long?)r.Body["scope"]!["chat_id"] == 9009)), n => n == 1, AgencyWorld.Timeout, "staff menu taken away");

        var commands = set[0].Body["commands"]!.AsArray().Select(c => (string)c!["command"]!).ToList();
        Assert.That(commands, Is.EqualTo(BotCommands.StaffPrivate.Select(c => c.Name)));
        Assert.That(commands, Does.Contain("newproject").And.Contain("invite_staff").And.Not.Contain("start"));
    }
}
