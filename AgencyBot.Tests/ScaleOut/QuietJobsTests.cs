using AgencyBot.Core.Approvals;
using AgencyBot.Core.Escalation;
using AgencyBot.Core.Satisfaction;
using AgencyBot.Tests.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace AgencyBot.Tests.ScaleOut;

/// <summary>
/// The jobs that run every few minutes first read whether they have anything to do, outside a write: with nothing due
/// they finish while another host holds the whole database (a migration, an admin change), instead of waiting for it.
/// </summary>
public sealed class QuietJobsTests : AgencyTest
{
    protected override Task<AgencyWorld> StartAgencyAsync()
    {
        TempDatabase.RequirePostgres();
        return AgencyWorld.StartAsync(clock: new FakeTimeProvider(DateTimeOffset.UtcNow));
    }

    [Test]
    public async Task WithNothingDue_RatingsNudgesAndEscalations_DoNotWaitForTheWholeDatabase()
    {
        await World.ProjectWithClientAsync(611);
        await World.SettledAsync();
        await World.JobsIdleAsync();
        var everything = await AnotherHost.HoldsAsync(World.Db.ConnectionString);
        try
        {
            var runs = new[]
            {
                World.Host.Get<Ratings>().AskDueAsync(CancellationToken.None),
                World.Host.Get<ClientWaits>().NudgeDueAsync(CancellationToken.None),
                World.Host.Get<Escalations>().CheckAsync(),
            };
            var all = Task.WhenAll(runs);
            var finished = await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(3))) == all;
            Assert.That(finished ? await all : null, Is.EqualTo(new[] { 0, 0, 0 }), "nothing due, found without waiting for the transaction holding everything");
        }
        finally
        {
            await everything.ReleaseAsync();
        }
    }
}
