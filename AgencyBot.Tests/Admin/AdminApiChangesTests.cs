using System.Net;
using System.Net.Http.Json;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Admin;

/// <summary>What is set up can be changed and put away: clients and projects updated and archived, team roles set and
/// taken away one at a time, and the record exported as CSV that a spreadsheet opens safely.</summary>
public sealed class AdminApiChangesTests : AgencyTest
{
    [Test]
    public async Task AClient_IsUpdatedAndArchived_AndAProjectRenamedAndArchived_WhichRevokesItsOpenInvites()
    {
        var (projectId, code) = await World.ProjectAsync();
        var clientId = (await World.Api.GetAsAsync<ProjectViewAnswer>($"/api/projects/{projectId}")).ClientId;

        var client = await (await World.Api.PatchAsJsonAsync($"/api/clients/{clientId}", new { name = "Acme SA", language = "fr", contact = "Anna" }))
            .ReadAsAsync<ClientAnswer>();
        var archived = await (await World.Api.PatchAsJsonAsync($"/api/clients/{clientId}", new { archived = true })).ReadAsAsync<ArchivedAnswer>();
        var empty = await World.Api.PatchAsJsonAsync($"/api/clients/{clientId}", new { });
        var missing = await World.Api.PatchAsJsonAsync("/api/clients/999", new { name = "X" });
        var renamed = await World.Api.PatchAsJsonAsync($"/api/projects/{projectId}", new { name = "Website 2027", archived = true });
        var project = await World.Api.GetAsAsync<ProjectViewAnswer>($"/api/projects/{projectId}");
        World.Telegram.ClientSends(7501, $"/start {code}", firstName: "Anna");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == 7501));

        Assert.Multiple(async () =>
        {
            Assert.That(client, Is.EqualTo(new ClientAnswer(clientId, "Acme SA", "fr", "Anna")));
            Assert.That(archived.ArchivedAt, Is.Not.Null);
            Assert.That(empty.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(renamed.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That((project.Name, project.ArchivedAt is not null), Is.EqualTo(("Website 2027", true)));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM chat_bindings"), Is.Zero, "the invite was revoked with the project");
        });
    }

    [Test]
    public async Task TeamRoles_AreSetAndTakenAway_OneAtATime()
    {
        var (projectId, _) = await World.ProjectAsync();
        var lea = await World.StaffAsync(9002, "Léa Martin", "employee");
        await World.Api.PutAsJsonAsync($"/api/projects/{projectId}/team/designer", new { staffId = lea });
        var both = await (await World.Api.PutAsJsonAsync($"/api/projects/{projectId}/team/assistant", new { staffId = 1 })).ReadAsAsync<TeamMemberAnswer[]>();
        var left = await (await World.Api.DeleteAsync($"/api/projects/{projectId}/team/designer")).ReadAsAsync<TeamMemberAnswer[]>();
        var again = await World.Api.DeleteAsync($"/api/projects/{projectId}/team/designer");
        var unknownRole = await World.Api.PutAsJsonAsync($"/api/projects/{projectId}/team/astronaut", new { staffId = lea });
        var unknownStaff = await World.Api.PutAsJsonAsync($"/api/projects/{projectId}/team/designer", new { staffId = 999 });

        Assert.Multiple(() =>
        {
            Assert.That(both.Select(m => m.Role), Is.EqualTo(new[] { "assistant", "designer" }), "adding one keeps the other");
            Assert.That(left.Select(m => m.Role), Is.EqualTo(new[] { "assistant" }));
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(unknownRole.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(unknownStaff.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [Test]
    public async Task Exports_AreCsvWithIsoTimes_AndAFormulaAClientWroteIsNotRunByTheSpreadsheet()
    {
        await World.ProjectWithClientAsync();
        World.Telegram.ClientSends(601, "=HYPERLINK(\"http://evil.example\",\"click\")", firstName: "Anna");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains("HYPERLINK") == true));
        await World.SettledAsync();

        var messages = await World.Api.GetAsync("/api/exports/messages.csv");
        var csv = await messages.Content.ReadAsStringAsync();
        var conversations = await World.Api.GetStringAsync("/api/exports/conversations.csv");
        var unknown = await World.Api.GetAsync("/api/exports/passwords.csv");
        var times = await World.Api.GetStringAsync("/api/exports/time-entries.csv");
        var answers = await World.Api.GetStringAsync("/api/exports/response-times.csv");

        var line = csv.Split('\n').Single(l => l.Contains("HYPERLINK"));
        Assert.Multiple(() =>
        {
            Assert.That(messages.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/csv"));
            Assert.That(csv.TrimStart('\uFEFF'), Does.StartWith("Id,ConversationId,Client,Project,Direction,Kind,Sender,Text,CreatedAt,EditedAt"));
            Assert.That(line, Does.Contain("\"'=HYPERLINK(").Or.Contain(",'=HYPERLINK("), "escaped with an apostrophe");
            Assert.That(line, Does.Match(@",20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d"), "ISO-8601");
            Assert.That(conversations.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(2), "a header and Anna's conversation");
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(times.TrimStart('\uFEFF'), Does.StartWith("Id,Client,Project,Staff,SpentOn,Minutes"));
            Assert.That(answers.TrimStart('\uFEFF'), Does.StartWith("Id,Client,Project,ConversationId,WaitingSince,AnsweredAt"));
        });
    }
}
