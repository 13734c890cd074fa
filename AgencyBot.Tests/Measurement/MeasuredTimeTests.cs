using System.Net.Http.Json;
using AgencyBot.Core.Conversations;
using AgencyBot.Core.Measurement;
using AgencyBot.Core.TimeTracking;
using AgencyBot.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace AgencyBot.Tests.Measurement;

/// <summary>
/// Communication time measured from the conversation record: the README's worked example, computed by hand, through
/// the model and end to end (Telegram → record → measured entry), corrected by /time fix and the API, measured once.
/// </summary>
public sealed class MeasuredTimeTests : ParisAgencyTest
{
    private const long Anna = 601;
    private long _projectId;
    private int _topic;


    protected override DateTimeOffset StartsAt => At(7, 8, 0);

    [SetUp]
    public async Task ArrangeAsync()
    {
        _projectId = await World.ProjectWithClientAsync(Anna);
        _topic = await World.TopicAsync();
        await World.SettledAsync();
    }

    /// <summary>The worked example (README, "Measured communication time"): Marie's Monday on Acme.</summary>
    [Test]
    public void TheModel_GivesTheWorkedExamplesMinutes()
    {
        const long project = 1, conversation = 1, marie = 7;
        Activity Client(int h, int m, int length) => new(project, conversation, null, true, length, At(7, h, m));
        Activity Marie(int h, int m) => new(project, conversation, marie, false, 40, At(7, h, m));
        var day = new[]
        {
            Client(9, 0, 600), Marie(9, 5), Marie(9, 7),  // session 1: 2 min + 2 min; reading 15 s + 0.6 min
            Client(9, 30, 200), Marie(9, 50),             // session 2: 0 + 2 min; reading 15 s + 0.2 min
            Marie(14, 0), Marie(14, 6),                   // session 3: 6 min + 2 min
        };

        var measured = CommunicationTime.Measure(day, new MeasureOptions());

        Assert.Multiple(() =>
        {
            Assert.That(measured[(project, marie)], Is.EqualTo(TimeSpan.FromMinutes(14) + TimeSpan.FromSeconds(78)));
            Assert.That(CommunicationTime.Minutes(measured[(project, marie)]), Is.EqualTo(15));
        });
    }

    [Test]
    public void AClientMessageNobodyActedOn_CostsNobodyAnything_AndEachPersonHasTheirOwnSessions()
    {
        Activity Act(long? staff, int h, int m, bool client = false) => new(1, 1, staff, client, 1000, At(7, h, m));
        var measured = CommunicationTime.Measure([Act(7, 9, 0), Act(8, 9, 5), Act(null, 18, 0, client: true)], new MeasureOptions());

        Assert.That(measured.OrderBy(m => m.Key.StaffId).Select(m => m.Value), Is.EqualTo(new[] { TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(2) }));
    }

