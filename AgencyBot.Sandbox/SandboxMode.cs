using AgencyBot.Core.Data;

namespace AgencyBot.Sandbox;

/// <summary>
/// Sandbox mode: the whole product on one machine without a Telegram bot. The Bot API emulator runs in-process and
/// the real pipeline (intake, inbox, outbox, rate limits, Quartz) talks to it over HTTP exactly as it would to
/// Telegram; a demo agency is seeded on a database of its own; the page at /sandbox shows the chats.
/// Wanted with <c>--sandbox</c>, or when no bot token is set and the environment is Development or not chosen at all.
/// Never in an environment set to Production.
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

    /// <summary>--sandbox, or no bot token while nobody chose an environment (a plain <c>dotnet run</c>) or chose
    /// Development. An environment set to Production is production, under <c>dotnet run</c> too.</summary>
    public static bool Wanted(string[] args, WebApplicationBuilder builder) =>
        args.Contains(Flag, StringComparer.Ordinal)
        || ((builder.Environment.IsDevelopment() || !EnvironmentChosen(builder)) && string.IsNullOrWhiteSpace(builder.Configuration["Telegram:BotToken"]));

    /// <summary>The one line that explains why the sandbox does not start, or null when it may.</summary>
    public static string? Refusal(WebApplicationBuilder builder) => builder.Environment.IsProduction() && EnvironmentChosen(builder)
        ? "the sandbox is for trying AgencyBot on your own machine and does not run in Production (set DOTNET_ENVIRONMENT=Development, or give Telegram__BotToken to run for real)"
        : null;

    /// <summary>Whether ASPNETCORE_ENVIRONMENT, DOTNET_ENVIRONMENT or --environment named one (the host defaults to Production).</summary>
    private static bool EnvironmentChosen(WebApplicationBuilder builder) => !string.IsNullOrEmpty(builder.Configuration[HostDefaults.EnvironmentKey]);

    /// <summary>Starts the emulator and points the host's settings at it; the sandbox starts over on every run.</summary>
    public static async Task<SandboxMode> StartAsync(WebApplicationBuilder builder)
    {
        if (!EnvironmentChosen(builder)) builder.Environment.EnvironmentName = Environments.Development;
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
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Add(SandboxApiJson.Default)); // the page's calls
    }
}
