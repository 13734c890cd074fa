using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Tasks;

/// <summary>Templates through the admin API, and the tasks they create the minute a project starts.</summary>
public sealed class TemplateTests : AgencyTest
{
    internal static string RepoFile(string relative)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AgencyBot.sln"))) dir = dir.Parent;
        return File.ReadAllText(Path.Combine(dir!.FullName, relative));
    }

    private async Task<long> PostTemplateAsync(string json)
    {
        var response = await World.Api.PostAsync("/api/templates", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.ReadAsAsync<Created>()).Id;
    }

    private async Task<Dictionary<string, long>> TeamAsync()
    {
        var team = new Dictionary<string, long>
        {
            ["assistant"] = await World.Db.ScalarAsync<long>("SELECT id FROM staff WHERE telegram_user_id = @a", new { a = AgencyWorld.Assistant }),
            ["designer"] = await World.StaffAsync(9002, "Léa Martin", "employee"),
            ["developer"] = await World.StaffAsync(9003, "Tom Durand", "employee"),
            ["copywriter"] = await World.StaffAsync(9004, "Sam Petit", "employee"),
            ["seo"] = await World.StaffAsync(9005, "Nora Blanc", "employee"),
            ["manager"] = await World.StaffAsync(9006, "Paul Roux", "manager"),
        };
        return team;
    }

    [TestCase("templates/website-launch.json")]
    [TestCase("templates/monthly-seo.json")]
    public async Task ShippedTemplates_AreValid_AndReadBack(string file)
    {
        var id = await PostTemplateAsync(RepoFile(file));

        var template = await World.Api.GetAsAsync<TemplateAnswer>($"/api/templates/{id}");
        var source = JsonDocument.Parse(RepoFile(file)).RootElement;
        Assert.That(template.Name, Is.EqualTo(source.GetProperty("name").GetString()));
        Assert.That(template.Tasks, Has.Count.EqualTo(source.GetProperty("tasks").GetArrayLength()));
    }

    [Test]
    public async Task ProjectCreatedWithATemplate_HasEveryTaskAtOnce_AssignedByRole_DueInWorkingDays_AndTheClientIsTold()
    {
        var templateId = await PostTemplateAsync(RepoFile("templates/website-launch.json"));
        var team = await TeamAsync();
        var (existing, _) = await World.ProjectAsync("Acme", "Warm-up");
        var clientId = await World.Db.ScalarAsync<long>("SELECT client_id FROM projects WHERE id = @existing", new { existing });

        var created = await World.Api.PostAsJsonAsync("/api/projects", new
        {
            clientId, name = "Website launch", templateId, startDate = "2026-12-04", // a Friday
            team = team.Select(t => new { role = t.Key, staffId = t.Value }),
        });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var projectId = (await created.ReadAsAsync<Created>()).Id;
        var tasks = await World.Api.GetAsAsync<IReadOnlyList<TaskAnswer>>($"/api/projects/{projectId}/tasks");

        TaskAnswer Task(string title) => tasks.Single(t => t.Title == title);
        Assert.Multiple(() =>
        {
            Assert.That(tasks, Has.Count.EqualTo(12), "6 tasks and 6 subtasks");
            Assert.That(Task("Kick-off and brief").ResponsibleName, Is.EqualTo("Marie"));
            Assert.That(Task("Kick-off and brief").DueOn, Is.EqualTo("2026-12-08"), "Friday + 2 working days");
            Assert.That(Task("Design").ResponsibleName, Is.EqualTo("Léa Martin"));
            Assert.That(Task("Homepage mock-up").ParentNumber, Is.EqualTo(Task("Design").Number));
            Assert.That(Task("Homepage mock-up").PartsTotal, Is.EqualTo(3));
            Assert.That(Task("Design").PartsTotal, Is.EqualTo(6), "3 subtasks and the 3 checklist items below them");
            Assert.That(Task("Internal: margin and hours review").StaffOnly, Is.True);
            Assert.That(tasks.Select(t => t.Number), Is.Unique);
        });

        // A client who links a chat later sees the plan with /status; one linked now would be told at once.
        var ownCode = await World.InviteAsync(projectId);
        await World.LinkPrivateChatAsync(701, ownCode);
        World.Telegram.ClientSends(701, "/status");
        var status = (await World.WaitForAsync(s => s.Any(m => m.ChatId == 701 && m.Text?.Contains("work in progress") == true)))
            .Single(m => m.ChatId == 701 && m.Text?.Contains("work in progress") == true).Text!;
        Assert.Multiple(() =>
        {
            Assert.That(status, Does.Contain("Design: Léa, 0/6 done"));
            Assert.That(status, Does.Not.Contain("Internal"), "staff-only tasks stay hidden");
            Assert.That(status, Does.Not.Contain("Homepage mock-up"), "subtasks are counted, not listed");
        });
    }

    [Test]
    public async Task ApplyingATemplate_TellsTheLinkedClientWhatStartsNowAndWhoDoesIt()
    {
        var templateId = await PostTemplateAsync(RepoFile("templates/monthly-seo.json"));
        var team = await TeamAsync();
        var (projectId, code) = await World.ProjectAsync("Acme", "SEO");
        await World.Api.PutAsJsonAsync($"/api/projects/{projectId}/team", new { members = team.Select(t => new { role = t.Key, staffId = t.Value }) });
        await World.LinkPrivateChatAsync(702, code, language: "fr");

        var applied = await World.Api.PostAsJsonAsync($"/api/projects/{projectId}/apply-template", new { templateId });

        Assert.That(applied.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var plan = (await World.WaitForAsync(s => s.Any(m => m.ChatId == 702 && m.Text?.Contains("commence") == true)))
            .Single(m => m.ChatId == 702 && m.Text?.Contains("commence") == true).Text!;
        Assert.That(plan, Does.Contain("Technical check : Nora").And.Contain("Content for the month : Sam"));
    }

    [TestCase("""{"name":"Loop","tasks":[{"key":"a","title":"A","after":["b"]},{"key":"b","title":"B","after":["a"]}]}""", "Tasks[0].After")]
    [TestCase("""{"name":"Role","tasks":[{"title":"A","role":"astronaut"}]}""", "Tasks[0].Role")]
    [TestCase("""{"name":"Offset","tasks":[{"title":"A","subtasks":[{"title":"B","dueInWorkingDays":-2}]}]}""", "Tasks[0].Subtasks[0].DueInWorkingDays")]
    [TestCase("""{"name":"Deep","tasks":[{"title":"A","subtasks":[{"title":"B","subtasks":[{"title":"C"}]}]}]}""", "Tasks[0].Subtasks[0].Subtasks")]
    [TestCase("""{"name":"Check","tasks":[{"title":"A","checklist":[{"text":"x","role":"pilot"}]}]}""", "Tasks[0].Checklist[0].Role")]
    [TestCase("""{"name":"Unknown","tasks":[{"title":"A","after":["nope"]}]}""", "Tasks[0].After")]
    [TestCase("""{"name":"","tasks":[]}""", "Name")]
    [TestCase("""{"name":"Nulls","tasks":[null]}""", "Tasks[0]")]
    [TestCase("""{"name":"Nulls","tasks":[{"title":"A","checklist":[null]}]}""", "Tasks[0].Checklist[0]")]
    [TestCase("""{"name":"Nulls","tasks":[{"title":"A","after":[null]}]}""", "Tasks[0].After[0]")]
    public async Task InvalidTemplate_IsRefused_NamingTheField(string json, string field)
    {
        var response = await World.Api.PostAsync("/api/templates", new StringContent(json, Encoding.UTF8, "application/json"));

        var problem = await response.ReadAsAsync<Problem>();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(problem.Errors?.Keys, Does.Contain(field));
        Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM templates"), Is.Zero);
    }

    [Test]
    public async Task Templates_CanBeListedUpdatedAndDeleted()
    {
        var id = await PostTemplateAsync("""{"name":"Small","tasks":[{"title":"One"}]}""");

        var updated = await World.Api.PutAsync($"/api/templates/{id}", new StringContent("""{"name":"Small v2","tasks":[{"title":"One"},{"title":"Two"}]}""", Encoding.UTF8, "application/json"));
        var list = await World.Api.GetAsAsync<IReadOnlyList<TemplateAnswer>>("/api/templates");
        var deleted = await World.Api.DeleteAsync($"/api/templates/{id}");
        var gone = await World.Api.GetAsync($"/api/templates/{id}");

        Assert.Multiple(() =>
        {
            Assert.That(updated.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(list[0].Name, Is.EqualTo("Small v2"));
            Assert.That(list[0].Tasks, Has.Count.EqualTo(2));
            Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(gone.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }
}
