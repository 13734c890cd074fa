using AgencyBot.Core.Agency;
using AgencyBot.Core.Conversations;
using AgencyBot.Core.Data;
using AgencyBot.Core.Digest;
using AgencyBot.Core.Sending;
using AgencyBot.Core.TimeTracking;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace AgencyBot.Host.Settings;

public enum TelegramMode { Polling, Webhook }

public sealed class TelegramOptions
{
    public const string Section = "Telegram";
    /// <summary>Polling (the default): the bot asks Telegram. Webhook: Telegram calls WebhookUrl.</summary>
    public TelegramMode Mode { get; set; } = TelegramMode.Polling;
    /// <summary>The public https URL Telegram posts updates to; its path is served by this host.</summary>
    public string? WebhookUrl { get; set; }
    /// <summary>Sent back by Telegram in X-Telegram-Bot-Api-Secret-Token: 1–256 of A-Z, a-z, 0-9, _ and -.</summary>
    public string? WebhookSecret { get; set; }
    /// <summary>How many webhook calls Telegram makes at once (setWebhook's max_connections, 1–100; Telegram's own
    /// default is 40): fewer spare a small server, more let a busy bot take in more.</summary>
    public int WebhookMaxConnections { get; set; } = 40;
    public string BotToken { get; set; } = "";
    public string ApiBaseUrl { get; set; } = "https://api.telegram.org";
    /// <summary>How long one getUpdates call waits for updates (Telegram's long-poll timeout).</summary>
    public TimeSpan PollTimeout { get; set; } = TimeSpan.FromSeconds(25);
    public SendLimitOptions Limits { get; set; } = new();
}

public sealed class DatabaseOptions
{
    public const string Section = "Database";
    /// <summary>Sqlite: one host, one file. Postgres: several hosts on one database, Quartz clustered.</summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;
    public string ConnectionString { get; set; } = "Data Source=data/agencybot.db";
    /// <summary>Where POST /api/ops/backup writes its copies.</summary>
    public string BackupFolder { get; set; } = "data/backups";
}

public sealed class AdminApiOptions
{
    public const string Section = "AdminApi";
    /// <summary>A shorter key could be guessed, even at the rate limit.</summary>
    public const int MinimumKeyLength = 16;
    public string ApiKey { get; set; } = "";
    public AdminApiRateLimit RateLimit { get; set; } = new();
}

