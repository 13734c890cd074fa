using System.Net;
using System.Net.Http.Json;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Budgets;

/// <summary>A project's allotted hours: set by a manager in the topic, the API or a template; /budget shows the hours
/// used; 80 % and 100 % alert the topic and the managers once each, across restarts; the client may see the hours.</summary>
public sealed class BudgetTests : AgencyTest
{
    private const long Anna = 601;
    private const long Paul = 9500;
    private long _projectId;
    private int _topic;

    [SetUp]
    public async Task ArrangeAsync()
    {
        await World.StaffAsync(Paul, "Paul Roux", "manager");
        World.Telegram.ClientSends(Paul, "/start", userId: Paul, firstName: "Paul");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Paul));
        _projectId = await World.ProjectWithClientAsync(Anna);
        _topic = await World.TopicAsync();
        await World.SettledAsync();
    }

    /// <summary>Someone types in the project's topic; returns the bot's answer to it there.</summary>
    private async Task<string> InTopicAsync(string text, long user = AgencyWorld.Assistant, string name = "Marie")
    {
        var id = World.Telegram.ClientSendsReturningId(AgencyWorld.StaffChat, text, userId: user, firstName: name, threadId: _topic);
        bool IsAnswer(SentMessage m) => m.ChatId == AgencyWorld.StaffChat && (int?)m.Request.Body["reply_parameters"]?["message_id"] == id;
        return (await World.WaitForAsync(s => s.Any(IsAnswer))).First(IsAnswer).Text!;
    }

    /// <summary>Alerts queued (and, when the host is up, sent) so far: to the topic, and to Paul privately.</summary>
    private async Task<(long Topic, long Paul)> AlertsAsync(string words) => (
        await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE chat_id = @staff AND payload LIKE @words",
            new { staff = AgencyWorld.StaffChat, words = $"%{words}%" }),
        await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE chat_id = @Paul AND payload LIKE @words", new { Paul, words = $"%{words}%" }));

    [Test]
    public async Task AManagerSetsTheBudget_AndBudgetShowsTheHoursUsed_AccountManagementApart()
    {
        var set = await InTopicAsync("/budget 40h monthly 3200 EUR", Paul, "Paul");
        await InTopicAsync("/time 2h work");
        await InTopicAsync("/time 30m comms");

        var shown = await InTopicAsync("/budget");

        Assert.Multiple(() =>
        {
            Assert.That(set, Does.StartWith("💰 Budget: 40:00 h per month (3,200 EUR). Used: 0:00 of 40:00 h this month (0%)."));
            Assert.That(shown, Does.Contain("Used: 2:30 of 40:00 h this month (6.2%)"));
            Assert.That(shown, Does.Contain("This month: 2:30 h, account management 0:30 (measured 0:00)."));
            Assert.That(shown, Does.Contain("In total: 2:30 h, account management 0:30."));
        });
    }

    [TestCase("/budget 40h monthly", AgencyWorld.Assistant, "Only managers can set")]
    [TestCase("/budget forty hours", Paul, "/budget shows the hours used. Managers set it")]
    [TestCase("/budget 40h weekly", Paul, "/budget shows the hours used. Managers set it")]
    [TestCase("/budget 40h monthly 3200 euros", Paul, "/budget shows the hours used. Managers set it")]
    [TestCase("/budget -5h total", Paul, "/budget shows the hours used. Managers set it")]
    public async Task ABudgetNotAManagersOrNotUnderstood_IsRefused_AndNothingIsSet(string command, long user, string answer)
    {
        var reply = await InTopicAsync(command, user, user == Paul ? "Paul" : "Marie");

        Assert.That(reply, Does.StartWith(answer));
        Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM budgets"), Is.Zero);
    }

    [Test]
    public async Task TheAlerts_FireOnceAtEightyAndOnceAtAHundredPercent_EvenAcrossARestart()
    {
        await InTopicAsync("/budget 10h monthly", Paul, "Paul");
        await InTopicAsync("/time 7h work");
        var before = await AlertsAsync("Budget 80% used");
        await InTopicAsync("/time 1h work"); // 8 of 10 h
        await InTopicAsync("/time 30m comms");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Paul && m.Text?.Contains("Budget 80% used") == true));
        var atEighty = await AlertsAsync("Budget 80% used");

        await World.RestartHostAsync();
        await InTopicAsync("/time 1h work"); // 9:30 of 10 h: past 80 % again, already told
        await InTopicAsync("/time 1h work"); // 10:30 of 10 h
        await InTopicAsync("/time 1h work");
        await World.SettledAsync();

        var usedUp = await AlertsAsync("Budget used up");
        Assert.Multiple(async () =>
        {
            Assert.That(before, Is.EqualTo((0L, 0L)), "7 of 10 h is not 80 %");
            Assert.That(atEighty, Is.EqualTo((1L, 1L)), "once in the topic, once to the manager");
            Assert.That(await AlertsAsync("Budget 80% used"), Is.EqualTo((1L, 1L)), "80 % is not told again after the restart");
            Assert.That(usedUp, Is.EqualTo((1L, 1L)));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM budget_alerts"), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task AJumpPastBothThresholds_ClaimsBoth_AndSaysTheHigherOnce()
    {
        await InTopicAsync("/budget 2h total", Paul, "Paul");

        await InTopicAsync("/time 3h work");
        await World.SettledAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(await AlertsAsync("Budget used up"), Is.EqualTo((1L, 1L)));
            Assert.That(await AlertsAsync("Budget 80% used"), Is.EqualTo((0L, 0L)));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM budget_alerts WHERE period = 'total'"), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task TheApi_SetsAndReadsTheBudget_AndLoggedTimeAlerts()
    {
        var set = await World.Api.PutAsJsonAsync($"/api/projects/{_projectId}/budget", new { kind = "total", hours = 5, shownToClient = true });
        var bad = await World.Api.PutAsJsonAsync($"/api/projects/{_projectId}/budget", new { kind = "weekly", hours = 5 });
        var marie = await World.Db.ScalarAsync<long>("SELECT id FROM staff WHERE telegram_user_id = @a", new { a = AgencyWorld.Assistant });
        (await World.Api.PostAsJsonAsync($"/api/projects/{_projectId}/time-entries", new { staffId = marie, minutes = 240, category = "work" })).EnsureSuccessStatusCode();
        await World.SettledAsync();

        var status = await World.Api.GetAsAsync<BudgetStatusAnswer>($"/api/projects/{_projectId}/budget");
        Assert.Multiple(async () =>
        {
            Assert.That(set.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await bad.ReadAsAsync<Problem>()).Errors?.Keys, Does.Contain("Kind"));
            Assert.That(status.Budget, Is.EqualTo(new BudgetAnswer("total", 300, null, null, true)));
            Assert.That(status.InTotal.AllMinutes, Is.EqualTo(240));
            Assert.That(status.UsedPercent, Is.EqualTo(80.0));
            Assert.That(await AlertsAsync("Budget 80% used"), Is.EqualTo((1L, 1L)));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM budgets"), Is.EqualTo(1), "the refused one is not recorded");
        });
    }

    [Test]
    public async Task TheClientsStatus_ShowsTheHours_OnlyWhereTheAgencyChoseTo()
    {
        await InTopicAsync("/budget 40h monthly", Paul, "Paul");
        await InTopicAsync("/time 3h30m work");
        // The answer to each /status by count: the welcome names the project too.
        var before = World.Telegram.SentTo(Anna).Count;
        World.Telegram.ClientSends(Anna, "/status", firstName: "Anna");
        var hidden = (await World.WaitForAsync(s => s.Count(m => m.ChatId == Anna) > before)).Last(m => m.ChatId == Anna).Text!;

        await InTopicAsync("/budget 40h monthly client", Paul, "Paul");
        before = World.Telegram.SentTo(Anna).Count;
        World.Telegram.ClientSends(Anna, "/status", firstName: "Anna");
        var shown = (await World.WaitForAsync(s => s.Count(m => m.ChatId == Anna) > before)).Last(m => m.ChatId == Anna).Text!;

        Assert.Multiple(() =>
        {
            Assert.That(hidden, Does.Contain("Website launch").And.Not.Contain("h used"));
            Assert.That(shown, Does.Contain("⏱ 3.5 of 40 h used this month."));
        });
    }

    [Test]
    public async Task ATemplateWithABudget_SetsItWhenApplied()
    {
        var template = await World.Api.PostAsync("/api/templates", new StringContent(
            """{"name":"Retainer","budget":{"kind":"monthly","hours":20},"tasks":[{"title":"Monthly report"}]}""", System.Text.Encoding.UTF8, "application/json"));
        var id = (await template.ReadAsAsync<Created>()).Id;
        var badTemplate = await World.Api.PostAsync("/api/templates", new StringContent(
            """{"name":"Bad","budget":{"kind":"yearly","hours":20},"tasks":[{"title":"A"}]}""", System.Text.Encoding.UTF8, "application/json"));

        (await World.Api.PostAsJsonAsync($"/api/projects/{_projectId}/apply-template", new { templateId = id })).EnsureSuccessStatusCode();

        var status = await World.Api.GetAsAsync<BudgetStatusAnswer>($"/api/projects/{_projectId}/budget");
        Assert.Multiple(async () =>
        {
            Assert.That(status.Budget, Is.EqualTo(new BudgetAnswer("monthly", 1200, null, null, false)));
            Assert.That(badTemplate.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await badTemplate.ReadAsAsync<Problem>()).Errors?.Keys, Does.Contain("Budget.Kind"));
        });
    }
}
