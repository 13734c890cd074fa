using AgencyBot.Tests.Hosting;

namespace AgencyBot.Tests.Security;

/// <summary>The bot token is part of every Bot API URL (/bot&lt;token&gt;/getUpdates), so whoever reads the logs would
/// own the bot if a URL were logged. No log level may change that.</summary>
public sealed class BotTokenLoggingTests
{
    [Test]
    public async Task WithEveryLogLevelAtTrace_PollingAndSending_NeverLogTheBotToken()
    {
        await using var telegram = await FakeBotApi.StartAsync();
        await using var db = TempDatabase.Create();
        // Run from the database's folder, so no appsettings.json is loaded: only these levels count.
        using var host = HostProcess.Start(new Dictionary<string, string?>
        {
            ["Telegram__BotToken"] = FakeBotApi.Token,
            ["Telegram__ApiBaseUrl"] = telegram.BaseUrl,
            ["Telegram__PollTimeout"] = "00:00:01",
            ["Database__ConnectionString"] = db.ConnectionString, ["Database__Provider"] = db.Provider.ToString(),
            ["AdminApi__ApiKey"] = "token-logging-test-key",
            ["Logging__LogLevel__Default"] = "Trace",
            ["Logging__LogLevel__System.Net.Http.HttpClient"] = "Trace",
        }, db.Folder);
        // One failure of each, so the lines that log Telegram.Bot's exceptions are written too.
        telegram.Fail("getUpdates", 502, "Bad Gateway");
        telegram.Fail("sendMessage", 502, "Bad Gateway");
        for (var chat = 1; chat <= 3; chat++) telegram.ClientSends(50_000 + chat, "hello");
        await telegram.WaitForSentCountAsync(3, TimeSpan.FromSeconds(30));
        await Eventually.HoldsAsync(() => Task.FromResult(telegram.GetUpdatesCalls), n => n >= 3, TimeSpan.FromSeconds(30), "several getUpdates calls");

        host.Terminate();
        await host.WaitForExitAsync(TimeSpan.FromSeconds(15));

        var lines = host.Output.Split('\n');
        Assert.Multiple(() =>
        {
            Assert.That(lines, Has.Some.Contains("dbug:"), "debug lines were logged");
            Assert.That(lines, Has.Some.Contains("Polling stopped; updates below"), "the pipeline's own lines were logged");
            Assert.That(lines, Has.Some.Contains("getUpdates failed"), "and its failures, with their exceptions");
            Assert.That(lines.Where(l => l.Contains("TEST-TOKEN", StringComparison.Ordinal)).Take(5), Is.Empty);
        });
    }
}
