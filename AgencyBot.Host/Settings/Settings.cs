using AgencyBot.Core.Agency;
using AgencyBot.Core.Escalation;
using AgencyBot.Core.Outbox;
using Microsoft.Extensions.Options;

namespace AgencyBot.Host.Settings;

public sealed class TelegramOptions
{
    public const string Section = "Telegram";
    public string BotToken { get; set; } = "";
    public string ApiBaseUrl { get; set; } = "https://api.telegram.org";
    /// <summary>How long one getUpdates call waits for updates (Telegram's long-poll timeout).</summary>
    public TimeSpan PollTimeout { get; set; } = TimeSpan.FromSeconds(25);
    public SendLimitOptions Limits { get; set; } = new();
}

public sealed class DatabaseOptions
{
    public const string Section = "Database";
    public string ConnectionString { get; set; } = "Data Source=data/agencybot.db";
}

public sealed class AdminApiOptions
{
    public const string Section = "AdminApi";
    public string ApiKey { get; set; } = "";
}

public static class SettingsRegistration
{
    /// <summary>Binds every section and validates it when the host starts; a failure names the setting
    /// and the environment variable that sets it.</summary>
    public static IServiceCollection AddAgencySettings(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TelegramOptions>().Bind(configuration.GetSection(TelegramOptions.Section))
            .Validate(o => !string.IsNullOrWhiteSpace(o.BotToken), Missing("Telegram:BotToken"))
            .Validate(o => Uri.TryCreate(o.ApiBaseUrl, UriKind.Absolute, out _), "Telegram:ApiBaseUrl must be an absolute URL")
            .Validate(o => o.PollTimeout >= TimeSpan.Zero && o.PollTimeout <= TimeSpan.FromSeconds(50), "Telegram:PollTimeout must be between 00:00:00 and 00:00:50")
            .Validate(o => Valid(o.Limits.PrivateChat) && Valid(o.Limits.Group) && Valid(o.Limits.Overall),
                "Telegram:Limits: every rate needs Messages > 0, Per > 00:00:00 and Burst > 0")
            .ValidateOnStart();
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.Section))
            .Validate(o => !string.IsNullOrWhiteSpace(o.ConnectionString), Missing("Database:ConnectionString"))
            .ValidateOnStart();
        services.AddOptions<AdminApiOptions>().Bind(configuration.GetSection(AdminApiOptions.Section))
            .Validate(o => !string.IsNullOrWhiteSpace(o.ApiKey), Missing("AdminApi:ApiKey"))
            .ValidateOnStart();
        services.AddOptions<AgencyOptions>().Bind(configuration.GetSection(AgencyOptions.Section))
            .Validate(o => !string.IsNullOrWhiteSpace(o.Name), Missing("Agency:Name"))
            .Validate(o => o.InviteLifetime > TimeSpan.Zero, "Agency:InviteLifetime must be positive")
            .Validate(o => AgencyOptions.IsKnownZone(o.TimeZone), "Agency:TimeZone is not a known IANA time zone (e.g. Europe/Paris)")
            .ValidateOnStart();
        services.AddOptions<SlaOptions>().Bind(configuration.GetSection(SlaOptions.Section))
            .Validate(o => o.FirstResponse > TimeSpan.Zero, "Sla:FirstResponse must be positive")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<TelegramOptions>>().Value.Limits);
        return services;
    }

    /// <summary>Every settings failure, checked before the host starts so each is printed as one plain line
    /// rather than logged with a stack trace by the host.</summary>
    public static IReadOnlyList<string> Problems(IServiceProvider services)
    {
        var problems = new List<string>();
        Check<TelegramOptions>(services, problems);
        Check<DatabaseOptions>(services, problems);
        Check<AdminApiOptions>(services, problems);
        Check<AgencyOptions>(services, problems);
        Check<SlaOptions>(services, problems);
        return problems;
    }

    private static void Check<T>(IServiceProvider services, List<string> problems) where T : class
    {
        try
        {
            _ = services.GetRequiredService<IOptions<T>>().Value;
        }
        catch (OptionsValidationException invalid)
        {
            problems.AddRange(invalid.Failures);
        }
    }

    private static string Missing(string key) =>
        $"{key} is not set: put it in appsettings.json or the environment variable {key.Replace(":", "__", StringComparison.Ordinal)}";

    private static bool Valid(RateOptions rate) => rate.Messages > 0 && rate.Per > TimeSpan.Zero && rate.Burst > 0;
}
