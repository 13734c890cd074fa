using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Admin;

public sealed class AdminApiTests
{
    private FakeBotApi _telegram = null!;
    private TempDatabase _db = null!;
    private TestHost _host = null!;
    private HttpClient _api = null!;

    [SetUp]
    public async Task SetUp()
    {
        _telegram = await FakeBotApi.StartAsync();
        _db = TempDatabase.Create();
        _host = new TestHost(_telegram, _db).Start();
        _api = _host.AdminClient();
    }

    [TearDown]
    public async Task TearDown()
    {
        _api.Dispose();
        await _host.DisposeAsync();
        await _telegram.DisposeAsync();
        await _db.DisposeAsync();
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();

    [Test]
    public async Task Health_NeedsNoKey()
    {
        using var anonymous = _host.CreateClient();

        var response = await anonymous.GetAsync("/health");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCase("GET", "/api/staff")]
    [TestCase("POST", "/api/staff")]
    [TestCase("GET", "/api/clients")]
    [TestCase("POST", "/api/clients")]
    [TestCase("GET", "/api/projects")]
    [TestCase("POST", "/api/projects")]
    [TestCase("POST", "/api/projects/1/invites")]
    public async Task EveryApiRoute_WithoutOrWithWrongKey_Is401Problem(string method, string path)
    {
        using var anonymous = _host.CreateClient();
        using var wrong = _host.CreateClient();
        wrong.DefaultRequestHeaders.Add("X-Api-Key", "not-the-key");

        foreach (var client in new[] { anonymous, wrong })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { name = "x" }) };
            var response = await client.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        }
        Assert.That(await _db.ScalarAsync<long>("SELECT COUNT(*) FROM clients"), Is.Zero);
    }

    [Test]
    public async Task SettingUpAnAgency_StaffClientProjectInvite()
    {
        var staff = await _api.PostAsJsonAsync("/api/staff", new { telegramUserId = 1001, name = "Marie", role = "assistant" });
        var client = await JsonAsync(await _api.PostAsJsonAsync("/api/clients", new { name = "Acme" }));
        var project = await _api.PostAsJsonAsync("/api/projects", new { clientId = client.GetProperty("id").GetInt64(), name = "Website launch" });
        var projectId = (await JsonAsync(project)).GetProperty("id").GetInt64();
        var invite = await _api.PostAsync($"/api/projects/{projectId}/invites", null);
        var inviteBody = await JsonAsync(invite);

        var staffList = await JsonAsync(await _api.GetAsync("/api/staff"));
        var projects = await JsonAsync(await _api.GetAsync("/api/projects"));
        Assert.Multiple(async () =>
        {
            Assert.That(staff.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(project.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(invite.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(staffList[0].GetProperty("role").GetString(), Is.EqualTo("assistant"));
            Assert.That(staffList[0].GetProperty("telegramUserId").GetInt64(), Is.EqualTo(1001));
            Assert.That(projects[0].GetProperty("name").GetString(), Is.EqualTo("Website launch"));
            var code = inviteBody.GetProperty("code").GetString();
            Assert.That(code, Does.Match("^[A-Za-z0-9]{20}$"));
            Assert.That(inviteBody.GetProperty("link").GetString(), Is.EqualTo($"https://t.me/{FakeBotApi.BotUsername}?start={code}"));
            Assert.That(await _db.ScalarAsync<long>("SELECT project_id FROM invites WHERE code = @code", new { code }), Is.EqualTo(projectId));
        });
    }

    [Test]
    public async Task InvalidBody_Is400Problem_NamingEveryFailingField()
    {
        var response = await _api.PostAsJsonAsync("/api/staff", new { telegramUserId = -5, name = "", role = "boss" });

        var problem = await JsonAsync(response);
        var errors = problem.GetProperty("errors");
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(errors.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "TelegramUserId", "Name", "Role" }));
            Assert.That(await _db.ScalarAsync<long>("SELECT COUNT(*) FROM staff"), Is.Zero);
        });
    }

    [Test]
    public async Task OversizeName_IsRefused()
    {
        var response = await _api.PostAsJsonAsync("/api/clients", new { name = new string('x', 101) });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await JsonAsync(response)).GetProperty("errors").TryGetProperty("Name", out _), Is.True);
    }

    [TestCase("{ not json")]
    [TestCase("{\"name\": 42}")]
    [TestCase("")]
    public async Task MalformedJson_Is400Problem(string body)
    {
        var response = await _api.PostAsync("/api/clients", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(await _db.ScalarAsync<long>("SELECT COUNT(*) FROM clients"), Is.Zero);
    }

    [Test]
    public async Task UnknownIds_Are404Problems()
    {
        var project = await _api.PostAsJsonAsync("/api/projects", new { clientId = 999, name = "Ghost" });
        var invite = await _api.PostAsync("/api/projects/999/invites", null);
        var client = await _api.GetAsync("/api/clients/999");

        Assert.Multiple(async () =>
        {
            foreach (var response in new[] { project, invite, client })
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
                Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            }
            Assert.That(await _db.ScalarAsync<long>("SELECT COUNT(*) FROM invites"), Is.Zero);
        });
    }

    [Test]
    public async Task RegisteringTheSameTelegramUserTwice_Is409()
    {
        await _api.PostAsJsonAsync("/api/staff", new { telegramUserId = 7, name = "Paul", role = "manager" });

        var again = await _api.PostAsJsonAsync("/api/staff", new { telegramUserId = 7, name = "Paul again", role = "employee" });

        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(await _db.ScalarAsync<long>("SELECT COUNT(*) FROM staff"), Is.EqualTo(1));
    }
}
