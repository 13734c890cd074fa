using System.Net;
using System.Net.Http.Json;
using AgencyBot.Tests.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace AgencyBot.Tests.Digest;

/// <summary>The overhead figures against a hand-computed fixture, and the daily digest on a fake clock.</summary>
public sealed class DigestTests : AgencyTest
{
    protected override bool StartsItsOwnAgency => true;

    private const long Manager = 9500;
    private FakeTimeProvider? _clock;

    [SetUp]
    public void ForgetTheClock() => _clock = null; // NUnit keeps the fixture between tests
    private long _acme, _globex;

    private async Task StartAsync(DateTimeOffset now, TempDatabase? database = null)
    {
        _clock ??= new FakeTimeProvider(now);
        World = await AgencyWorld.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Agency:TimeZone"] = "Europe/Paris", ["Sla:CheckInterval"] = "01:00:00",
        }, clock: _clock, database: database);
    }


    /// <summary>
    /// Yesterday (Mon 7 Dec): Acme logged comms 60 + invoice 30 + work 810 minutes (90 of 900: 10.0%); Globex report 120
    /// + work 480 (120 of 600: 20.0%). On 2 Dec Acme logged meeting 30 + work 270 more. Acme's four first answers
    /// yesterday took 60, 120, 300 and 1,200 business seconds; the last, held by Marie, broke the 15-minute promise.
    /// </summary>
    private async Task SeedAsync()
    {
        _acme = (await World.ProjectAsync("Acme", "Website")).ProjectId;
        _globex = (await World.ProjectAsync("Globex", "Shop")).ProjectId;
        var marie = await World.Db.ScalarAsync<long>("SELECT id FROM staff WHERE telegram_user_id = @a", new { a = AgencyWorld.Assistant });
        async Task Log(long project, string day, int minutes, string category) =>
            (await World.Api.PostAsJsonAsync($"/api/projects/{project}/time-entries", new { staffId = marie, minutes, category, spentOn = day })).EnsureSuccessStatusCode();
        await Log(_acme, "2026-12-07", 60, "comms");
        await Log(_acme, "2026-12-07", 30, "invoice");
        await Log(_acme, "2026-12-07", 810, "work");
        await Log(_globex, "2026-12-07", 120, "report");
        await Log(_globex, "2026-12-07", 480, "work");
        await Log(_acme, "2026-12-02", 30, "meeting");
        await Log(_acme, "2026-12-02", 270, "work");

        var answered = Paris.At(2026, 12, 7, 11, 0).ToUnixTimeMilliseconds();
        await World.Db.ExecuteAsync("""
            INSERT INTO client_chats (chat_id, kind, title, created_at) VALUES (601, 'private', 'Anna', 0);
            INSERT INTO conversations (id, project_id, chat_id, created_at, last_message_at, last_client_message_at) VALUES (1, @acme, 601, 0, 0, @answered);
            INSERT INTO response_log (conversation_id, project_id, waiting_since, answered_at, answered_by, seconds, business_seconds, breached, held_by)
            VALUES (1, @acme, 0, @answered, @marie, 60, 60, 0, @marie), (1, @acme, 0, @answered, @marie, 120, 120, 0, @marie),
                   (1, @acme, 0, @answered, @marie, 300, 300, 0, @marie), (1, @acme, 0, @answered, @marie, 1200, 1200, 1, @marie);
            """, new { _acme = 0, acme = _acme, answered, marie });
    }

    private async Task ManagerStartsTheBotAsync()
    {
        await World.StaffAsync(Manager, "Paul Roux", "manager");
        World.Telegram.ClientSends(Manager, "/start", userId: Manager, firstName: "Paul");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Manager));
    }

    [Test]
    public async Task OverheadReport_MatchesTheHandComputedFigures()
    {
        await StartAsync(Paris.At(2026, 12, 8, 8, 0));
        await SeedAsync();

        var report = await World.Api.GetAsAsync<OverheadAnswer>("/api/reports/overhead?from=2026-12-07&to=2026-12-08");

        var acme = report.Projects.Single(p => p.ProjectId == _acme);
        var globex = report.Projects.Single(p => p.ProjectId == _globex);
        Assert.Multiple(() =>
        {
            Assert.That(acme.AccountManagementMinutes, Is.EqualTo(90));
            Assert.That(acme.AllMinutes, Is.EqualTo(900));
            Assert.That(acme.OverheadPercent, Is.EqualTo(10.0));
            Assert.That(acme.OverTarget, Is.False, "10% is not over a 10% target");
            Assert.That(acme.Answers, Is.EqualTo(4));
            Assert.That(acme.MedianSeconds, Is.EqualTo(210));
            Assert.That(acme.P90Seconds, Is.EqualTo(930));
            Assert.That(acme.ShareWithinSla, Is.EqualTo(0.75));
            Assert.That(acme.Breaches, Is.EqualTo(new[] { new BreachAnswer(1200, "Marie") }));
            Assert.That(globex.OverheadPercent, Is.EqualTo(20.0));
            Assert.That(globex.OverTarget, Is.True);
            Assert.That(globex.Answers, Is.Zero);
        });
    }

    [Test]
    public async Task DailyDigest_GoesToTheManagerAtNine_WithFiguresAndAChart_OncePerDay()
    {
        await StartAsync(Paris.At(2026, 12, 8, 8, 58));
        await SeedAsync();
        await ManagerStartsTheBotAsync();

        _clock!.Advance(TimeSpan.FromMinutes(2));
        var sent = await World.WaitForAsync(s => s.Any(m => m.ChatId == Manager && m.Method == "sendPhoto"));
        _clock.Advance(TimeSpan.FromHours(3));
        await World.SettledAsync();

        var text = string.Concat(World.Telegram.SentTo(Manager).Where(m => m.Text?.Contains("Daily digest") == true || m.Method == "sendMessage").Select(m => m.Text));
        var photo = sent.Single(m => m.ChatId == Manager && m.Method == "sendPhoto");
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("Daily digest, Tue 8 Dec 2026"));
            Assert.That(text, Does.Contain("Acme · Website\n  Yesterday: account management 1:30 of 15:00 h logged, 10.0% ✅ under 10%"));
            Assert.That(text, Does.Contain("  Month to date: account management 2:00 of 20:00 h logged, 10.0% ✅ under 10%"));
            Assert.That(text, Does.Contain("Globex · Shop\n  Yesterday: account management 2:00 of 10:00 h logged, 20.0% ⚠️ over 10%"));
            Assert.That(text, Does.Contain("Agency, month to date: account management 4:00 of 30:00 h, 13.3% ⚠️ over 10%"));
            Assert.That(text.IndexOf("Globex · Shop", StringComparison.Ordinal), Is.LessThan(text.IndexOf("Acme · Website", StringComparison.Ordinal)),
                "projects over the target first");
            Assert.That(text, Does.Contain("Answers yesterday: 4, median 3.5 min, p90 15.5 min, 75% within 15 min"));
            Assert.That(text, Does.Contain("⛔ Breach: Anna waited 20 min, held by Marie"));
            Assert.That(Convert.FromBase64String((string)photo.Request.Body["photo"]!)[..4], Is.EqualTo(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }));
            Assert.That(World.Telegram.SentTo(Manager).Count(m => m.Method == "sendPhoto"), Is.EqualTo(1), "once per day");
        });
    }

    [Test]
    public async Task DigestMissedWhileDown_IsSentOnceOnStart_AndNotAgainAfterARestart()
    {
        await StartAsync(Paris.At(2026, 12, 8, 11, 0)); // started after 09:00: today's digest is due
        await World.SettledAsync(); // the start-up run finds no manager: nobody to send to, the day stays open
        var db = World.Db;
        World.KeepDatabase = true;
        await World.DisposeAsync();
        // While the host is down, a manager who already started the bot is registered.
        await db.ExecuteAsync("INSERT INTO staff (telegram_user_id, name, role, created_at, started_bot) VALUES (@Manager, 'Paul Roux', 'manager', 0, 1)",
            new { Manager });
        Assert.That(await db.ScalarAsync<long>("SELECT COUNT(*) FROM digest_runs"), Is.Zero);

        await StartAsync(Paris.At(2026, 12, 8, 11, 5), database: db);
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Manager && m.Method == "sendPhoto"));
        World.KeepDatabase = true;
        await World.DisposeAsync();
        await StartAsync(Paris.At(2026, 12, 8, 11, 10), database: db);
        await World.SettledAsync();

        Assert.That(await db.ScalarAsync<long>("SELECT COUNT(*) FROM outbox WHERE method = 'sendPhoto'"), Is.EqualTo(1));
        Assert.That(await db.QueryAsync<string>("SELECT day FROM digest_runs"), Is.EqualTo(new[] { "2026-12-08" }));
    }

    [Test]
    public async Task DigestCommand_IsForManagers_AndTheApiSendsItNow()
    {
        await StartAsync(Paris.At(2026, 12, 8, 8, 0));
        var nobody = await World.Api.PostAsync("/api/digest/send", null);
        await ManagerStartsTheBotAsync();

        World.Telegram.ClientSends(Manager, "/digest", userId: Manager, firstName: "Paul");
        World.Telegram.ClientSends(AgencyWorld.Assistant, "/digest", userId: AgencyWorld.Assistant, firstName: "Marie");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Manager && m.Method == "sendPhoto") && s.Any(m => m.ChatId == AgencyWorld.Assistant && m.Text?.Contains("Only managers") == true));
        var api = await World.Api.PostAsync("/api/digest/send", null);
        await World.WaitForAsync(s => s.Count(m => m.ChatId == Manager && m.Method == "sendPhoto") == 2);

        Assert.That(api.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That(World.Telegram.SentTo(AgencyWorld.Assistant).Where(m => m.Method == "sendPhoto"), Is.Empty);
        Assert.That(nobody.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), "before any manager started the bot");
        Assert.That((await nobody.ReadAsAsync<Problem>()).Detail, Does.Contain("No manager has opened a private chat with the bot"));
    }

    [Test]
    public async Task AManualSendAfterTheDigestHour_IsTheDaysDigest_SoARestartDoesNotSendItAgain()
    {
        await StartAsync(Paris.At(2026, 12, 8, 10, 0)); // after the digest's 09:00; nobody to send to at start-up
        await World.JobIdleAsync(AgencyBot.Host.Scheduling.DigestJob.Key);
        await ManagerStartsTheBotAsync();

        (await World.Api.PostAsync("/api/digest/send", null)).EnsureSuccessStatusCode();
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Manager && m.Method == "sendPhoto"));
        await World.RestartHostAsync();
        await World.JobIdleAsync(AgencyBot.Host.Scheduling.DigestJob.Key); // the restarted host's start-up runs are over
        await World.SettledAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM digest_runs WHERE day = '2026-12-08'"), Is.EqualTo(1), "the send was the day's digest");
            Assert.That(World.Telegram.SentTo(Manager).Count(m => m.Method == "sendPhoto"), Is.EqualTo(1), "one digest, not two");
        });
    }

    [Test]
    public async Task ALongDigest_IsSplitUnder4096_AtLineBoundaries()
    {
        await StartAsync(Paris.At(2026, 12, 8, 8, 0));
        var marie = await World.Db.ScalarAsync<long>("SELECT id FROM staff");
        await World.Db.ExecuteAsync("INSERT INTO clients (id, name, created_at) VALUES (1, 'Client with a fairly long name', 0)");
        for (var p = 1; p <= 80; p++)
            await World.Db.ExecuteAsync("""
                INSERT INTO projects (id, client_id, name, created_at) VALUES (@p, 1, 'Project number ' || @p, 0);
                INSERT INTO time_entries (project_id, staff_id, minutes, category, spent_on, created_at) VALUES (@p, @marie, 60, 'comms', '2026-12-07', 0);
                """, new { p, marie });
        await ManagerStartsTheBotAsync();

        await World.Api.PostAsync("/api/digest/send", null);
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Manager && m.Method == "sendPhoto"));

        var parts = World.Telegram.SentTo(Manager).Where(m => m.Method == "sendMessage" && m.Text?.StartsWith("Hi ") != true).Select(m => m.Text!).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(parts, Has.Count.GreaterThan(1));
            Assert.That(parts.Select(p => p.Length), Is.All.LessThanOrEqualTo(4096));
            Assert.That(parts.Take(parts.Count - 1).Select(p => p[^1]), Is.All.EqualTo('\n'), "split after a whole line");
            Assert.That(string.Concat(parts), Does.Contain("Project number 80"));
        });
    }
}
