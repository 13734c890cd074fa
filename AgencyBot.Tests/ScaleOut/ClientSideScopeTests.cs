using System.Net.Http.Json;
using AgencyBot.Core.Approvals;
using AgencyBot.Core.Clients;
using AgencyBot.Core.Data;
using AgencyBot.Core.Satisfaction;
using AgencyBot.Host.Scheduling;
using AgencyBot.Tests.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace AgencyBot.Tests.ScaleOut;

/// <summary>
/// On PostgreSQL the client-side job asks each client for a rating in a write that locks the chat and its project,
/// and nudges each client the agency waits for in one that locks the project and its client chats: each goes through
/// while another host works on another client, and waits while one works on this client's chat or project. Runs at once
/// (a manual run beside the job's) still ask and nudge once.
/// </summary>
public sealed class ClientSideScopeTests : AgencyTest
{
    private const long Anna = 631;
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private long _project;

    protected override Task<AgencyWorld> StartAgencyAsync()
    {
        TempDatabase.RequirePostgres();
        return AgencyWorld.StartAsync(settings: new Dictionary<string, string?> { ["Agency:BusinessHours"] = "" }, clock: _clock);
    }

    // The job itself is taken off the schedule: what is due is asked and nudged by the test's runs only.
    [SetUp]
    public async Task AProjectWithAnnaAsync()
    {
        await World.JobsIdleAsync();
        await (await World.Host.Get<Quartz.ISchedulerFactory>().GetScheduler()).DeleteJob(ClientSideJob.Key);
        _project = await World.ProjectWithClientAsync(Anna);
        await World.SettledAsync();
    }

    /// <summary>Anna asks, Marie answers in the topic, and the exchange goes quiet past Csat:After.</summary>
    private async Task AnAnsweredExchangeGoesQuietAsync()
    {
        World.Telegram.ClientSends(Anna, "Can you send the invoice?", firstName: "Anna");
        var topic = await World.TopicAsync();
        World.Telegram.ClientSends(AgencyWorld.StaffChat, "Sent it just now.", userId: AgencyWorld.Assistant, firstName: "Marie", threadId: topic);
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text?.StartsWith("Sent it just now.", StringComparison.Ordinal) == true));
        await World.SettledAsync();
        _clock.Advance(TimeSpan.FromHours(3));
        await World.JobsIdleAsync();
    }

    /// <summary>A task of the project waits for Anna, and has for a week.</summary>
    private async Task ATaskWaitsForAnnaAsync()
    {
        (await World.Api.PostAsJsonAsync($"/api/projects/{_project}/tasks", new { title = "Logo files" })).EnsureSuccessStatusCode();
        (await World.Api.PatchAsJsonAsync($"/api/projects/{_project}/tasks/1", new { status = "waiting_for_client" })).EnsureSuccessStatusCode();
        await World.SettledAsync();
        _clock.Advance(TimeSpan.FromDays(7));
        await World.JobsIdleAsync();
    }

    private Task<int> AskAsync() => World.Host.Get<Ratings>().AskDueAsync(CancellationToken.None);

    private Task<int> NudgeAsync() => World.Host.Get<ClientWaits>().NudgeDueAsync(CancellationToken.None);

    private Task<(int? WhileHeld, int After)> WhileAnotherHostHoldsAsync(WriteScope held, Func<Task<int>> run, TimeSpan patience) =>
        AnotherHost.WhileHoldingAsync(World.Db.ConnectionString, held, run, patience);

    [Test]
    public async Task ARating_IsAskedWhileAnotherClientIsWorkedOn()
    {
        await AnAnsweredExchangeGoesQuietAsync();

        var (whileHeld, _) = await WhileAnotherHostHoldsAsync(WriteScope.Of([Anna + 1000], [_project + 1000]), AskAsync, TimeSpan.FromSeconds(10));
        await World.WaitForAsync(_ => World.Telegram.SentTo(Anna).Any(m => m.Text == ClientTexts.Get("CsatQuestion", "en")));

        Assert.That(whileHeld, Is.EqualTo(1), "Anna was asked beside the other client's transaction");
    }

    [Test]
    public async Task ARating_WaitsWhileThisChatIsWorkedOn()
    {
        await AnAnsweredExchangeGoesQuietAsync();

        var (whileHeld, after) = await WhileAnotherHostHoldsAsync(WriteScope.Of([Anna], []), AskAsync, TimeSpan.FromSeconds(1));

        Assert.That((whileHeld, after), Is.EqualTo(((int?)null, 1)), "the question waited for the transaction on Anna's chat, then went");
    }

    [Test]
    public async Task FourRunsAtOnce_AskOnce_AndNudgeOnce()
    {
        await AnAnsweredExchangeGoesQuietAsync();
        var asked = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(AskAsync)));
        await ATaskWaitsForAnnaAsync();
        var nudged = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(NudgeAsync)));
        await World.SettledAsync();

        Assert.Multiple(() =>
        {
            Assert.That((asked.Sum(), nudged.Sum()), Is.EqualTo((1, 1)));
            Assert.That(World.Telegram.SentTo(Anna).Count(m => m.Text == ClientTexts.Get("CsatQuestion", "en")), Is.EqualTo(1));
            Assert.That(World.Telegram.SentTo(Anna).Count(m => m.Text == ClientTexts.Get("NudgeWaiting", "en", "Logo files")), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task ANudge_GoesWhileAnotherProjectIsWorkedOn_AndWaitsWhileItsOwnIs()
    {
        await ATaskWaitsForAnnaAsync();
        var (beside, _) = await WhileAnotherHostHoldsAsync(WriteScope.Of([Anna + 1000], [_project + 1000]), NudgeAsync, TimeSpan.FromSeconds(10));

        _clock.Advance(TimeSpan.FromDays(7)); // the second nudge is due
        await World.JobsIdleAsync();
        var (whileOwnHeld, after) = await WhileAnotherHostHoldsAsync(WriteScope.Of([], [_project]), NudgeAsync, TimeSpan.FromSeconds(1));
        await World.SettledAsync();

        var nudges = World.Telegram.SentTo(Anna).Count(m => m.Text == ClientTexts.Get("NudgeWaiting", "en", "Logo files"));
        Assert.Multiple(() =>
        {
            Assert.That(beside, Is.EqualTo(1), "nudged beside the other project's transaction");
            Assert.That((whileOwnHeld, after), Is.EqualTo(((int?)null, 1)), "the second waited for the transaction on its project, then went");
            Assert.That(nudges, Is.EqualTo(2));
        });
    }
}
