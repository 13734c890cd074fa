using System.Net;
using AgencyBot.Tests.Fakes;
using AgencyBot.Tests.Hosting;
using Npgsql;

namespace AgencyBot.Tests.ScaleOut;

/// <summary>PostgreSQL goes away and comes back: the host says it is degraded meanwhile, and loses nothing.</summary>
public sealed class DatabaseOutageTests
{
    [Test]
    public async Task DatabaseUnreachable_HealthIsDegraded_UpdatesWaitAtTelegram_AndEverythingGoesThroughWhenItReturns()
    {
        TempDatabase.RequirePostgres();
        var db = await TempDatabase.CreateMigratedAsync();
        var (line, throughProxy) = Relay(db);
        await using var proxy = line;
        await using var world = await AgencyWorld.StartAsync(database: db, settings: new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = throughProxy,
        });
        var (_, code) = await world.ProjectAsync();
        await world.LinkPrivateChatAsync(601, code);
        await world.SettledAsync();

        proxy.Cut();
        var updateId = world.Telegram.ClientSends(601, "written while the database is away");
        var health = await Eventually.HoldsAsync(() => world.Host.CreateClient().GetStringAsync(new Uri("/health", UriKind.Relative)),
            h => h == "Degraded", TimeSpan.FromSeconds(30), "health degraded");
        await Task.Delay(TimeSpan.FromSeconds(2)); // intake keeps trying meanwhile
        var confirmedDuringOutage = world.Telegram.LastOffset ?? 0;
        var relayedDuringOutage = world.Telegram.Sent.Any(m => m.Text?.Contains("database is away") == true);

        proxy.Restore();
        await world.Telegram.WaitForSentAsync(s => s.Any(m => m.Text?.Contains("database is away") == true), TimeSpan.FromSeconds(30));
        var healthAfter = await Eventually.HoldsAsync(() => world.Host.CreateClient().GetStringAsync(new Uri("/health", UriKind.Relative)),
            h => h == "Healthy", TimeSpan.FromSeconds(30), "health back");

        Assert.Multiple(async () =>
        {
            Assert.That(health, Is.EqualTo("Degraded"), "degraded, not unhealthy: a restart would not bring the database back");
            Assert.That(confirmedDuringOutage, Is.LessThanOrEqualTo(updateId), "the update was not confirmed to Telegram before it was stored");
            Assert.That(relayedDuringOutage, Is.False);
            Assert.That(healthAfter, Is.EqualTo("Healthy"));
            Assert.That(await db.ScalarAsync<long>("SELECT COUNT(*) FROM messages WHERE text = 'written while the database is away'"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task DatabaseUnreachable_InWebhookMode_TheCallFails_SoTelegramRetries_AndTheRetryGoesThrough()
    {
        TempDatabase.RequirePostgres();
        const string secret = "outage-secret";
        var db = await TempDatabase.CreateMigratedAsync();
        var (line, throughProxy) = Relay(db);
        await using var proxy = line;
        await using var world = await AgencyWorld.StartAsync(database: db, settings: new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = throughProxy,
            ["Telegram:Mode"] = "Webhook", ["Telegram:WebhookUrl"] = "https://bot.example.com/telegram/hook", ["Telegram:WebhookSecret"] = secret,
        });
        var (project, _) = await world.ProjectAsync();
        await world.BindDirectlyAsync(801, project);
        using var telegramSide = world.Host.CreateClient();
        async Task<HttpStatusCode> DeliverAsync()
        {
            using var request = Wire.WebhookCall(new Uri("/telegram/hook", UriKind.Relative), Wire.TextUpdate(5001, 801, "sent during the outage"), secret);
            return (await telegramSide.SendAsync(request)).StatusCode;
        }

        proxy.Cut();
        // Telegram keeps several calls in flight: committed together, they fail together.
        var duringOutage = await Task.WhenAll(DeliverAsync(), DeliverAsync(), DeliverAsync());
        proxy.Restore();
        // Telegram delivers the same update again after a failed call.
        var retried = await Eventually.HoldsAsync(DeliverAsync, status => status == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "webhook accepts again");
        await world.Telegram.WaitForSentAsync(s => s.Any(m => m.Text?.Contains("sent during the outage") == true), TimeSpan.FromSeconds(30));

        Assert.Multiple(async () =>
        {
            Assert.That(duringOutage.Select(status => (int)status), Is.All.GreaterThanOrEqualTo(500), "not acknowledged: Telegram keeps the update and retries");
            Assert.That(retried, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await db.ScalarAsync<long>("SELECT COUNT(*) FROM messages WHERE text = 'sent during the outage'"), Is.EqualTo(1));
        });
    }

    /// <summary>A relay to the test's PostgreSQL server that the test can cut, and the connection string through it.</summary>
    private static (TcpProxy Line, string ConnectionString) Relay(TempDatabase db)
    {
        var direct = new NpgsqlConnectionStringBuilder(db.ConnectionString);
        var line = TcpProxy.Start(direct.Host!, direct.Port);
        return (line, new NpgsqlConnectionStringBuilder(db.ConnectionString) { Host = "127.0.0.1", Port = line.Port, Timeout = 3 }.ConnectionString);
    }
}