/// <summary>Calls to /api per remote address and window, calls with a wrong key included.</summary>
public sealed class AdminApiRateLimit
{
    public int Requests { get; set; } = 120;
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

public static class SettingsRegistration
{
    /// <summary>Binds every section and validates it when the host starts; a failure names the setting
    /// and the environment variable that sets it.</summary>
    public static IServiceCollection AddAgencySettings(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TelegramOptions>().Bind(configuration.GetSection(TelegramOptions.Section))
            .Validate(o => !string.IsNullOrWhiteSpace(o.BotToken), Missing("Telegram:BotToken"))
            .Validate(o => string.IsNullOrWhiteSpace(o.BotToken) || IsTokenShaped(o.BotToken),
                "Telegram:BotToken is not a bot token: a token is digits, a colon, then letters, digits, - and _ (123456789:AAH4…), as @BotFather gave it")
            .Validate(o => Uri.TryCreate(o.ApiBaseUrl, UriKind.Absolute, out _), "Telegram:ApiBaseUrl must be an absolute URL")
            .Validate(o => o.Mode != TelegramMode.Webhook || Uri.TryCreate(o.WebhookUrl, UriKind.Absolute, out _),
                "Telegram:WebhookUrl must be an absolute URL in webhook mode (Telegram__WebhookUrl)")
            .Validate(o => o.Mode != TelegramMode.Webhook || (o.WebhookSecret is { Length: >= 1 and <= 256 } secret
                && secret.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')),
                "Telegram:WebhookSecret must be 1-256 characters of A-Z, a-z, 0-9, _ and - in webhook mode (Telegram__WebhookSecret)")
            .Validate(o => o.WebhookMaxConnections is >= 1 and <= 100, "Telegram:WebhookMaxConnections must be between 1 and 100 (Telegram__WebhookMaxConnections)")
            .Validate(o => o.PollTimeout >= TimeSpan.Zero && o.PollTimeout <= TimeSpan.FromSeconds(50), "Telegram:PollTimeout must be between 00:00:00 and 00:00:50")
            .Validate(o => Valid(o.Limits.PrivateChat) && Valid(o.Limits.Group) && Valid(o.Limits.Overall),
                "Telegram:Limits: every rate needs Messages > 0, Per > 00:00:00 and Burst > 0")
            .ValidateOnStart();
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.Section))
            .Validate(o => !string.IsNullOrWhiteSpace(o.ConnectionString), Missing("Database:ConnectionString"))
            .ValidateOnStart();
        services.AddOptions<AdminApiOptions>().Bind(configuration.GetSection(AdminApiOptions.Section))
            .Validate(o => !string.IsNullOrWhiteSpace(o.ApiKey), Missing("AdminApi:ApiKey"))
            .Validate(o => string.IsNullOrWhiteSpace(o.ApiKey) || o.ApiKey.Length >= AdminApiOptions.MinimumKeyLength,
                $"AdminApi:ApiKey must be at least {AdminApiOptions.MinimumKeyLength} characters (AdminApi__ApiKey); a short key can be guessed")
            .Validate(o => o.RateLimit.Requests > 0 && o.RateLimit.Window > TimeSpan.Zero,
                "AdminApi:RateLimit needs Requests > 0 and Window > 00:00:00 (AdminApi__RateLimit__Requests, AdminApi__RateLimit__Window)")
            .ValidateOnStart();
        services.AddOptions<AgencyOptions>().Bind(configuration.GetSection(AgencyOptions.Section)).PostConfigure(o => o.Defaults())
            .Validate(o => !string.IsNullOrWhiteSpace(o.Name), Missing("Agency:Name"))
            .Validate(o => o.InviteLifetime > TimeSpan.Zero, "Agency:InviteLifetime must be positive")
            .Validate(o => AgencyOptions.IsKnownZone(o.TimeZone), "Agency:TimeZone is not a known IANA time zone (e.g. Europe/Paris)")
            .Validate(o => BusinessCalendar.Problem(o.BusinessHours) is null, "Agency:BusinessHours is not like \"Mon-Fri 09:00-18:00\" (parts joined with ';'; empty: always open)")
            .ValidateOnStart();
        services.AddOptions<ConversationOptions>().Bind(configuration.GetSection(ConversationOptions.Section))
            .Validate(o => new[] { o.ProjectChoiceLasts, o.RecipientChoiceLasts, o.StrangerReplyEvery, o.StrangerRetention, o.UpdateRetention }.All(d => d > TimeSpan.Zero),
                "Conversations: ProjectChoiceLasts, RecipientChoiceLasts, StrangerReplyEvery, StrangerRetention and UpdateRetention must be positive")
            .ValidateOnStart();
        services.AddOptions<SlaOptions>().Bind(configuration.GetSection(SlaOptions.Section))
            .Validate(o => o.CheckInterval >= TimeSpan.FromSeconds(1), "Sla:CheckInterval must be at least 00:00:01")
            .Validate(o => o.Remind > TimeSpan.Zero && o.Remind <= o.FirstResponse && o.FirstResponse <= o.Escalate,
                "Sla: expected 0 < Remind <= FirstResponse <= Escalate")
            .ValidateOnStart();
        services.AddOptions<TimeTrackingOptions>().Bind(configuration.GetSection(TimeTrackingOptions.Section)).PostConfigure(o => o.Defaults())
            .Validate(o => o.All.Any() && o.All.Distinct().Count() == o.All.Count(), "TimeTracking: categories must be unique and not empty")
            .Validate(o => o.AccountManagement.Contains(o.Measure.Category), "TimeTracking:Measure:Category must be one of TimeTracking:AccountManagement")
            .Validate(o => o.Measure.SessionGap > TimeSpan.Zero && o.Measure.PerSession >= TimeSpan.Zero && o.Measure.ReadPerMessage >= TimeSpan.Zero
                           && o.Measure.ReadingCharsPerMinute > 0 && o.Measure.Backfill >= TimeSpan.Zero,
                "TimeTracking:Measure: SessionGap and ReadingCharsPerMinute must be positive, the other durations not negative")
            .ValidateOnStart();
        services.AddOptions<AgencyBot.Core.Satisfaction.CsatOptions>().Bind(configuration.GetSection(AgencyBot.Core.Satisfaction.CsatOptions.Section))
            .Validate(o => o.After > TimeSpan.Zero && o.MinInterval > TimeSpan.Zero, "Csat: After and MinInterval must be positive")
            .ValidateOnStart();
        services.AddOptions<AgencyBot.Core.Approvals.ApprovalOptions>().Bind(configuration.GetSection(AgencyBot.Core.Approvals.ApprovalOptions.Section))
            .Validate(o => o.RemindAfter >= 1 && o.MaxReminders >= 0, "Approvals: RemindAfter must be at least 1 (working days), MaxReminders not negative")
            .ValidateOnStart();
        services.AddOptions<DigestOptions>().Bind(configuration.GetSection(DigestOptions.Section))
            .Validate(o => o.Time >= TimeSpan.Zero && o.Time < TimeSpan.FromDays(1), "Digest:Time must be a time of day, e.g. 09:00")
            .Validate(o => o.OverheadTargetPercent is > 0 and <= 100, "Digest:OverheadTargetPercent must be between 0 and 100")
            .Validate(o => o.SilentAfter > TimeSpan.Zero, "Digest:SilentAfter must be positive")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<TelegramOptions>>().Value.Limits);
        return services;
    }

    /// <summary>Every settings failure, checked before the host starts so each is printed as one plain line
    /// rather than logged with a stack trace by the host.</summary>
    /// <summary>The shape the Telegram library accepts: the bot's numeric id, a colon, the secret.</summary>
    private static bool IsTokenShaped(string token) =>
        token.IndexOf(':') is > 0 and <= 16 and var colon && token[..colon].All(char.IsAsciiDigit)
        && token.Length > colon + 1 && token[(colon + 1)..].All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public static IReadOnlyList<string> Problems(IServiceProvider services)
    {
        var problems = new List<string>();
        Check<TelegramOptions>(services, problems);
        Check<DatabaseOptions>(services, problems);
        Check<AdminApiOptions>(services, problems);
        Check<AgencyOptions>(services, problems);
        Check<ConversationOptions>(services, problems);
        Check<SlaOptions>(services, problems);
        Check<TimeTrackingOptions>(services, problems);
        Check<DigestOptions>(services, problems);
        Check<AgencyBot.Core.Satisfaction.CsatOptions>(services, problems);
        Check<AgencyBot.Core.Approvals.ApprovalOptions>(services, problems);
        return problems;
    }

    private static void Check<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>(IServiceProvider services, List<string> problems) where T : class
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
