using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AgencyBot.Tests.Hosting;

/// <summary>
/// The real Host (Program.cs, every hosted service) in this process, talking real HTTP to the fake Bot API
/// server through the real Telegram.Bot client, on a real SQLite file.
/// </summary>
public sealed class TestHost : WebApplicationFactory<Program>
{
    public const string ApiKey = "test-admin-api-key";

    private readonly Dictionary<string, string?> _settings;

    private readonly TimeProvider? _clock;

    /// <param name="clock">Replaces the host's clock (the pipeline, the SLA clock, Quartz) with a fake one.</param>
    public TestHost(FakeBotApi telegram, TempDatabase database, IDictionary<string, string?>? settings = null, TimeProvider? clock = null)
    {
        _clock = clock;
        Telegram = telegram;
        Db = database;
        _settings = new Dictionary<string, string?>
        {
            ["Telegram:BotToken"] = FakeBotApi.Token,
            ["Telegram:ApiBaseUrl"] = telegram.BaseUrl,
            ["Telegram:PollTimeout"] = "00:00:02",
            ["Database:ConnectionString"] = database.ConnectionString,
            ["Database:Provider"] = database.Provider.ToString(),
            ["Database:BackupFolder"] = Path.Combine(database.Folder, "backups"),
            ["AdminApi:ApiKey"] = ApiKey,
            ["Agency:Name"] = "Sreda Digital",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) _settings[key] = value;
    }

    public FakeBotApi Telegram { get; }
    public TempDatabase Db { get; }

    /// <summary>Starts the host (and so intake, processing and sending).</summary>
    public TestHost Start()
    {
        _ = Services;
        return this;
    }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>What the host logged so far (Information and above), as formatted messages.</summary>
    public IReadOnlyList<string> Logs => Services.GetFakeLogCollector().GetSnapshot().Select(r => r.Message).ToList();

    /// <summary>An HTTP client for the admin API carrying the API key.</summary>
    public HttpClient AdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureLogging(logging => logging.AddFakeLogging(o => o.OutputSink = null));
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        if (_clock is not null)
            builder.ConfigureTestServices(services => services.AddSingleton(_clock));
    }
}
