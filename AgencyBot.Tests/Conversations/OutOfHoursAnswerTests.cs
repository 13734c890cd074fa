using AgencyBot.Tests.Fakes;
using AgencyBot.Tests.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace AgencyBot.Tests.Conversations;

/// <summary>An answer written outside business hours waits a minute under a choice: at opening, or now; without a
/// choice it goes.</summary>
public sealed class OutOfHoursAnswerTests : AgencyTest
{
    private const long Anna = 601;
    private FakeTimeProvider _clock = null!;
    private int _topic;

    protected override Task<AgencyWorld> StartAgencyAsync()
    {
        _clock = new FakeTimeProvider(Paris.At(2026, 12, 7, 21, 0)); // Monday evening
        return AgencyWorld.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Agency:TimeZone"] = Paris.Zone, ["Agency:BusinessHours"] = "Mon-Fri 09:00-18:00", ["Sla:CheckInterval"] = "01:00:00",
        }, clock: _clock);
    }

    [SetUp]
    public async Task ClientAsksAsync()
    {
        await World.ProjectWithClientAsync(Anna);
        World.Telegram.ClientSends(Anna, "Is the site down?", firstName: "Anna");
        _topic = await World.TopicAsync();
        await World.WaitForAsync(s => s.Any(m => m.ThreadId == _topic && m.Text?.Contains("site down") == true));
    }

    private async Task<SentMessage> MarieAnswersAsync(string text)
    {
        World.Telegram.ClientSends(AgencyWorld.StaffChat, text, userId: AgencyWorld.Assistant, firstName: "Marie", threadId: _topic);
        return (await World.WaitForAsync(s => s.Any(m => m.Text?.StartsWith("🌙 Outside business hours") == true))).Last(m => m.Text?.StartsWith("🌙") == true);
    }

    private Task PendingAsync(long rows) => Eventually.HoldsAsync(() => World.Db.ScalarAsync<long>(
        "SELECT (SELECT COUNT(*) FROM inbox WHERE state = 'pending') * 100 + (SELECT COUNT(*) FROM outbox WHERE state = 'pending')"), n => n == rows,
        AgencyWorld.Timeout, $"{rows} pending");

    /// <summary>Marie sees the pop-up a moment after her tap: seconds pass meanwhile, as they do for the host, whose
    /// loops also wake on their clock (never the minute her answer waits).</summary>
    private async Task PressAnsweredAsync()
    {
        for (var second = 0; second < 20 && !World.Telegram.Requests.Any(r => r.Method == "answerCallbackQuery"); second++)
        {
            await Task.Delay(250);
            _clock.Advance(TimeSpan.FromSeconds(1));
        }
    }

    [Test]
    public async Task AtOpening_HoldsTheAnswerUntilTheTeamIsBack_ThenItAnswersTheWait()
    {
        var offer = await MarieAnswersAsync("We are on it first thing tomorrow.");
        World.Telegram.Presses(AgencyWorld.StaffChat, offer.MessageId, offer.Button("At opening"), userId: AgencyWorld.Assistant, firstName: "Marie");
        await PressAnsweredAsync();
        await PendingAsync(1);
        _clock.Advance(TimeSpan.FromMinutes(5));
        await PendingAsync(1);
        var overnight = World.Telegram.SentTo(Anna).Count(m => m.Text?.StartsWith("We are on it") == true);
        _clock.Advance(Paris.At(2026, 12, 8, 9, 1) - _clock.GetUtcNow());
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text?.StartsWith("We are on it") == true));
        await World.SettledAsync();

        var popup = World.Telegram.Requests.Last(r => r.Method == "answerCallbackQuery");
        Assert.Multiple(async () =>
        {
            Assert.That(offer.Labels(), Is.EqualTo(new[] { "🕘 At opening (Tue 09:00)", "Send now" }));
            Assert.That((string?)popup.Body["text"], Is.EqualTo("It goes at opening, Tue 8 Dec 09:00."));
            Assert.That(overnight, Is.Zero, "nothing overnight");
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM response_log"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task WithoutAChoice_ItGoesAfterTheMinute_AndAChoiceThenIsTooLate()
    {
        var offer = await MarieAnswersAsync("Yes, we are looking.");
        _clock.Advance(TimeSpan.FromMinutes(2));
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text?.StartsWith("Yes, we are looking") == true));
        await World.SettledAsync();
        World.Telegram.Presses(AgencyWorld.StaffChat, offer.MessageId, offer.Button("At opening"), userId: AgencyWorld.Assistant, firstName: "Marie");
        await World.SettledAsync();

        Assert.That((string?)World.Telegram.Requests.Last(r => r.Method == "answerCallbackQuery").Body["text"], Is.EqualTo("Too late: it has gone already."));
    }
}
