using System.Net.Http.Json;
using System.Text;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Clients;

/// <summary>Small things people read: /project with one project, /status in due-date order, French dates and
/// progress, and "1 new task".</summary>
public sealed class ClientWordingTests : AgencyTest
{
    private const long Anna = 601;
    private const long Claire = 602;
    private long _projectId;

    [SetUp]
    public async Task ArrangeAsync()
    {
        var (projectId, code) = await World.ProjectAsync();
        _projectId = projectId;
        await World.LinkPrivateChatAsync(Anna, code, firstName: "Anna");
    }

    private async Task<string> AsksAsync(long chat, string text, string language = "en")
    {
        var before = World.Telegram.SentTo(chat).Count;
        World.Telegram.ClientSends(chat, text, firstName: "Anna", languageCode: language);
        return (await World.WaitForAsync(s => s.Count(m => m.ChatId == chat) > before)).Last(m => m.ChatId == chat).Text!;
    }

    private async Task<long> TaskAsync(object body) =>
        (await (await World.Api.PostAsJsonAsync($"/api/projects/{_projectId}/tasks", body)).ReadAsAsync<TaskAnswer>()).Id;

    [Test]
    public async Task Project_WithOneProject_NamesIt_InsteadOfOfferingAChoice()
    {
        var answer = await AsksAsync(Anna, "/project");

        Assert.That(answer, Is.EqualTo("This chat is linked to “Website launch”: everything you write here reaches its team."));
    }

    [Test]
    public async Task Status_ListsWhatComesDueFirst_First_AndUndatedWorkLast()
    {
        await TaskAsync(new { title = "Undated" });
        await TaskAsync(new { title = "Later", due = "2027-03-01" });
        await TaskAsync(new { title = "Sooner", due = "2027-01-15" });

        var status = await AsksAsync(Anna, "/status");

        Assert.That(status.Split('\n').Skip(1).Select(line => line.Split(':')[0]), Is.EqualTo(new[] { "• Sooner", "• Later", "• Undated" }));
    }

    [Test]
    public async Task InFrench_DatesAreWrittenInFull_AndProgressHasNoAgreementToGetWrong()
    {
        World.Telegram.ClientSends(Claire, $"/start {await World.InviteAsync(_projectId)}", firstName: "Claire", languageCode: "fr");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Claire));
        var parent = await TaskAsync(new { title = "Maquettes", due = "2027-12-03" });
        var number = await World.Db.ScalarAsync<long>("SELECT number FROM tasks WHERE id = @parent", new { parent });
        await TaskAsync(new { title = "Accueil", parentNumber = number });

        var status = await AsksAsync(Claire, "/status", "fr");

        Assert.Multiple(() =>
        {
            Assert.That(status, Does.Contain("avancement 0/1"));
            Assert.That(status, Does.Contain("prévu le 3 décembre"));
            Assert.That(status, Does.Not.Contain(".."));
        });
    }

    [Test]
    public async Task ATemplateGivingSomeoneOneTask_SaysOneNewTask()
    {
        var lea = await World.StaffAsync(9002, "Léa Martin", "employee");
        World.Telegram.ClientSends(9002, "/start", firstName: "Léa");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == 9002));
        (await World.Api.PutAsJsonAsync($"/api/projects/{_projectId}/team", new { members = new[] { new { role = "designer", staffId = lea } } })).EnsureSuccessStatusCode();
        var template = await World.Api.PostAsync("/api/templates", new StringContent(
            """{"name":"One","tasks":[{"title":"Logo","role":"designer"},{"title":"Brief","role":"assistant"}]}""", Encoding.UTF8, "application/json"));
        var templateId = (await template.ReadAsAsync<Created>()).Id;

        (await World.Api.PostAsJsonAsync($"/api/projects/{_projectId}/apply-template", new { templateId })).EnsureSuccessStatusCode();

        var told = (await World.WaitForAsync(s => s.Count(m => m.ChatId == 9002) >= 2)).Last(m => m.ChatId == 9002).Text!;
        Assert.That(told, Does.Contain("1 new task in Acme · Website launch: "));
    }
}
