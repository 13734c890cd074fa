using System.Diagnostics;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Crash;

public sealed class ShutdownTests
{
    private const string Started = "Application started";

    [Test]
    public async Task Sigterm_StopsWithinTenSeconds_AndConfirmsTheOffset()
    {
        await using var telegram = await FakeBotApi.StartAsync();
        await using var db = TempDatabase.Create();
        using var host = StartHost(telegram, db);
        int last = 0;
        for (var chat = 1; chat <= 20; chat++) last = telegram.ClientSends(40_000 + chat, "hello");
        await telegram.WaitForSentCountAsync(20, TimeSpan.FromSeconds(30));
        // The bot answers before start-up is over (the scheduler and the web server start after the intake): this test
        // is about a running host's stop.
        await Eventually.HoldsAsync(() => Task.FromResult(host.Output), o => o.Contains(Started), TimeSpan.FromSeconds(30), "the host started");

        var clock = Stopwatch.StartNew();
        host.Terminate();
        var exitCode = await host.WaitForExitAsync(TimeSpan.FromSeconds(15));

        Assert.Multiple(() =>
        {
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
            Assert.That(exitCode, Is.Zero, host.Output);
            Assert.That(telegram.LastOffset, Is.GreaterThan(last), "the last updates are confirmed, not fetched again after a restart");
            Assert.That(telegram.PendingUpdates, Is.Zero);
        });
    }

    /// <summary>A container stopped while the host is still starting (seen on PostgreSQL, where the scheduler's start
    /// takes longest): the host stops, exit code 0, no unhandled exception.</summary>
    [Test]
    public async Task Sigterm_AsSoonAsTheBotPolls_ExitsCleanly()
    {
        await using var telegram = await FakeBotApi.StartAsync();
        await using var db = TempDatabase.Create();
        using var host = StartHost(telegram, db);
        await Eventually.HoldsAsync(() => Task.FromResult(telegram.GetUpdatesCalls), n => n > 0, TimeSpan.FromSeconds(30), "the first getUpdates");

        host.Terminate();
        var exitCode = await host.WaitForExitAsync(TimeSpan.FromSeconds(15));

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, host.Output);
            Assert.That(host.Output, Does.Not.Contain("Unhandled exception"));
        });
        TestContext.Out.WriteLine(host.Output.Contains(Started) ? "stopped after start-up" : "stopped during start-up");
    }

    private static HostProcess StartHost(FakeBotApi telegram, TempDatabase db) => HostProcess.Start(new Dictionary<string, string?>
    {
        ["Telegram__BotToken"] = FakeBotApi.Token, ["Telegram__ApiBaseUrl"] = telegram.BaseUrl,
        ["Database__ConnectionString"] = db.ConnectionString, ["Database__Provider"] = db.Provider.ToString(), ["AdminApi__ApiKey"] = "shutdown-test-admin-api-key",
        ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information", // its "Application started" line
    }, db.Folder);
}
