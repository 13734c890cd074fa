using System.Net.Http.Json;
using AgencyBot.Sandbox;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Telegram;

/// <summary>What the host does when Telegram will not talk to it: a rejected token is said once and makes the host
/// unhealthy; an unreachable Telegram does not stop invitations (the bot's username is kept from the last getMe).</summary>
public sealed class BotTokenTests : AgencyTest
{
    protected override bool StartsItsOwnAgency => true;

    [Test]
    public async Task ARejectedToken_MakesHealthUnhealthy_AndIsLoggedOnce_InWordsThatSayWhatToDo()
    {
        World = await AgencyWorld.StartAsync(settings: new Dictionary<string, string?> { ["Telegram:BotToken"] = "123456:REVOKED-TOKEN" });
        using var anonymous = World.Host.CreateClient();

        async Task<string> HealthAsync() => await (await anonymous.GetAsync("/health")).Content.ReadAsStringAsync();
        var health = await Eventually.HoldsAsync(HealthAsync, h => h == "Unhealthy", AgencyWorld.Timeout, "unhealthy");
        // Intake and the menu keep trying (and being refused) meanwhile, a few times each.
        await Task.Delay(TimeSpan.FromSeconds(4));

        Assert.Multiple(() =>
        {
            Assert.That(health, Is.EqualTo("Unhealthy"));
            Assert.That(World.Host.Logs.Count(l => l.StartsWith("Telegram rejected the bot token (401 Unauthorized)", StringComparison.Ordinal)), Is.EqualTo(1), string.Join("\n", World.Host.Logs));
        });
    }

    [Test]
    public async Task WhileTelegramCannotBeReached_InvitesAreStillMade_WithTheUsernameTheLastGetMeGave()
    {
        World = await AgencyWorld.StartAsync();
        await Eventually.HoldsAsync(() => World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM bot_profile"), n => n == 1, AgencyWorld.Timeout,
            "getMe answered once");
        var (projectId, _) = await World.ProjectAsync();
        World.Telegram.FailUntil("getMe", DateTimeOffset.UtcNow.AddHours(1));
        await World.RestartHostAsync();

        var response = await World.Api.PostAsJsonAsync($"/api/projects/{projectId}/invites", new { });
        var invite = await response.ReadAsAsync<InviteLinkAnswer>();

        Assert.Multiple(() =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(201));
            Assert.That(invite.Link, Does.StartWith($"https://t.me/{FakeBotApi.BotUsername}?start="));
        });
    }

    [Test]
    public async Task ABotThatNeverReachedTelegram_AnswersAnInviteWith503_NotABare500()
    {
        World = await AgencyWorld.StartAsync(settings: new Dictionary<string, string?> { ["Telegram:ApiBaseUrl"] = "http://127.0.0.1:9" });
        var client = await (await World.Api.PostAsJsonAsync("/api/clients", new { name = "Acme" })).ReadAsAsync<Created>();
        var project = await (await World.Api.PostAsJsonAsync("/api/projects", new { clientId = client.Id, name = "Site" })).ReadAsAsync<Created>();

        var response = await World.Api.PostAsJsonAsync($"/api/projects/{project.Id}/invites", new { });
        var problem = await response.ReadAsAsync<Problem>();

        Assert.Multiple(async () =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(503));
            Assert.That(problem.Title, Is.EqualTo("Telegram cannot be reached"));
            Assert.That(await World.Db.ScalarAsync<long>("SELECT COUNT(*) FROM invites"), Is.Zero, "no unusable invite left behind");
        });
    }
}
