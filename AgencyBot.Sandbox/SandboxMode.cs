using AgencyBot.Core.Data;

namespace AgencyBot.Sandbox;

/// <summary>
/// Sandbox mode: the whole product on one machine without a Telegram bot. The Bot API emulator runs in-process and
/// the real pipeline (intake, inbox, outbox, rate limits, Quartz) talks to it over HTTP exactly as it would to
/// Telegram; a demo agency is seeded on a database of its own; the page at /sandbox shows the chats.
/// Wanted with <c>--sandbox</c>, or in Development when no bot token is set. Never in Production.
/// </summary>
public sealed class SandboxMode
{
    public const string Flag = "--sandbox";
    private const string DatabaseFile = "data/sandbox.db";

    private SandboxMode(FakeBotApi telegram, SandboxClock clock, int port)
    {
        Telegram = telegram;
        Clock = clock;
        Port = port;
    }

    public FakeBotApi Telegram { get; }
    public SandboxClock Clock { get; }
    public int Port { get; }
    public string PageAddress => $"http://127.0.0.1:{Port}/sandbox";

    public static bool Wanted(string[] args, WebApplicationBuilder builder) =>
        args.Contains(Flag, StringComparer.Ordinal)
        || (builder.Environment.IsDevelopment() && string.IsNullOrWhiteSpace(builder.Configuration["Telegram:BotToken"]));

    /// <summary>The one line that explains why the sandbox does not start, or null when it may.</summary>
    public static string? Refusal(WebApplicationBuilder builder) => builder.Environment.IsProduction()
        ? "the sandbox is for trying AgencyBot on your own machine and does not run in Production (set DOTNET_ENVIRONMENT=Development, or give Telegram__BotToken to run for real)"
        : null;

    /// <summary>Starts the emulator and points the host's settings at it; the sandbox starts over on every run.</summary>
    public static async Task<SandboxMode> StartAsync(WebApplicationBuilder builder)
    {
        var clock = new SandboxClock();
        var telegram = await FakeBotApi.StartAsync(clock);
        telegram.DefineGroup(SandboxPeople.StaffChat, SandboxPeople.StaffChatTitle, isForum: true);
        var database = Path.Combine(builder.Environment.ContentRootPath, DatabaseFile);
        foreach (var file in new[] { database, database + "-wal", database + "-shm" })
            if (File.Exists(file)) File.Delete(file);

        var port = builder.Configuration.GetValue("Sandbox:Port", 5080);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Telegram:BotToken"] = FakeBotApi.Token,
            ["Telegram:ApiBaseUrl"] = telegram.BaseUrl,
            ["Telegram:Mode"] = "Polling",
            ["Database:Provider"] = nameof(DatabaseProvider.Sqlite),
            ["Database:ConnectionString"] = $"Data Source={database}",
            ["AdminApi:ApiKey"] = "sandbox-admin-api-key",
            ["Agency:Name"] = "Sreda Digital",
            ["Agency:StaffChatId"] = SandboxPeople.StaffChat.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Agency:BusinessHours"] = "", // always open: what the page shows does not depend on the hour
            ["Sla:CheckInterval"] = "00:00:10",
        });
        // Bound to this machine only, whatever ASPNETCORE_URLS or launchSettings say.
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        return new SandboxMode(telegram, clock, port);
    }

    /// <summary>Registered last, so the sandbox clock replaces the system one for everything (Quartz included).</summary>
    public void AddServices(IServiceCollection services)
    {
        services.AddSingleton(Telegram);
        services.AddSingleton<TimeProvider>(Clock);
        services.AddSingleton<SandboxHistory>();
        services.AddHostedService<SandboxSeed>();
    }
}
