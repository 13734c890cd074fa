using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgencyBot.Core.TimeTracking;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.TimeTracking;

public sealed class TimeTrackingTests : AgencyTest
{
    private long _projectId;
    private int _topic;

    [SetUp]
    public async Task ArrangeAsync()
    {
        string code;
        (_projectId, code) = await World.ProjectAsync();
        await World.LinkPrivateChatAsync(601, code);
        _topic = await World.TopicAsync();
        await World.SettledAsync(); // the topic is saved once Telegram created it
    }

    private async Task<string> SayAsync(long chat, string text, int? thread = null)
    {
        var id = World.Telegram.ClientSendsReturningId(chat, text, userId: AgencyWorld.Assistant, firstName: "Marie", threadId: thread);
        bool IsAnswer(SentMessage m) => m.ChatId == chat && (int?)m.Request.Body["reply_parameters"]?["message_id"] == id;
        return (await World.WaitForAsync(s => s.Any(IsAnswer))).First(IsAnswer).Text!;
    }

    private Task<IReadOnlyList<(long Minutes, string Category, string? Note)>> EntriesAsync() =>
        World.Db.QueryAsync<(long, string, string?)>("SELECT minutes, category, note FROM time_entries ORDER BY id");

    [Test]
    public async Task TimeInATopic_RecordsItForThatProject()
    {
        var answer = await SayAsync(AgencyWorld.StaffChat, "/time 1h30m invoice March invoice", _topic);

        Assert.That(answer, Does.Contain("1:30").And.Contain("invoice").And.Contain("account management"));
        Assert.That(await EntriesAsync(), Is.EqualTo(new[] { (90L, "invoice", (string?)"March invoice") }));
    }

    [Test]
    public async Task TimeInAPrivateChat_NamesTheProject()
    {
        var answer = await SayAsync(AgencyWorld.Assistant, "/time Acme 45m comms call with Anna");

        Assert.That(answer, Does.Contain("0:45"));
        Assert.That(await World.Db.ScalarAsync<long>("SELECT project_id FROM time_entries"), Is.EqualTo(_projectId));
    }

    [TestCase("/time 25h work", "at most 24 hours")]
    [TestCase("/time 0m work", "more than 0")]
    [TestCase("/time soon work", "not a duration")]
    [TestCase("/time 1h dancing", "not a category")]
    [TestCase("/time 99999999999m comms", "not a duration")]
    [TestCase("/time 99999999999999999999h comms", "not a duration")]
    [TestCase("/time 1h", "/time <duration>")]
    [TestCase("/time", "/time <duration>")]
    public async Task BadTime_GetsTheUsageLine_AndRecordsNothing(string command, string expected)
    {
        Assert.That(await SayAsync(AgencyWorld.StaffChat, command, _topic), Does.Contain(expected));
        Assert.That(await EntriesAsync(), Is.Empty);
    }

    [Test]
    public async Task UnknownProject_InAPrivateChat_RecordsNothing()
    {
        Assert.That(await SayAsync(AgencyWorld.Assistant, "/time Nope 1h work"), Does.Contain("No project matches"));
        Assert.That(await EntriesAsync(), Is.Empty);
    }

    [Test]
    public async Task TheApi_LogsAndListsTime_AndRefusesBadEntries()
    {
        var staffId = await World.Db.ScalarAsync<long>("SELECT id FROM staff");

        var created = await World.Api.PostAsJsonAsync($"/api/projects/{_projectId}/time-entries", new { staffId, minutes = 120, category = "work", spentOn = "2026-11-02" });
        var bad = await World.Api.PostAsJsonAsync($"/api/projects/{_projectId}/time-entries", new { staffId, minutes = 2000, category = "nap" });
        var list = await World.Api.GetFromJsonAsync<JsonElement>($"/api/projects/{_projectId}/time-entries?from=2026-11-01&to=2026-12-01");

        Assert.Multiple(async () =>
        {
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(e => e.Name),
                Is.EquivalentTo(new[] { "Minutes", "Category" }));
            Assert.That(list.EnumerateArray().Select(e => (e.GetProperty("minutes").GetInt64(), e.GetProperty("spentOn").GetString())),
                Is.EqualTo(new[] { (120L, "2026-11-02") }));
        });
    }

    [TestCase("1h30m", 90)]
    [TestCase("45m", 45)]
    [TestCase("2h", 120)]
    [TestCase("1.5h", 90)]
    [TestCase("90", 90)]
    [TestCase("1:30", 90)]
    [TestCase("10min", 10)]
    public void Durations_ReadHowPeopleTypeThem(string text, int minutes) =>
        Assert.That(Durations.Parse(text), Is.EqualTo(TimeSpan.FromMinutes(minutes)));

    [TestCase("")]
    [TestCase("h")]
    [TestCase("1x")]
    [TestCase("-1h")]
    public void Durations_RefuseTheRest(string text) => Assert.That(Durations.Parse(text), Is.Null);
}
