using System.Net.Http.Json;
using System.Text;
using AgencyBot.Core.Clients;
using AgencyBot.Tests.Fakes;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Conversations;

/// <summary>Approvals: a deliverable sent to the client with Approve / Request changes, the decision on the task's
/// record and in the topic, the client's side of the clock with polite nudges that stop when the client answers.</summary>
public sealed class ApprovalTests : ParisAgencyTest
{
    private const long Anna = 601;
    private long _projectId;
    private int _topic;

    protected override DateTimeOffset StartsAt => At(7, 10, 0); // Monday

    [SetUp]
    public async Task TaskAsync()
    {
        _projectId = await World.ProjectWithClientAsync(Anna);
        (await World.Api.PostAsJsonAsync($"/api/projects/{_projectId}/tasks", new { title = "Mock-up" })).EnsureSuccessStatusCode();
        World.Telegram.ClientSends(Anna, "Hello!", firstName: "Anna");
        _topic = await World.TopicAsync();
    }

    /// <summary>Marie posts a version as an internal note and asks for its approval; the approval request Anna gets.</summary>
    private async Task<SentMessage> AsksApprovalAsync(string version)
    {
        var note = World.Telegram.ClientSendsDocument(AgencyWorld.StaffChat, $"{version}.pdf", Encoding.UTF8.GetBytes(version), caption: $"// {version} for review",
            userId: AgencyWorld.Assistant, firstName: "Marie", threadId: _topic);
        var before = World.Telegram.SentTo(Anna).Count(m => m.Text == ClientTexts.Get("ApprovalRequest", "en", "Mock-up"));
        World.Telegram.ClientSends(AgencyWorld.StaffChat, "/approve #1", userId: AgencyWorld.Assistant, firstName: "Marie", threadId: _topic, replyToMessageId: note);
        return (await World.WaitForAsync(s => s.Count(m => m.ChatId == Anna && m.Text == ClientTexts.Get("ApprovalRequest", "en", "Mock-up")) > before))
            .Last(m => m.ChatId == Anna && m.Text == ClientTexts.Get("ApprovalRequest", "en", "Mock-up"));
    }

    private Task<string> NoticeAsync(string containing) =>
        World.WaitForAsync(s => s.Any(m => m.ThreadId == _topic && m.Text?.Contains(containing) == true))
            .ContinueWith(s => s.Result.Last(m => m.ThreadId == _topic && m.Text?.Contains(containing) == true).Text!);