    /// <summary>Anna writes, and it is on record once relayed: a settled inbox alone can be a message not yet fetched
    /// (on PostgreSQL its commit may wait behind a job the clock's jump started).</summary>
    private async Task AnnaWritesAsync(string text)
    {
        World.Telegram.ClientSends(Anna, text, firstName: "Anna");
        var start = text[..Math.Min(text.Length, 40)];
        await World.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains(start, StringComparison.Ordinal) == true));
    }

    private void MarieWrites(string text) =>
        World.Telegram.ClientSends(AgencyWorld.StaffChat, text, userId: AgencyWorld.Assistant, firstName: "Marie", threadId: _topic);

    private async Task AtAsync(int hour, int minute)
    {
        await World.SettledAsync();
        Clock.SetUtcNow(At(7, hour, minute));
    }

    private Task<IReadOnlyList<(long Minutes, string Source, long? Replaces)>> MariesEntriesAsync() =>
        World.Db.QueryAsync<(long Minutes, string Source, long? Replaces)>(
            "SELECT minutes, source, replaces FROM time_entries WHERE spent_on = '2026-12-07' ORDER BY id");

    [Test]
    public async Task TheWorkedExample_ThroughTelegram_IsMeasuredOnceTheDayIsOver_AndOnlyOnce()
    {
        await AtAsync(9, 0);
        await AnnaWritesAsync(new string('a', 600));
        await AtAsync(9, 5);
        MarieWrites("Thanks Anna, we are on it.");
        await AtAsync(9, 7);
        MarieWrites("// check with Léa");
        await AtAsync(9, 30);
        await AnnaWritesAsync(new string('b', 200));
        await AtAsync(9, 50);
        MarieWrites("Done, please have a look.");
        await AtAsync(14, 0);
        MarieWrites("/task Contact form");
        await AtAsync(14, 6);
        var relay = World.Telegram.SentTo(AgencyWorld.StaffChat).Last(m => m.Text?.Contains("bbbb") == true);
        var take = relay.Request.Body["reply_markup"]!["inline_keyboard"]!.AsArray().SelectMany(r => r!.AsArray())
            .Select(b => (string)b!["callback_data"]!).Single(d => d.StartsWith("b:take:", StringComparison.Ordinal));
        World.Telegram.Presses(AgencyWorld.StaffChat, relay.MessageId, take, userId: AgencyWorld.Assistant, firstName: "Marie");
        await World.SettledAsync();
        var days = World.Host.Services.GetRequiredService<MeasuredDays>();

        await days.MeasureMissingDaysAsync(); // Monday is not over: only the days before it
        var whileOpen = await MariesEntriesAsync();
        Clock.SetUtcNow(At(8, 0, 30));
        await days.MeasureMissingDaysAsync(); // half an hour after midnight: late updates of Monday may still come
        var tooSoon = await MariesEntriesAsync();
        Clock.SetUtcNow(At(8, 1, 5));
        await days.MeasureMissingDaysAsync(); // (the hourly job, on the same clock, may get there first)
        await days.MeasureMissingDaysAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(whileOpen, Is.Empty);
            Assert.That(tooSoon, Is.Empty);
            Assert.That(await MariesEntriesAsync(), Is.EqualTo(new[] { (15L, "measured", (long?)null) }), "measured once");
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM measure_runs WHERE day = '2026-12-07'"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task ANewAgency_HasNoDaysToCatchUp_AndItsFirstDayIsMeasuredOnceOver()
    {
        var days = World.Host.Services.GetRequiredService<MeasuredDays>();
        Task<IReadOnlyList<string>> MeasuredAsync() => World.Db.QueryAsync<string>("SELECT day FROM measure_runs ORDER BY day");
        await days.MeasureMissingDaysAsync();
        var atStart = await MeasuredAsync(); // the scheduler's start-up run has been too

        await AtAsync(9, 0);
        await AnnaWritesAsync("Good morning, a first question.");
        await World.SettledAsync();
        Clock.SetUtcNow(At(9, 8, 0)); // Wednesday
        await days.MeasureMissingDaysAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(atStart, Is.Empty, "no message on record: none of the backfill's 35 days is measured");
            Assert.That(await MeasuredAsync(), Is.EqualTo(new[] { "2026-12-07", "2026-12-08" }), "from the first message's day");
        });
    }

    [Test]
    public async Task AMeasuredDay_IsCorrectedByANewEntry_ThroughTimeFixAndTheApi_AndTheOldOneStaysOnRecord()
    {
        await AtAsync(9, 0);
        await AnnaWritesAsync("Hello?");
        await AtAsync(9, 4);
        MarieWrites("Hello Anna!");
        await World.SettledAsync();
        Clock.SetUtcNow(At(8, 10, 0));
        await World.Host.Services.GetRequiredService<MeasuredDays>().MeasureMissingDaysAsync();
        var measured = await MariesEntriesAsync();

        MarieWrites("/time fix 2026-12-07 45m");
        await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("is now 0:45 (measured: 0:02)") == true));
        var marie = await World.Db.ScalarAsync<long>("SELECT id FROM staff WHERE telegram_user_id = @a", new { a = AgencyWorld.Assistant });
        var viaApi = await World.Api.PutAsJsonAsync($"/api/projects/{_projectId}/time-entries/measured", new { staffId = marie, day = "2026-12-07", minutes = 30 });
        var future = await World.Api.PutAsJsonAsync($"/api/projects/{_projectId}/time-entries/measured", new { staffId = marie, day = "2026-12-09", minutes = 30 });
        var listed = await World.Api.GetAsAsync<IReadOnlyList<TimeEntryAnswer>>($"/api/projects/{_projectId}/time-entries?from=2026-12-01&to=2026-12-31");

        var entries = await MariesEntriesAsync();
        Assert.Multiple(() =>
        {
            Assert.That(measured.Select(e => e.Minutes), Is.EqualTo(new[] { 2L }), "a session of one answer, and 15 s of reading");
            Assert.That(viaApi.IsSuccessStatusCode, Is.True);
            Assert.That(future.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.BadRequest));
            Assert.That(entries.Select(e => e.Minutes), Is.EqualTo(new[] { 2L, 45L, 30L }), "nothing overwritten");
            Assert.That(listed.Select(e => (e.Minutes, e.Source)), Is.EqualTo(new[] { (30L, "measured") }), "only the latest correction counts");
        });
    }

    /// <summary>A month of the worked example: January 2027's 21 working days, each Marie's 15 minutes, written into the
    /// record the way the pipeline writes it, then measured by the daily run: 21 entries of 15 minutes, 315 in all.</summary>
    [Test]
    public async Task AFixtureMonth_GivesTheHandComputedMinutes()
    {
        await AnnaWritesAsync("Hello"); // (on 7 December: the conversation the month is written into)
        await World.SettledAsync();
        var conversation = await World.Db.ScalarAsync<long>("SELECT id FROM conversations WHERE project_id = @p", new { p = _projectId });
        var days = 0;
        await World.Db.Database.WriteAsync(async (c, t) =>
        {
            for (var day = 1; day <= 31; day++)
            {
                if (new DateOnly(2027, 1, day).DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) continue;
                days++;
                async Task Write(Direction direction, int hour, int minute, int length) =>
                    await AgencyBot.Core.Conversations.ConversationStore.AddMessageAsync(c, t, new NewMessage(conversation, direction,
                        direction == Direction.Client ? Anna : AgencyWorld.Assistant, "someone", "text", new string('x', length), Anna, 0, null,
                        Paris.At(2027, 1, day, hour, minute)));
                await Write(Direction.Client, 9, 0, 600);
                await Write(Direction.Staff, 9, 5, 40);
                await Write(Direction.Note, 9, 7, 20);
                await Write(Direction.Client, 9, 30, 200);
                await Write(Direction.Staff, 9, 50, 40);
                await Write(Direction.Note, 14, 0, 20);
                await Write(Direction.Note, 14, 6, 20);
            }
        });
        Clock.SetUtcNow(Paris.At(2027, 2, 1, 2, 0));

        await World.Host.Services.GetRequiredService<MeasuredDays>().MeasureMissingDaysAsync();

        var entries = await World.Db.QueryAsync<long>(
            "SELECT minutes FROM time_entries WHERE source = 'measured' AND spent_on >= '2027-01-01' AND spent_on < '2027-02-01'");
        Assert.Multiple(() =>
        {
            Assert.That(days, Is.EqualTo(21));
            Assert.That(entries, Has.Count.EqualTo(21).And.All.EqualTo(15));
            Assert.That(entries.Sum(), Is.EqualTo(315));
        });
    }
}
