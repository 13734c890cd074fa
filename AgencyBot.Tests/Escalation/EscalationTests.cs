using System.Net.Http.Json;
using AgencyBot.Core.Conversations;
using AgencyBot.Core.Escalation;
using AgencyBot.Tests.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace AgencyBot.Tests.Escalation;

/// <summary>Reminders, breaches and manager alerts at the right business minute, driven by a fake clock through the
/// real host (the same clock the Quartz scheduler uses).</summary>
public sealed class EscalationTests : AgencyTest
{
    protected override bool StartsItsOwnAgency => true;

    private const long Anna = 601;
    private const long Manager = 9500;
    private FakeTimeProvider? _clock;

    [SetUp]
    public void ForgetTheClock() => _clock = null; // NUnit keeps the fixture between tests

    private async Task StartAsync(DateTimeOffset start, TempDatabase? database = null)
    {
        _clock ??= new FakeTimeProvider(start);
        World = await AgencyWorld.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Agency:TimeZone"] = "Europe/Paris",
            ["Agency:BusinessHours"] = "Mon-Fri 09:00-18:00",
            ["Agency:Holidays:0"] = "2026-12-25",
            // Checks are driven below, minute by minute; Quartz's own runs (every hour here) change nothing, only sooner.
            ["Sla:CheckInterval"] = "01:00:00",
        }, clock: _clock, database: database);
    }


    private async Task<(long ProjectId, int Topic)> ClientWaitingAsync(bool managerStartedBot = true)
    {
        var (projectId, code) = await World.ProjectAsync();
        await World.StaffAsync(Manager, "Paul Roux", "manager");
        if (managerStartedBot)
        {
            World.Telegram.ClientSends(Manager, "/start", userId: Manager, firstName: "Paul");
            await World.WaitForAsync(s => s.Any(m => m.ChatId == Manager));
        }
        await World.LinkPrivateChatAsync(Anna, code, firstName: "Anna");
        World.Telegram.ClientSends(Anna, "Is the site down?", firstName: "Anna");
        await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("site down") == true));
        var topic = await World.TopicAsync();
        await World.SettledAsync();
        return (projectId, topic);
    }

    private Escalations Checker => World.Host.Get<Escalations>();

    /// <summary>Moves the clock to a Paris time and runs the check; returns what was sent meanwhile.</summary>
    private async Task<List<SentMessage>> AtAsync(DateTimeOffset when)
    {
        var before = World.Telegram.Sent.Count;
        _clock!.AdjustTime(when);
        await Checker.CheckAsync();
        await World.SettledAsync();
        return World.Telegram.Sent.Skip(before).ToList();
    }

    private static bool IsReminder(SentMessage m) => m.Text?.StartsWith("⏰") == true;
    private static bool IsAlert(SentMessage m) => m.Text?.Contains("🚨") == true;

    [Test]
    public async Task OverAWeekend_RemindsAtTenBusinessMinutes_BreachesAtFifteen_AlertsManagersAtTwentyFive()
    {
        await StartAsync(Paris.At(2026, 12, 4, 17, 55)); // Friday
        var (_, topic) = await ClientWaitingAsync();

        Assert.That(await AtAsync(Paris.At(2026, 12, 7, 9, 4)), Has.None.Matches<SentMessage>(IsReminder), "9 business minutes");
        var reminder = (await AtAsync(Paris.At(2026, 12, 7, 9, 5))).Single(IsReminder);
        Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM conversations WHERE breached_at IS NOT NULL"), Is.Zero);
        await AtAsync(Paris.At(2026, 12, 7, 9, 10));
        Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM conversations WHERE breached_at IS NOT NULL"), Is.EqualTo(1));
        Assert.That(await AtAsync(Paris.At(2026, 12, 7, 9, 19)), Has.None.Matches<SentMessage>(IsAlert));
        var alert = (await AtAsync(Paris.At(2026, 12, 7, 9, 20))).Single(IsAlert);

        Assert.Multiple(() =>
        {
            Assert.That(reminder.ThreadId, Is.EqualTo(topic));
            Assert.That(reminder.Text, Does.Contain("Anna").And.Contain("10 min").And.Contain("Marie"));
            Assert.That(alert.ChatId, Is.EqualTo(Manager));
            Assert.That(alert.Text, Does.Contain("Anna").And.Contain("Acme").And.Contain("Website launch").And.Contain("25 min")
                .And.Contain("Held by Marie").And.Contain($"https://t.me/c/9000/{topic}"));
        });
    }

    [Test]
    public async Task OverChristmasDay_TheHolidayDoesNotCount()
    {
        await StartAsync(Paris.At(2026, 12, 24, 17, 55)); // Thursday; Friday 25th is a holiday
        await ClientWaitingAsync();

        Assert.That(await AtAsync(Paris.At(2026, 12, 25, 12, 0)), Has.None.Matches<SentMessage>(IsReminder));
        Assert.That(await AtAsync(Paris.At(2026, 12, 28, 9, 4)), Has.None.Matches<SentMessage>(IsReminder));
        Assert.That(await AtAsync(Paris.At(2026, 12, 28, 9, 5)), Has.One.Matches<SentMessage>(IsReminder));
    }

    [Test]
    public async Task OverTheWeekendTheClocksGoForward_RemindsAtNineOFiveSummerTime()
    {
        await StartAsync(Paris.At(2027, 3, 26, 17, 55));
        await ClientWaitingAsync();

        Assert.That(await AtAsync(new DateTimeOffset(2027, 3, 29, 7, 4, 0, TimeSpan.Zero)), Has.None.Matches<SentMessage>(IsReminder));
        Assert.That(await AtAsync(new DateTimeOffset(2027, 3, 29, 7, 5, 0, TimeSpan.Zero)), Has.One.Matches<SentMessage>(IsReminder),
            "09:05 CEST is 07:05 UTC");
    }

    [Test]
    public async Task EachLevelFiresOnce_EvenWhenTheCheckRunsTwice_AndAcrossARestart()
    {
        await StartAsync(Paris.At(2026, 12, 7, 10, 0));
        await ClientWaitingAsync();
        await AtAsync(Paris.At(2026, 12, 7, 10, 30));
        await Checker.CheckAsync();
        await World.SettledAsync();
        var db = World.Db;
        World.KeepDatabase = true;
        await World.DisposeAsync();

        await StartAsync(Paris.At(2026, 12, 7, 10, 31), database: db);
        var afterRestart = await AtAsync(Paris.At(2026, 12, 7, 10, 45));

        Assert.Multiple(async () =>
        {
            Assert.That(afterRestart.Where(m => IsReminder(m) || IsAlert(m)), Is.Empty);
            Assert.That(await db.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE payload LIKE '%for an answer%'"), Is.EqualTo(1));
            Assert.That(await db.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE payload LIKE '%without an answer%'"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Ack_StopsTheReminder_ButNotTheBreachOrTheAlert()
    {
        await StartAsync(Paris.At(2026, 12, 7, 10, 0));
        var (_, topic) = await ClientWaitingAsync();
        World.Telegram.ClientSends(AgencyWorld.StaffChat, "/ack", userId: AgencyWorld.Assistant, firstName: "Marie", threadId: topic);
        await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("is on it") == true));

        var sent = await AtAsync(Paris.At(2026, 12, 7, 10, 25));

        Assert.Multiple(async () =>
        {
            Assert.That(sent, Has.None.Matches<SentMessage>(IsReminder));
            Assert.That(sent, Has.One.Matches<SentMessage>(IsAlert));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM conversations WHERE waiting_since IS NOT NULL"), Is.EqualTo(1), "/ack is not an answer");
        });
    }

    [Test]
    public async Task AManagerWhoNeverStartedTheBot_IsMentionedInTheStaffGroup()
    {
        await StartAsync(Paris.At(2026, 12, 7, 10, 0));
        var (_, topic) = await ClientWaitingAsync(managerStartedBot: false);

        var alert = (await AtAsync(Paris.At(2026, 12, 7, 10, 25))).Single(IsAlert);

        Assert.That(alert.ChatId, Is.EqualTo(AgencyWorld.StaffChat));
        Assert.That(alert.ThreadId, Is.EqualTo(topic));
        Assert.That(alert.Text, Does.Contain($"tg://user?id={Manager}"));
    }

    [Test]
    public async Task ClientWritingOnASaturday_IsToldWhenTheTeamIsBack()
    {
        await StartAsync(Paris.At(2026, 12, 5, 11, 0)); // Saturday
        var (_, code) = await World.ProjectAsync();
        await World.LinkPrivateChatAsync(Anna, code);

        World.Telegram.ClientSends(Anna, "weekend question");
        World.Telegram.ClientSends(Anna, "and another");

        var replies = await World.WaitForAsync(s => s.Count(m => m.ChatId == Anna) >= 2);
        await World.SettledAsync();
        Assert.That(World.Telegram.SentTo(Anna).Skip(1).Select(m => m.Text),
            Is.EqualTo(new[] { "We're offline until Monday 09:00 (Paris time); your message is with the team and we'll answer as soon as we're back." }));
    }

    [Test]
    public async Task TheAnswer_IsLoggedInWallClockAndBusinessTime()
    {
        await StartAsync(Paris.At(2026, 12, 4, 17, 55));
        var (_, topic) = await ClientWaitingAsync();
        _clock!.AdjustTime(Paris.At(2026, 12, 7, 9, 7));

        World.Telegram.ClientSends(AgencyWorld.StaffChat, "Sorry, looking now", userId: AgencyWorld.Assistant, firstName: "Marie", threadId: topic);
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text?.StartsWith("Sorry") == true));
        await World.SettledAsync();

        var log = (await World.Db.QueryAsync<(long Seconds, long BusinessSeconds, long Breached)>(
            "SELECT seconds, business_seconds, breached FROM response_log")).Single();
        Assert.That(log, Is.EqualTo((((2 * 24 + 15) * 60 + 12) * 60L, 12 * 60L, 0L)));
    }

    [Test]
    public async Task TheQuartzScheduler_RunsTheCheck_OnTheFakeClock()
    {
        _clock = new FakeTimeProvider(Paris.At(2026, 12, 7, 10, 0));
        World = await AgencyWorld.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Agency:TimeZone"] = "Europe/Paris", ["Sla:CheckInterval"] = "00:01:00",
        }, clock: _clock);
        await ClientWaitingAsync();

        // A minute at a time, letting the scheduler's thread see each one (as a real clock would).
        for (var minute = 0; minute < 11; minute++)
        {
            _clock.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(100);
        }

        await World.WaitForAsync(s => s.Any(IsReminder));
    }

    [Test]
    public async Task TheResponseTimesReport_TakesItsMedianInBusinessTime_AndCountsWaitingInBusinessTimeToo()
    {
        await StartAsync(Paris.At(2026, 12, 7, 10, 0)); // Monday
        var (projectId, topic) = await ClientWaitingAsync();
        await AnsweredAtAsync(Paris.At(2026, 12, 7, 10, 1).AddSeconds(40), "Looking now", topic); // 100 s
        await ClientWritesAtAsync(Paris.At(2026, 12, 7, 11, 0), "And the shop?");
        await AnsweredAtAsync(Paris.At(2026, 12, 7, 11, 3).AddSeconds(20), "Fine too", topic); // 200 s
        await ClientWritesAtAsync(Paris.At(2026, 12, 7, 17, 59).AddSeconds(10), "One more thing");
        await AnsweredAtAsync(Paris.At(2026, 12, 8, 9, 0), "Yes?", topic); // 50 business seconds, 15 hours on the wall clock
        await ClientWritesAtAsync(Paris.At(2026, 12, 8, 17, 59), "Last one");
        _clock!.AdjustTime(Paris.At(2026, 12, 9, 9, 1));

        var report = await World.Api.GetFromJsonAsync<ResponseTimesReport>($"/api/reports/response-times?projectId={projectId}");

        Assert.Multiple(() =>
        {
            Assert.That(report!.Count, Is.EqualTo(3));
            Assert.That(report.MedianSeconds, Is.EqualTo(100), "the middle of 50, 100, 200 business seconds");
            Assert.That(report.P90Seconds, Is.EqualTo(180));
            Assert.That(report.StillWaiting.Single().WaitingSeconds, Is.EqualTo(120), "17:59-18:00 and 09:00-09:01");
        });
    }

    private async Task ClientWritesAtAsync(DateTimeOffset when, string text)
    {
        _clock!.AdjustTime(when);
        World.Telegram.ClientSends(Anna, text, firstName: "Anna");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains(text) == true));
        await World.SettledAsync();
    }

    private async Task AnsweredAtAsync(DateTimeOffset when, string text, int topic)
    {
        _clock!.AdjustTime(when);
        World.Telegram.ClientSends(AgencyWorld.StaffChat, text, userId: AgencyWorld.Assistant, firstName: "Marie", threadId: topic);
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text?.StartsWith(text) == true));
        await World.SettledAsync();
    }
}