    [Test]
    public async Task ChangesRequested_ThenTheNextVersionApproved_AllOnTheTasksRecord()
    {
        var first = await AsksApprovalAsync("v1");
        World.Telegram.ClientSends(Anna, "/status", firstName: "Anna");
        var status = (await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text?.Contains("Waiting for your approval") == true))).Last(m => m.ChatId == Anna && m.Text?.Contains("Waiting") == true);
        World.Telegram.Presses(Anna, first.MessageId, first.Button("Request changes"), firstName: "Anna");
        await NoticeAsync("Anna asked for changes on #1 “Mock-up”");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text == ClientTexts.Get("ApprovalWhatChanges", "en")));
        World.Telegram.ClientSends(Anna, "Make the logo bigger", firstName: "Anna");
        var comment = await NoticeAsync("Changes asked for #1");
        var second = await AsksApprovalAsync("v2");
        World.Telegram.Presses(Anna, second.MessageId, second.Button("Approve"), firstName: "Anna");
        World.Telegram.Presses(Anna, second.MessageId, second.Button("Request changes"), firstName: "Anna");
        await NoticeAsync("Anna approved #1 “Mock-up”");
        await World.SettledAsync();

        var copies = World.Telegram.SentTo(Anna).Where(m => m.Method == "copyMessage").ToList();
        var history = await World.Db.QueryAsync<string>("SELECT kind FROM task_events WHERE kind NOT IN ('created', 'status') ORDER BY id");
        Assert.Multiple(async () =>
        {
            Assert.That(copies, Has.Count.EqualTo(2), "each version reached Anna");
            Assert.That(copies.Select(c => (string?)c.Request.Body["caption"]), Is.All.EqualTo("Mock-up"), "the staff's // note stays in the topic");
            Assert.That(first.Labels(), Is.EqualTo(new[] { "✅ Approve", "✏️ Request changes" }));
            Assert.That(status.Text, Does.Contain("⏳ Waiting for your approval: Mock-up"));
            Assert.That(comment, Does.EndWith("Make the logo bigger"));
            Assert.That(history, Is.EqualTo(new[] { "approval_requested", "changes_requested", "changes_comment", "approval_requested", "approved" }));
            Assert.That(await World.Db.QueryAsync<(string, string?)>("SELECT state, comment FROM approvals ORDER BY id"),
                Is.EqualTo(new[] { ("changes", (string?)"Make the logo bigger"), ("approved", null) }), "the second tap changed nothing");
            Assert.That(await World.Db.ScalarAsync<string>("SELECT status FROM tasks"), Is.EqualTo("in_progress"));
        });
    }

    [Test]
    public async Task APendingApproval_IsNudgedAfterTwoWorkingDays_NotTwiceAtOnce_AndNotOnceTheClientAnswers()
    {
        Clock.Advance(TimeSpan.FromMinutes(5));
        await AsksApprovalAsync("v1");
        await World.SettledAsync();
        var waits = World.Host.Get<AgencyBot.Core.Approvals.ClientWaits>();
        Task<int> Nudge() => waits.NudgeDueAsync(CancellationToken.None);

        Clock.Advance(TimeSpan.FromDays(1)); // Tuesday
        var tooSoon = await Nudge();
        Clock.Advance(TimeSpan.FromDays(1)); // Wednesday: two working days
        var first = await Nudge();
        var again = await Nudge();
        var digest = await World.Host.Get<AgencyBot.Core.Digest.DigestBuilder>().BuildAsync(new DateOnly(2026, 12, 9), soFar: true);
        string report;
        await using (var connection = await World.Host.Get<AgencyBot.Core.Data.Database>().OpenAsync())
            report = (await World.Host.Get<AgencyBot.Core.Deliverables.ReportWriter>().WriteAsync(connection, null, _projectId, new DateOnly(2026, 12, 2),
                new DateOnly(2026, 12, 9), "en", Clock.GetUtcNow())).Whole;
        Clock.Advance(TimeSpan.FromMinutes(30));
        World.Telegram.ClientSends(Anna, "I will look on Friday", firstName: "Anna");
        await World.WaitForAsync(s => s.Any(m => m.ThreadId == _topic && m.Text?.Contains("look on Friday") == true));
        Clock.Advance(TimeSpan.FromDays(5));
        var afterAnswer = await Nudge();
        await World.SettledAsync();

        Assert.Multiple(() =>
        {
            Assert.That((tooSoon, first, again, afterAnswer), Is.EqualTo((0, 1, 0, 0)));
            Assert.That(World.Telegram.SentTo(Anna).Count(m => m.Text == ClientTexts.Get("NudgeApproval", "en", "Mock-up")), Is.EqualTo(1));
            Assert.That(report, Does.Contain("⏳ Waiting for you\n• Mock-up: your approval, since"), "the client report says what waits for them");
            Assert.That(digest.Text, Does.Contain("⏸ Waiting for clients: 1").And.Contain("#1 Mock-up (approval), since Mon 7 Dec").And.Contain("nudged 1×"));
        });
    }

    [Test]
    public async Task Wait_PutsATaskOnTheClientsSide_TheirStatusSaysSo_AndTheDigestListsIt()
    {
        World.Telegram.ClientSends(AgencyWorld.StaffChat, "/wait #1", userId: AgencyWorld.Assistant, firstName: "Marie", threadId: _topic);
        await NoticeAsync("⏸ #1 “Mock-up” waits for the client");
        World.Telegram.ClientSends(Anna, "/status", firstName: "Anna");
        var status = (await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text?.Contains("Mock-up") == true))).Last(m => m.ChatId == Anna && m.Text?.Contains("Mock-up") == true);
        var digest = await World.Host.Get<AgencyBot.Core.Digest.DigestBuilder>().BuildAsync(new DateOnly(2026, 12, 7), soFar: true);
        World.Telegram.ClientSends(AgencyWorld.StaffChat, "/wait #1 off", userId: AgencyWorld.Assistant, firstName: "Marie", threadId: _topic);
        await NoticeAsync("▶️ #1 “Mock-up” is in progress again");

        Assert.Multiple(() =>
        {
            Assert.That(status.Text, Does.Contain(ClientTexts.Get("WaitingForYou", "en")));
            Assert.That(digest.Text, Does.Contain("#1 Mock-up (feedback)"));
        });
    }
}
