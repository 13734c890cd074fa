using System.Net;
using System.Net.Http.Json;
using System.Text;
using AgencyBot.Core.Clients;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Clients;

/// <summary>Moving the agency's existing clients over at once: a CSV or JSON file of projects gives one invitation per
/// project, all or nothing, and running it again creates nothing twice.</summary>
public sealed class ImportTests : AgencyTest
{
    private static StringContent Csv(string text) => new(text, Encoding.UTF8, "text/csv");

    private static string FiftyProjects()
    {
        var csv = new StringBuilder("Client;Project;Template;Language;Contact\n");
        for (var i = 1; i <= 50; i++) csv.Append($"Client {(i + 1) / 2};Project {i};Website;{(i % 2 == 0 ? "fr" : "en")};Contact {i}\n");
        return csv.ToString();
    }

    [SetUp]
    public async Task TemplateAsync() =>
        (await World.Api.PostAsync("/api/templates", new StringContent("""{"name":"Website","tasks":[{"title":"Brief"}]}""", Encoding.UTF8, "application/json")))
            .EnsureSuccessStatusCode();

    [Test]
    public async Task ImportingFiftyProjects_GivesFiftyInvitations_AndTheSameFileAgainCreatesNothingTwice()
    {
        var response = await World.Api.PostAsync("/api/import", Csv(FiftyProjects()));
        var answer = await response.ReadAsAsync<ImportAnswerView>();
        var again = await (await World.Api.PostAsync("/api/import", Csv(FiftyProjects()))).ReadAsAsync<ImportAnswerView>();

        var second = answer.Projects.Single(p => p.Project == "Project 2");
        var link = second.Link!;
        World.Telegram.ClientSends(7401, $"/start {link[(link.IndexOf('=') + 1)..]}", firstName: "Contact");
        var welcome = (await World.WaitForAsync(s => s.Any(m => m.ChatId == 7401))).First(m => m.ChatId == 7401);
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(answer.Created, Is.EqualTo(50));
            Assert.That(answer.Projects.Select(p => p.Link).Distinct().Count(), Is.EqualTo(50), "fifty different single-use links");
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM clients"), Is.EqualTo(25), "a client named twice is one client");
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM tasks"), Is.EqualTo(50), "each project got its template's task");
            Assert.That(second.Invitation, Does.StartWith("Bonjour Contact ! Sreda Digital"), "in the client's language, to their contact");
            Assert.That(second.Line, Is.EqualTo(3), "the file's line (the header is line 1)");
            Assert.That(welcome.Text, Does.StartWith("Bienvenue"));
            Assert.That((again.Created, again.Existing), Is.EqualTo((0, 50)));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM projects"), Is.EqualTo(50));
        });
    }

    [Test]
    public async Task ABadLine_ImportsNothing_AndEveryBadLineIsNamed()
    {
        var response = await World.Api.PostAsync("/api/import", Csv("client,project,template,language\nAcme,Site,Website,en\n,No client,,\nGlobex,Shop,Webshop,en\nInitech,App,,de\n"));
        var problem = await response.ReadAsAsync<Problem>();
        var notCsv = await World.Api.PostAsync("/api/import", Csv("name,title\nAcme,Site\n"));
        var plain = await World.Api.PostAsync("/api/import", new StringContent("Acme,Site", Encoding.UTF8, "text/plain"));

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(problem.Title, Is.EqualTo("Nothing was imported"));
            Assert.That(problem.Errors!.Keys, Is.EquivalentTo(new[] { "line 3", "line 4", "line 5" }));
            Assert.That(problem.Errors["line 4"][0], Does.Contain("Webshop"));
            Assert.That(problem.Errors["line 5"][0], Does.Contain("language"));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM projects"), Is.Zero, "all or nothing");
            Assert.That((await notCsv.ReadAsAsync<Problem>()).Detail, Does.Contain("client and project"));
            Assert.That(plain.StatusCode, Is.EqualTo(HttpStatusCode.UnsupportedMediaType));
        });
    }

    [Test]
    public async Task AJsonArray_ImportsTheSame()
    {
        var response = await World.Api.PostAsJsonAsync("/api/import", new[]
        {
            new { client = "Acme", project = "Site", language = "en", contact = (string?)"Anna" },
            new { client = "Acme", project = "Shop", language = "en", contact = (string?)null },
        });
        var answer = await response.ReadAsAsync<ImportAnswerView>();

        Assert.Multiple(() =>
        {
            Assert.That(answer.Created, Is.EqualTo(2));
            Assert.That(answer.Projects[0].Invitation, Does.StartWith("Hello Anna!"));
            Assert.That(answer.Projects[1].Invitation, Does.StartWith("Hello Anna!"), "the client's contact, from its first line");
            Assert.That(answer.Projects.Select(p => p.Line), Is.EqualTo(new[] { 1, 2 }));
        });
    }
}
