using System.Diagnostics;
using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Crash;

public sealed class ShutdownTests
{
    [Test]
    public async Task Sigterm_StopsWithinTenSeconds_AndConfirmsTheOffset()
    {
        await using var telegram = await FakeBotApi.StartAsync();
        await using var db = TempDatabase.Create();
        using var host = HostProcess.Start(new Dictionary<string, string?>
        {
            ["Telegram__BotToken"] = FakeBotApi.Token, ["Telegram__ApiBaseUrl"] = telegram.BaseUrl,
            ["Database__ConnectionString"] = db.ConnectionString, ["Database__Provider"] = db.Provider.ToString(), ["AdminApi__ApiKey"] = "shutdown-test-admin-api-key",
        }, db.Folder);
        int last = 0;
        for (var chat = 1; chat <= 20; chat++) last = telegram.ClientSends(40_000 + chat, "hello");
        await telegram.WaitForSentCountAsync(20, TimeSpan.FromSeconds(30));

        var clock = Stopwatch.StartNew();
        host.Terminate();
        var exitCode = await host.WaitForExitAsync(TimeSpan.FromSeconds(15));

        Assert.Multiple(() =>
        {
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
            Assert.That(exitCode, Is.Zero);
            Assert.That(telegram.LastOffset, Is.GreaterThan(last), "the last updates are confirmed, not fetched again after a restart");
            Assert.That(telegram.PendingUpdates, Is.Zero);
        });
    }
}
