using System.Net;
using System.Net.Http.Json;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Tasks;

public sealed class TasksApiTests : AgencyTest
{
    private long _projectId;

    [SetUp]
    public async Task ArrangeAsync()
    {
        string code;
        (_projectId, code) = await World.ProjectAsync();
        await World.LinkPrivateChatAsync(601, code);
    }

    private async Task<TaskAnswer> CreateAsync(object body)
    {
        var response = await World.Api.PostAsJsonAsync($"/api/projects/{_projectId}/tasks", body);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return await response.ReadAsAsync<TaskAnswer>();
    }

    [Test]
    public async Task CreateListAndUpdate_WithTheSameEffectsAsInChat()
    {
        var lea = await World.StaffAsync(9002, "Léa", "employee");
        var design = await CreateAsync(new { title = "Design", role = "designer", due = "2027-01-15" });
        await CreateAsync(new { title = "Mock-up", parentNumber = design.Number, responsibleStaffId = lea });

        var patched = await World.Api.PatchAsJsonAsync($"/api/projects/{_projectId}/tasks/2", new { status = "done" });
        var moved = await World.Api.PatchAsJsonAsync($"/api/projects/{_projectId}/tasks/1", new { due = "2027-02-01", status = "in_progress" });
        var open = await World.Api.GetAsAsync<IReadOnlyList<TaskAnswer>>($"/api/projects/{_projectId}/tasks?status=in_progress");
        var done = await World.Api.GetAsAsync<IReadOnlyList<TaskAnswer>>($"/api/projects/{_projectId}/tasks?status=done");

        await World.WaitForAsync(s => s.Any(m => m.ChatId == 601 && m.Text?.Contains("New date") == true)
                                        && s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains("Mock-up") == true));
        Assert.Multiple(() =>
        {
            Assert.That(patched.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(moved.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(open.Select(t => t.Title), Is.EqualTo(new[] { "Design" }));
            Assert.That(done.Select(t => t.Title), Is.EqualTo(new[] { "Mock-up" }));
            Assert.That(World.Telegram.SentTo(601).Select(m => m.Text), Has.Some.Contains("Done: “Mock-up”"));
            Assert.That(World.Telegram.SentTo(9002).Concat(World.Telegram.SentTo(AgencyWorld.StaffChat)).Select(m => m.Text), Has.Some.Contains("Mock-up"));
        });
    }

    [Test]
    public async Task BadTaskInput_IsAProblem_AndChangesNothing()
    {
        await CreateAsync(new { title = "Design" });

        var noTitle = await World.Api.PostAsJsonAsync($"/api/projects/{_projectId}/tasks", new { title = "" });
        var badRole = await World.Api.PostAsJsonAsync($"/api/projects/{_projectId}/tasks", new { title = "x", role = "wizard" });
        var badParent = await World.Api.PostAsJsonAsync($"/api/projects/{_projectId}/tasks", new { title = "x", parentNumber = 42 });
        var badStatus = await World.Api.PatchAsJsonAsync($"/api/projects/{_projectId}/tasks/1", new { status = "maybe" });
        var pastDue = await World.Api.PatchAsJsonAsync($"/api/projects/{_projectId}/tasks/1", new { due = "2020-01-01" });
        var unknownStaff = await World.Api.PatchAsJsonAsync($"/api/projects/{_projectId}/tasks/1", new { responsibleStaffId = 999 });
        var unknownTask = await World.Api.PatchAsJsonAsync($"/api/projects/{_projectId}/tasks/77", new { status = "done" });
        var unknownProject = await World.Api.GetAsync("/api/projects/999/tasks");

        Assert.Multiple(async () =>
        {
            foreach (var r in new[] { noTitle, badRole, badParent, badStatus, pastDue, unknownStaff })
                Assert.That(r.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await r.Content.ReadAsStringAsync());
            Assert.That(unknownTask.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(unknownProject.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM tasks"), Is.EqualTo(1));
            Assert.That(await World.Db.ScalarAsync<string>("SELECT status FROM tasks"), Is.EqualTo("todo"));
        });
    }

    [Test]
    public async Task Team_IsSetPerRole_AndValidated()
    {
        var lea = await World.StaffAsync(9002, "Léa", "employee");

        var set = await World.Api.PutAsJsonAsync($"/api/projects/{_projectId}/team", new { members = new[] { new { role = "designer", staffId = lea } } });
        var badRole = await World.Api.PutAsJsonAsync($"/api/projects/{_projectId}/team", new { members = new[] { new { role = "wizard", staffId = lea } } });
        var badStaff = await World.Api.PutAsJsonAsync($"/api/projects/{_projectId}/team", new { members = new[] { new { role = "developer", staffId = 999 } } });
        var team = await World.Api.GetAsAsync<IReadOnlyList<TeamMemberAnswer>>($"/api/projects/{_projectId}/team");

        Assert.Multiple(() =>
        {
            Assert.That(set.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(badRole.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(badStaff.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(team.Select(m => (m.Role, m.StaffName)),
                Is.EqualTo(new[] { ("designer", "Léa") }));
        });
    }

    [Test]
    public async Task AProjectCreatedWithATeam_TakesKnownRoles_OnePersonEach()
    {
        var lea = await World.StaffAsync(9002, "Léa", "employee");
        var clientId = (await (await World.Api.PostAsJsonAsync("/api/clients", new { name = "Globex" })).ReadAsAsync<Created>()).Id;

        var twoDesigners = await World.Api.PostAsJsonAsync("/api/projects",
            new { clientId, name = "Shop", team = new[] { new { role = "designer", staffId = lea }, new { role = "designer", staffId = lea } } });
        var wizard = await World.Api.PostAsJsonAsync("/api/projects", new { clientId, name = "Shop", team = new[] { new { role = "wizard", staffId = lea } } });
        var fine = await World.Api.PostAsJsonAsync("/api/projects", new { clientId, name = "Shop", team = new[] { new { role = "designer", staffId = lea } } });

        Assert.Multiple(async () =>
        {
            Assert.That(twoDesigners.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await twoDesigners.Content.ReadAsStringAsync(), Does.Contain("Each role can be given to one person only."));
            Assert.That(wizard.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await wizard.Content.ReadAsStringAsync(), Does.Contain("must be one of the team roles: assistant, manager, designer"));
            Assert.That(fine.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM projects WHERE name = 'Shop'"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task TheProject_ShowsItsLanguageSettingsAndTeam()
    {
        var lea = await World.StaffAsync(9002, "Léa", "employee");
        (await World.Api.PutAsJsonAsync($"/api/projects/{_projectId}/team", new { members = new[] { new { role = "designer", staffId = lea } } })).EnsureSuccessStatusCode();
        (await World.Api.PatchAsJsonAsync($"/api/projects/{_projectId}", new { language = "fr", notifyProgress = false, reportEvery = "monthly" })).EnsureSuccessStatusCode();

        var project = await World.Api.GetAsAsync<ProjectViewAnswer>($"/api/projects/{_projectId}");

        Assert.That(project with { Team = [], ClientId = 0 }, Is.EqualTo(new ProjectViewAnswer(_projectId, 0, "Website launch", "fr", false, "monthly", [])));
        Assert.That(project.Team.Select(m => (m.Role, m.StaffName)), Is.EqualTo(new[] { ("designer", "Léa") }));
    }
}
