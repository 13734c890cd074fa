using AgencyBot.Core.Clients;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Security;

/// <summary>One client can never reach another client's project, and staff-only moves stay with staff.</summary>
public sealed class IsolationTests : AgencyTest
{
    [Test]
    public async Task StaffButtons_PressedOutsideTheStaffChat_AreRefused_EvenByStaff()
    {
        var (_, code) = await World.ProjectAsync();
        await World.LinkPrivateChatAsync(601, code);
        World.Telegram.ClientSends(601, "secret plans");
        await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("secret plans") == true));
        var messageId = await World.Db.ScalarAsync<long>("SELECT id FROM messages WHERE text = 'secret plans'");

        // A client forges the staff "make a task" button in their own chat; so does a staff member from a private chat.
        World.Telegram.Presses(601, 1, $"b:task:{messageId}");
        World.Telegram.Presses(AgencyWorld.Assistant, 1, $"b:close:{messageId}", userId: AgencyWorld.Assistant);
        await Eventually.HoldsAsync(() => Task.FromResult(World.Telegram.Requests.Count(r => r.Method == "answerCallbackQuery")), n => n == 2,
            AgencyWorld.Timeout, "both answered");
        await World.SettledAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM tasks"), Is.Zero);
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM conversations WHERE waiting_since IS NOT NULL"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task AClientsMessages_AndTheAnswersToThem_NeverReachAnotherClient()
    {
        var (_, acmeCode) = await World.ProjectAsync("Acme", "Site");
        var (_, globexCode) = await World.ProjectAsync("Globex", "Shop");
        await World.LinkPrivateChatAsync(601, acmeCode);
        await World.LinkPrivateChatAsync(602, globexCode);
        World.Telegram.ClientSends(601, "Acme's private budget is 10k");
        var relay = (await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("budget") == true))).Single(m => m.Text?.Contains("budget") == true);
        await World.SettledAsync();

        World.Telegram.ClientSends(AgencyWorld.StaffChat, "Noted, 10k it is", userId: AgencyWorld.Assistant, threadId: relay.ThreadId);
        World.Telegram.ClientSends(AgencyWorld.StaffChat, "Replying to the post too", userId: AgencyWorld.Assistant, replyToMessageId: relay.MessageId);
        await World.WaitForAsync(s => s.Count(m => m.ChatId == 601 && (m.Text?.StartsWith("Noted") == true || m.Text?.StartsWith("Replying") == true)) == 2);
        World.Telegram.ClientSends(602, "/status");
        await World.WaitForAsync(s => s.Count(m => m.ChatId == 602) >= 2);
        await World.SettledAsync();

        Assert.That(World.Telegram.SentTo(602).Select(m => m.Text), Has.None.Contains("10k").And.None.Contains("Acme"));
    }

    [Test]
    public async Task AnEmployee_CannotUseTheManagersDigest()
    {
        await World.StaffAsync(9100, "Tom", "employee");

        World.Telegram.ClientSends(9100, "/digest", userId: 9100, firstName: "Tom");

        var reply = (await World.WaitForAsync(s => s.Any(m => m.ChatId == 9100))).Single(m => m.ChatId == 9100);
        Assert.That(reply.Text, Does.Contain("Only managers"));
        Assert.That(World.Telegram.Sent.Where(m => m.Method == "sendPhoto"), Is.Empty);
    }

    [Test]
    public async Task AClient_CannotLinkAChatToAProjectWithoutItsCode_NorGuessOne()
    {
        var (project, _) = await World.ProjectAsync();

        for (var i = 0; i < 5; i++) World.Telegram.ClientSends(666, $"/start {Guid.NewGuid():N}"[..27]);
        await World.WaitForAsync(s => s.Count(m => m.ChatId == 666) == 5);

        Assert.That(World.Telegram.SentTo(666).Select(m => m.Text), Is.All.EqualTo(ClientTexts.Get("InvalidCode", "en")));
        Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM chat_bindings WHERE project_id = @project", new { project }), Is.Zero);
    }
}
