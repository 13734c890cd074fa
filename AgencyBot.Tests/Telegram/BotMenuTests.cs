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
            Assert.That(byScope[("all_private_chats", null)].Keys, Is.EqualTo(new[] { "start", "project", "status", "help" }));
            Assert.That(byScope[("all_private_chats", null)]["help"], Is.EqualTo("How this chat works"));
            Assert.That(byScope[("all_private_chats", "fr")]["help"], Is.EqualTo("Comment fonctionne cette discussion"));
            Assert.That(byScope[("all_group_chats", null)].Keys, Is.EqualTo(new[] { "link", "project", "status", "help" }));
            Assert.That(byScope[("chat", null)].Keys, Is.EqualTo(BotCommands.StaffChat.Select(c => c.Name)));
            Assert.That(byScope[("chat", null)].Keys, Does.Contain("task").And.Contain("all").And.Contain("setup"));
        });
    }
}
