using AgencyBot.Core.Data;
using AgencyBot.Core.Escalation;
using AgencyBot.Tests.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace AgencyBot.Tests.ScaleOut;

/// <summary>
/// On PostgreSQL a due escalation level (reminder, breach, manager alert) locks the waiting chat and its project, as
/// that client's next message and a staff answer in that project do: it is claimed while another host works on another
/// project, and waits while one works on its own. Two checks at once (a Quartz misfire, a manual run beside the job's)
/// still fire each level once.
/// </summary>
public sealed class EscalationScopeTests : AgencyTest
{
    private const long Anna = 621;
    private const long Bob = 622;
    private const long Manager = 9501;
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private long _project;

    // Always open, and Quartz's own check once a day: the levels below are fired by the test's checks only.
    protected override Task<AgencyWorld> StartAgencyAsync()
    {
        TempDatabase.RequirePostgres();
        return AgencyWorld.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Agency:BusinessHours"] = "", ["Sla:CheckInterval"] = "1.00:00:00",
        }, clock: _clock);
    }

    [SetUp]
    public async Task AManagerAndAProjectWithTwoClientsAsync()
    {
        _project = await World.ProjectWithClientAsync(Anna);
        await World.LinkPrivateChatAsync(Bob, await World.InviteAsync(_project), firstName: "Bob");
        await World.StaffAsync(Manager, "Paul Roux", "manager");
        World.Telegram.ClientSends(Manager, "/start", userId: Manager, firstName: "Paul");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Manager));
        await World.SettledAsync();
        await World.JobsIdleAsync(); // the jobs' start-up runs hold the whole database
    }

    private Escalations Checker => World.Host.Get<Escalations>();

    /// <summary>The client asks, then waits past every level (the jobs the clock's jump wakes are let finish).</summary>
    private async Task WaitsPastEveryLevelAsync(long client, string question)
    {
        World.Telegram.ClientSends(client, question, firstName: "Client");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == AgencyWorld.StaffChat && m.Text?.Contains(question, StringComparison.Ordinal) == true));
        await World.SettledAsync();
        _clock.Advance(TimeSpan.FromMinutes(30));
        await World.JobsIdleAsync();
    }

    private int AlertsToTheManager() => World.Telegram.SentTo(Manager).Count(m => m.Text?.Contains("🚨", StringComparison.Ordinal) == true);

    [Test]
    public async Task DueLevels_AreClaimedWhileAnotherProjectIsWorkedOn_AndWaitWhileTheirOwnIs()
    {
        await WaitsPastEveryLevelAsync(Anna, "Is the site down?");
        var (firedBeside, _) = await AnotherHost.WhileHoldingAsync(World.Db.ConnectionString, WriteScope.Of([Anna + 1000], [_project + 1000]),
            () => Checker.CheckAsync(), TimeSpan.FromSeconds(10));
        await World.WaitForAsync(_ => AlertsToTheManager() == 1);

        await WaitsPastEveryLevelAsync(Bob, "And the shop?");
        var (firedWhileHeld, firedAfter) = await AnotherHost.WhileHoldingAsync(World.Db.ConnectionString, WriteScope.Of([], [_project]),
            () => Checker.CheckAsync(), TimeSpan.FromSeconds(1));
        await World.WaitForAsync(_ => AlertsToTheManager() == 2);

        Assert.Multiple(() =>
        {
            Assert.That(firedBeside, Is.EqualTo(3), "Anna's reminder, breach and alert, beside the other project's transaction");
            Assert.That(firedWhileHeld, Is.Null, "Bob's levels waited for the transaction on his project");
            Assert.That(firedAfter, Is.EqualTo(3), "Bob's three levels once it ended (Anna's were claimed already)");
        });
    }

    [Test]
    public async Task FourChecksAtOnce_FireEachLevelOnce()
    {
        await WaitsPastEveryLevelAsync(Anna, "Is the site down?");
        await WaitsPastEveryLevelAsync(Bob, "And the shop?");

        var fired = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Checker.CheckAsync())));
        await World.WaitForAsync(_ => AlertsToTheManager() == 2);
        await World.SettledAsync();

        var reminders = World.Telegram.SentTo(AgencyWorld.StaffChat).Count(m => m.Text?.StartsWith("⏰", StringComparison.Ordinal) == true);
        var breached = await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM conversations WHERE breached_at IS NOT NULL");
        Assert.Multiple(() =>
        {
            Assert.That(fired.Sum(), Is.EqualTo(6), "three levels for each of two clients, over the four checks");
            Assert.That(reminders, Is.EqualTo(2), "one reminder per client");
            Assert.That(AlertsToTheManager(), Is.EqualTo(2), "one alert per client");
            Assert.That(breached, Is.EqualTo(2), "both conversations breached");
        });
    }
}
