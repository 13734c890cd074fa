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

    [Test]
    public async Task ImportInTheStaffChat_TakesTheCsvAsAFile_AndAnswersWithTheInvitationsAsAFile()
    {
        var csv = Encoding.UTF8.GetBytes("\uFEFFclient,project,template,language,contact\nAcme,Site,Website,en,Anna\n=SUM(1+1),Shop,,fr,Jean\n");
        World.Telegram.ClientSendsDocument(AgencyWorld.StaffChat, "clients.csv", csv, caption: "/import", userId: AgencyWorld.Assistant, firstName: "Marie");
        var summary = (await World.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.StartsWith("✅ Imported") == true)))
            .First(m => m.Text?.StartsWith("✅ Imported") == true);
        var file = (await World.WaitForAsync(s => s.Any(m => m.Method == "sendDocument"))).Single(m => m.Method == "sendDocument");
        using var reader = new StringReader(Encoding.UTF8.GetString(Convert.FromBase64String((string)file.Request.Body["document"]!)).TrimStart('\uFEFF'));
        using var parser = new CsvHelper.CsvReader(reader, System.Globalization.CultureInfo.InvariantCulture);
        var invitations = parser.GetRecords<dynamic>().Select(r => (IDictionary<string, object>)r).ToList();

        World.Telegram.ClientSendsDocument(AgencyWorld.StaffChat, "bad.csv", Encoding.UTF8.GetBytes("client,project,template\nInitech,App,Nope\n"), caption: "/import",
            userId: AgencyWorld.Assistant, firstName: "Marie");
        var refused = (await World.WaitForAsync(s => s.Any(m => m.Text?.StartsWith("Nothing was imported") == true))).First(m => m.Text?.StartsWith("Nothing was imported") == true);
        World.Telegram.ClientSends(AgencyWorld.StaffChat, "/import", userId: AgencyWorld.Assistant, firstName: "Marie");
        var howTo = (await World.WaitForAsync(s => s.Any(m => m.Text?.StartsWith("Send the file") == true))).First(m => m.Text?.StartsWith("Send the file") == true);
        await World.SettledAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(summary.Text, Does.Contain("2 projects created"));
            Assert.That(invitations.Select(i => i["Project"]), Is.EqualTo(new[] { "Site", "Shop" }));
            Assert.That((string)invitations[0]["Invitation"], Does.StartWith("Hello Anna! Sreda Digital"));
            Assert.That((string)invitations[0]["Link"], Does.StartWith($"https://t.me/{AgencyBot.Sandbox.FakeBotApi.BotUsername}?start="));
            Assert.That((string)invitations[1]["Client"], Is.EqualTo("'=SUM(1+1)"), "a formula is not run by the spreadsheet");
            Assert.That((string)invitations[1]["Invitation"], Does.StartWith("Bonjour Jean !"));
            Assert.That(refused.Text, Does.Contain("line 2").And.Contain("Nope"));
            Assert.That(howTo.Text, Does.Contain("client, project"));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM projects"), Is.EqualTo(2), "the bad file created nothing");
            Assert.That(await World.Db.QueryAsync<string>("SELECT state FROM import_requests ORDER BY id"), Is.EqualTo(new[] { "done", "failed" }));
        });
    }
}
