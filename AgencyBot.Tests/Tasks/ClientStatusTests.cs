using System.Net.Http.Json;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Tasks;

/// <summary>What a client may see with /status: their current project's active work, and nothing else.</summary>
public sealed class ClientStatusTests : AgencyTest
{
    private async Task<string> StatusAsync(long chat, string language = "en")
    {
        await World.SettledAsync(); // earlier notes (a task done) have arrived
        var before = World.Telegram.SentTo(chat).Count;
        World.Telegram.ClientSends(chat, "/status", languageCode: language);
        return (await World.WaitForAsync(s => s.Count(m => m.ChatId == chat) > before)).Where(m => m.ChatId == chat).Last().Text!;
    }

    [Test]
    public async Task Status_ShowsActiveTasksWithWhoProgressAndDue_NeverStaffOnlyDoneOrOtherClients()
    {
        var lea = await World.StaffAsync(9002, "Léa Martin", "employee");
        var (acme, acmeCode) = await World.ProjectAsync("Acme", "Website launch");
        var (globex, globexCode) = await World.ProjectAsync("Globex", "Shop");
        await World.LinkPrivateChatAsync(601, acmeCode);
        await World.LinkPrivateChatAsync(602, globexCode);
        async Task Create(long project, object body) => (await World.Api.PostAsJsonAsync($"/api/projects/{project}/tasks", body)).EnsureSuccessStatusCode();
        await Create(acme, new { title = "Design", responsibleStaffId = lea, due = "2027-01-15" });
        await Create(acme, new { title = "Mock-up", parentNumber = 1 });
        await Create(acme, new { title = "Margin check", staffOnly = true });
        await Create(acme, new { title = "Old work" });
        await World.Api.PatchAsJsonAsync($"/api/projects/{acme}/tasks/4", new { status = "done" });
        await World.Api.PatchAsJsonAsync($"/api/projects/{acme}/tasks/1", new { status = "waiting_for_client" });
        await Create(acme, new { title = "Internal costing", parentNumber = 1, staffOnly = true }); // not even counted for the client
        await Create(globex, new { title = "Secret Globex launch" });
        World.Telegram.ClientSends(AgencyWorld.StaffChat, "// internal: Acme pays late", userId: AgencyWorld.Assistant, threadId: await World.TopicAsync());

        var acmeStatus = await StatusAsync(601);
        var globexStatus = await StatusAsync(602);

        Assert.Multiple(() =>
        {
            Assert.That(acmeStatus, Is.EqualTo("“Website launch”, work in progress:\n• Design: Léa, waiting for you, 0/1 done, due 15 Jan"));
            Assert.That(acmeStatus, Does.Not.Contain("Margin").And.Not.Contain("Old work").And.Not.Contain("Globex").And.Not.Contain("pays late"));
            Assert.That(globexStatus, Does.Contain("Secret Globex launch").And.Not.Contain("Design"));
        });
    }

    [Test]
    public async Task Status_InAnUnlinkedChat_SaysHowToLink()
    {
        var reply = await StatusAsync(777);

        Assert.That(reply, Is.EqualTo(AgencyBot.Core.Clients.ClientTexts.Get("NotLinked", "en")));
    }

    [Test]
    public async Task Status_InFrench()
    {
        var (project, code) = await World.ProjectAsync();
        await World.LinkPrivateChatAsync(603, code, language: "fr");
        (await World.Api.PostAsJsonAsync($"/api/projects/{project}/tasks", new { title = "Maquette", due = "2027-01-15" })).EnsureSuccessStatusCode();

        Assert.That(await StatusAsync(603, "fr"), Is.EqualTo("« Website launch », travaux en cours :\n• Maquette : en cours d’attribution, prévu le 15 janvier"));
    }
}
