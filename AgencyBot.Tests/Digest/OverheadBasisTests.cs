using System.Net.Http.Json;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Digest;

/// <summary>
/// Overhead = account management ÷ project hours: the hours logged when production time was logged, else the hours
/// the monthly budget allots to the period; the basis is always said, measured and typed time apart, the agency
/// summed up, and /digest during the day counts today so far.
/// </summary>
public sealed class OverheadBasisTests : ParisAgencyTest
{
    private const long Anna = 601;
    private const long Paul = 9500;
    private long _projectId;
    private long _marie;


    protected override DateTimeOffset StartsAt => At(8, 10, 0);

    [SetUp]
    public async Task ArrangeAsync()
    {
        _projectId = await World.ProjectWithClientAsync(Anna);
        _marie = await World.Db.ScalarAsync<long>("SELECT id FROM staff WHERE telegram_user_id = @a", new { a = AgencyWorld.Assistant });
        // December has 31 days: 31 h a month allot 7 h to its first week.
        (await World.Api.PutAsJsonAsync($"/api/projects/{_projectId}/budget", new { kind = "monthly", hours = 31 })).EnsureSuccessStatusCode();
    }

    private async Task LogAsync(int minutes, string category, string day = "2026-12-03") =>
        (await World.Api.PostAsJsonAsync($"/api/projects/{_projectId}/time-entries", new { staffId = _marie, minutes, category, spentOn = day })).EnsureSuccessStatusCode();

    private async Task<ProjectBasisAnswer> FirstWeekAsync() =>
        (await World.Api.GetAsAsync<OverheadWithBasisAnswer>("/api/reports/overhead?from=2026-12-01&to=2026-12-08")).Projects.Single(p => p.ProjectId == _projectId);

    [Test]
    public async Task WithoutProductionTime_TheAllottedHoursAreTheBasis_AndWithIt_TheLoggedHours()
    {
        await LogAsync(30, "comms");
        await World.Api.PutAsJsonAsync($"/api/projects/{_projectId}/time-entries/measured", new { staffId = _marie, day = "2026-12-04", minutes = 12 });
        var allotted = await FirstWeekAsync();

        await LogAsync(60, "work");
        var logged = await FirstWeekAsync();

        Assert.Multiple(() =>
        {
            Assert.That(allotted, Is.EqualTo(new ProjectBasisAnswer(_projectId, 42, 12, 30, 0, 42, 420, "allotted", 420, 10.0, false)));
            Assert.That(logged, Is.EqualTo(new ProjectBasisAnswer(_projectId, 42, 12, 30, 60, 102, 420, "logged", 102, 41.2, true)));
        });
    }

    [Test]
    public async Task WithNeitherProductionTimeNorABudget_TheLoggedHoursAreTheBasis_AndTheAgencySumsItsProjects()
    {
        (await World.Api.PutAsJsonAsync($"/api/projects/{_projectId}/budget", new { kind = "none" })).EnsureSuccessStatusCode();
        await LogAsync(30, "comms");
        var (other, _) = await World.ProjectAsync("Globex", "Shop");
        (await World.Api.PostAsJsonAsync($"/api/projects/{other}/time-entries", new { staffId = _marie, minutes = 270, category = "work", spentOn = "2026-12-03" })).EnsureSuccessStatusCode();

        var report = await World.Api.GetAsAsync<OverheadWithBasisAnswer>("/api/reports/overhead?from=2026-12-01&to=2026-12-08");

        Assert.Multiple(() =>
        {
            Assert.That(report.Projects.Single(p => p.ProjectId == _projectId) is { Basis: "logged", BasisMinutes: 30, OverheadPercent: 100.0 });
            Assert.That(report.Projects[0].ProjectId, Is.EqualTo(_projectId), "over the target first");
            Assert.That(report.Agency, Is.EqualTo(new AgencyAnswer(30, 0, 30, 300, 10.0, false)));
        });
    }

    [Test]
    public async Task DigestAskedForDuringTheDay_CountsTodaySoFar_MeasuredNow()
    {
        await World.StaffAsync(Paul, "Paul Roux", "manager");
        World.Telegram.ClientSends(Paul, "/start", userId: Paul, firstName: "Paul");
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Paul));
        var topic = await World.TopicAsync();
        World.Telegram.ClientSends(Anna, "Hello?", firstName: "Anna");
        await World.WaitForAsync(s => s.Any(m => m.Text?.Contains("Hello?") == true));
        await World.SettledAsync();
        Clock.Advance(TimeSpan.FromMinutes(3));
        World.Telegram.ClientSends(AgencyWorld.StaffChat, "Hello Anna!", userId: AgencyWorld.Assistant, firstName: "Marie", threadId: topic);
        await World.WaitForAsync(s => s.Any(m => m.ChatId == Anna && m.Text?.Contains("Hello Anna") == true));

        World.Telegram.ClientSends(Paul, "/digest", userId: Paul, firstName: "Paul");
        var digest = (await World.WaitForAsync(s => s.Any(m => m.ChatId == Paul && m.Text?.Contains("Today so far") == true)))
            .Last(m => m.ChatId == Paul && m.Text?.Contains("Today so far") == true).Text!;

        Assert.Multiple(async () =>
        {
            // One answer (a 2-minute session) and one short message read (15 s): 2 minutes of the hour 31 h a month allot to a day.
            Assert.That(digest, Does.Contain("Today so far: account management 0:02 of 1:00 h allotted, 3.3% ✅ under 10% (measured 0:02, typed 0:00)"));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM time_entries"), Is.Zero, "today is measured, not written, until it is over");
        });
    }
}

public sealed record OverheadWithBasisAnswer(AgencyAnswer Agency, IReadOnlyList<ProjectBasisAnswer> Projects);

public sealed record AgencyAnswer(long AccountManagementMinutes, long MeasuredAccountMinutes, long TypedAccountMinutes, long BasisMinutes,
    double? OverheadPercent, bool OverTarget);

public sealed record ProjectBasisAnswer(long ProjectId, long AccountManagementMinutes, long MeasuredAccountMinutes, long TypedAccountMinutes,
    long ProductionMinutes, long AllMinutes, long? AllottedMinutes, string Basis, long BasisMinutes, double? OverheadPercent, bool OverTarget);
