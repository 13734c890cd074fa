using AgencyBot.Tests.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace AgencyBot.Tests.ScaleOut;

/// <summary>
/// One project on PostgreSQL with Anna's private chat linked and its topic open, always within business hours, the
/// jobs' start-up runs over. The clock stands still unless a test moves it: no scheduled job runs meanwhile, so nothing
/// else takes the whole database while a test holds a lock of another host's.
/// </summary>
public abstract class OneProjectOnPostgresTest : AgencyTest
{
    protected const long Anna = 601;

    protected FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected long Project { get; private set; }

    protected int Topic { get; private set; }

    protected override Task<AgencyWorld> StartAgencyAsync()
    {
        TempDatabase.RequirePostgres();
        return AgencyWorld.StartAsync(settings: new Dictionary<string, string?> { ["Agency:BusinessHours"] = "" }, clock: Clock);
    }

    [SetUp]
    public async Task AProjectWithAnnaAndItsTopicAsync()
    {
        Project = await World.ProjectWithClientAsync(Anna);
        Topic = await World.TopicAsync();
        await World.SettledAsync();
        await World.JobsIdleAsync(); // the jobs' start-up runs hold the whole database
    }

    /// <summary>Marie, the assistant, writes in the project's topic.</summary>
    protected void MarieAnswers(string text) =>
        World.Telegram.ClientSends(AgencyWorld.StaffChat, text, userId: AgencyWorld.Assistant, firstName: "Marie", threadId: Topic);
}
