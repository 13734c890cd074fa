using AgencyBot.Core.Clients;
using AgencyBot.Core.Satisfaction;
using AgencyBot.Tests.Fakes;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Satisfaction;

/// <summary>After an answered exchange has gone quiet the client is asked 👍 😐 👎, at most once per chat in
/// Csat:MinInterval; the first tap counts, a 👎 alerts the managers with a link to the topic, and the digest and the
/// API show the ratings.</summary>
public sealed class SatisfactionTests : ParisAgencyTest
{
    private const long Anna = 601;
    private const long Paul = 9009;
    private int _topic;

    protected override DateTimeOffset StartsAt => At(7, 10, 0);

    [SetUp]
    public async Task AnsweredAsync()
    {
        await World.StaffAsync(Paul, "Paul Roux", "manager");
        World.Telegram.ClientSends(Paul, "/start", firstName: "Paul");
        await World.ProjectWithClientAsync(Anna);
        World.Telegram.ClientSends(Anna, "Can you send the invoice?", firstName: "Anna");
        _topic = await World.TopicAsync();
        World.Telegram.ClientSends(AgencyWorld.StaffChat, "Sent it just now.", userId: AgencyWorld.Assistant, firstName: "Marie", threadId: _topic);
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text?.StartsWith("Sent it") == true));
        await World.SettledAsync();
    }

    private Task<int> AskAsync() => World.Host.Get<Ratings>().AskDueAsync(CancellationToken.None);

    [Test]
    public async Task AQuietAnsweredExchange_IsRatedOnce_AndABadRatingAlertsTheManagers()
    {
        Clock.Advance(TimeSpan.FromMinutes(119));
        var tooSoon = await AskAsync();
        Clock.Advance(TimeSpan.FromMinutes(2));
        var asked = await AskAsync();
        var again = await AskAsync();
        var question = (await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text == ClientTexts.Get("CsatQuestion", "en"))))
            .Single(m => m.ChatId == Anna && m.Text == ClientTexts.Get("CsatQuestion", "en"));

        World.Telegram.Presses(Anna, question.MessageId, question.Button("👎"), firstName: "Anna");
        var alert = (await World.WaitForAsync(s => s.Any(m => m.ChatId == Paul && m.Text?.StartsWith("👎") == true))).Single(m => m.ChatId == Paul && m.Text?.StartsWith("👎") == true);
        World.Telegram.Presses(Anna, question.MessageId, question.Button("👍"), firstName: "Anna");
        await World.SettledAsync();
        var report = await World.Api.GetAsAsync<SatisfactionAnswer>("/api/reports/satisfaction");
        var digest = await World.Host.Get<AgencyBot.Core.Digest.DigestBuilder>().BuildAsync(new DateOnly(2026, 12, 7), soFar: true);
        string clientReport;
        await using (var connection = await World.Host.Get<AgencyBot.Core.Data.Database>().OpenAsync())
            clientReport = (await World.Host.Get<AgencyBot.Core.Deliverables.ReportWriter>().WriteAsync(connection, null, 1, new DateOnly(2026, 12, 1),
                new DateOnly(2026, 12, 8), "en", Clock.GetUtcNow())).Whole;

        var popups = World.Telegram.Requests.Where(r => r.Method == "answerCallbackQuery").Select(r => (string?)r.Body["text"]).ToList();
        Assert.Multiple(() =>
        {
            Assert.That((tooSoon, asked, again), Is.EqualTo((0, 1, 0)), "after two quiet hours, once");
            Assert.That(question.Labels(), Is.EqualTo(new[] { "👍", "😐", "👎" }));
            Assert.That(alert.Text, Does.Contain("Anna").And.Contain("Acme · Website launch").And.Contain("https://t.me/c/"));
            Assert.That(World.Telegram.SentTo(AgencyWorld.StaffChat).Any(m => m.ThreadId == _topic && m.Text?.StartsWith("👎 Anna was not happy") == true));
            Assert.That(popups, Is.EqualTo(new[] { ClientTexts.Get("CsatSorry", "en"), ClientTexts.Get("CsatAlready", "en") }), "the first tap counts");
            Assert.That((report.Summary.Bad, report.Summary.Good, report.Summary.Asked), Is.EqualTo((1, 0, 1)));
            Assert.That(report.Ratings.Single().Score, Is.EqualTo(-1));
            Assert.That(clientReport, Does.Contain("⭐ Your ratings of our answers: 👍 0 · 😐 0 · 👎 1."), "the client report too");
            Assert.That(digest.Text, Does.Contain("Clients' ratings, last 7 days: 👍 0 · 😐 0 · 👎 1 (0% 👍; 1 of 1 asked answered)"));
        });
    }

    [Test]
    public async Task AChatAskedLately_IsNotAskedAgain_ThoughItIsAnsweredAgain()
    {
        Clock.Advance(TimeSpan.FromHours(3));
        await AskAsync();
        World.Telegram.ClientSends(Anna, "And the quote?", firstName: "Anna");
        await World.WaitForAsync(s => s.Any(m => m.ThreadId == _topic && m.Text?.Contains("And the quote?") == true));
        World.Telegram.ClientSends(AgencyWorld.StaffChat, "Tomorrow.", userId: AgencyWorld.Assistant, firstName: "Marie", threadId: _topic);
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text?.StartsWith("Tomorrow") == true));
        await World.SettledAsync(); // its delivery (and so its answer time) recorded before the clock moves on
        Clock.Advance(TimeSpan.FromDays(3));

        Assert.That(await AskAsync(), Is.Zero, "once in 14 days");
        Clock.Advance(TimeSpan.FromDays(12));
        Assert.That(await AskAsync(), Is.Zero, "and that answer is more than a week old by then: not asked about");
    }
}
