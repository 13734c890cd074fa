using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Conversations;

/// <summary>/later: an answer written now and sent at a chosen time, as the agency, through the outbox (so it survives
/// a restart); the client's wait closes when it goes, without reminders meanwhile; /unsend cancels it.</summary>
public sealed class SendLaterTests : ParisAgencyTest
{
    private const long Anna = 601;
    private int _topic;

    protected override DateTimeOffset StartsAt => At(7, 10, 0); // Monday 10:00 in Paris

    [SetUp]
    public async Task ClientAsksAsync()
    {
        await World.ProjectWithClientAsync(Anna);
        World.Telegram.ClientSends(Anna, "Is the mock-up ready?", firstName: "Anna");
        _topic = await World.TopicAsync();
        await World.WaitForAsync(s => s.Any(m => m.ThreadId == _topic && m.Text?.Contains("mock-up ready") == true));
    }

    private int MarieWrites(string text, int? replyTo = null) =>
        World.Telegram.ClientSendsReturningId(AgencyWorld.StaffChat, text, userId: AgencyWorld.Assistant, firstName: "Marie", threadId: _topic, replyToMessageId: replyTo);

    private async Task<string> NoticeAsync(string containing) =>
        (await World.WaitForAsync(s => s.Any(m => m.ThreadId == _topic && m.Text?.Contains(containing) == true)))
            .Last(m => m.ThreadId == _topic && m.Text?.Contains(containing) == true).Text!;

    /// <summary>Everything else handled and sent; the scheduled answer's row waits (so the world is never "settled").</summary>
    private Task OnlyTheScheduledAnswerIsLeftAsync() => Eventually.HoldsAsync(() => World.Db.ScalarAsync<long>(
            "SELECT (SELECT COUNT(*) FROM inbox WHERE state = 'pending') * 100 + (SELECT COUNT(*) FROM outbox WHERE state = 'pending')"),
        n => n == 1, AgencyWorld.Timeout, "only the scheduled answer pending");

    [Test]
    public async Task AScheduledAnswer_GoesAtItsTime_AfterARestart_AndClosesTheWaitThen()
    {
        MarieWrites("/later +2h Yes: here it is, with the new colours.");
        var scheduled = await NoticeAsync("🕘 Scheduled for");
        await OnlyTheScheduledAnswerIsLeftAsync();
        var beforeItsTime = World.Telegram.SentTo(Anna).Count;

        await World.RestartHostAsync();
        Clock.Advance(TimeSpan.FromMinutes(119));
        await OnlyTheScheduledAnswerIsLeftAsync();
        var stillWaiting = World.Telegram.SentTo(Anna).Count;
        Clock.Advance(TimeSpan.FromMinutes(2));
        var answer = (await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text?.StartsWith("Yes: here it is") == true)))
            .Single(m => m.ChatId == Anna && m.Text?.StartsWith("Yes: here it is") == true);
        await World.SettledAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(scheduled, Does.Contain("Mon 7 Dec 12:00 (Paris time) to Anna"));
            Assert.That(beforeItsTime, Is.EqualTo(1), "only the welcome before its time");
            Assert.That(stillWaiting, Is.EqualTo(1), "not a minute early");
            Assert.That(answer.Text, Is.EqualTo("Yes: here it is, with the new colours.\n— Marie"));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT seconds FROM response_log"), Is.InRange(2 * 3600 - 60, 2 * 3600 + 120),
                "the first answer is when it reached the client");
            Assert.That(World.Telegram.SentTo(AgencyWorld.StaffChat).Where(m => m.Text?.StartsWith("⏰") == true), Is.Empty, "no reminder: someone is on it");
        });
    }

    [Test]
    public async Task AScheduledAnswer_HoldsUpNothing_IsCancelledWithUnsend_AndABadTimeSchedulesNothing()
    {
        var later = MarieWrites("/later tomorrow 09:00 See you tomorrow.");
        await NoticeAsync("Tue 8 Dec 09:00");
        MarieWrites("Meanwhile, here is the draft.");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text?.StartsWith("Meanwhile") == true)); // not held up behind it
        MarieWrites("/unsend", replyTo: later);
        await World.SettledAsync();
        MarieWrites("/later someday Hello");
        var usage = await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("Nothing was scheduled") == true));
        MarieWrites("/later +40d Hello");
        await World.WaitForAsync(s => s.Count(m => m.Text?.Contains("Nothing was scheduled") == true) == 2);

        Clock.Advance(TimeSpan.FromDays(1));
        await World.SettledAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(World.Telegram.SentTo(Anna).Where(m => m.Text?.Contains("See you") == true), Is.Empty, "cancelled before it went");
            Assert.That(World.Telegram.SentTo(Anna).Where(m => m.Text?.Contains("Hello") == true), Is.Empty);
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM response_log"), Is.EqualTo(1), "the draft was the answer");
        });
    }
}
