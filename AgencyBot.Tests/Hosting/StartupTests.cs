namespace AgencyBot.Tests.Hosting;

public sealed class StartupTests
{
    [TestCase("Telegram__BotToken", "", "Telegram:BotToken")]
    [TestCase("Telegram__BotToken", "my-bot-token", "Telegram:BotToken is not a bot token")]
    [TestCase("Telegram__BotToken", "123456:AAH token with spaces", "Telegram:BotToken is not a bot token")]
    [TestCase("Telegram__WebhookMaxConnections", "101", "Telegram:WebhookMaxConnections must be between 1 and 100")]
    [TestCase("AdminApi__ApiKey", "", "AdminApi:ApiKey")]
    [TestCase("AdminApi__ApiKey", "fifteen-chars-x", "AdminApi:ApiKey must be at least 16 characters (AdminApi__ApiKey)")]
    [TestCase("AdminApi__RateLimit__Requests", "0", "AdminApi:RateLimit")]
    [TestCase("AdminApi__RateLimit__Window", "00:00:00", "AdminApi:RateLimit")]
    [TestCase("Agency__TimeZone", "Mars/Olympus_Mons", "Agency:TimeZone")]
    [TestCase("Agency__BusinessHours", "weekdays 9 to 6", "Agency:BusinessHours")]
    [TestCase("Agency__BusinessHours", " ; ", "Agency:BusinessHours")]
    public async Task MissingOrWrongSetting_StopsStartUpWithOneLineNamingIt(string variable, string value, string setting)
    {
        await using var db = TempDatabase.Create();
        var environment = new Dictionary<string, string?>
        {
            ["Telegram__BotToken"] = FakeBotApi.Token,
            ["AdminApi__ApiKey"] = "startup-test-admin-api-key",
            ["Database__ConnectionString"] = db.ConnectionString, ["Database__Provider"] = db.Provider.ToString(),
        };
        environment[variable] = value;

        using var host = HostProcess.Start(environment, db.Folder);
        var exitCode = await host.WaitForExitAsync(TimeSpan.FromSeconds(30));

        var lines = host.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(1));
            Assert.That(lines, Has.Length.EqualTo(1), host.Output);
            Assert.That(lines[0], Does.Contain(setting));
            Assert.That(File.Exists(db.Path), Is.False, "nothing is touched before the settings are right");
        });
    }
}
