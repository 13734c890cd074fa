using System.Resources;

namespace AgencyBot.Core.Clients;

/// <summary>Every text a client reads, from ClientTexts.resx (English) and ClientTexts.fr.resx (French).
/// Adding a language is adding a ClientTexts.&lt;code&gt;.resx file.</summary>
public static class ClientTexts
{
    private static readonly ResourceManager Resources = new("AgencyBot.Core.Clients.ClientTexts", typeof(ClientTexts).Assembly);

    /// <summary>The languages there are texts in; English is also the default for every other.</summary>
    public static readonly IReadOnlyList<string> Languages = ["en", "fr"];

    public static string Get(string key, string? language, params object[] args)
    {
        var culture = Culture(language);
        var text = Resources.GetString(key, culture) ?? throw new KeyNotFoundException($"No client text '{key}'");
        return args.Length == 0 ? text : string.Format(culture, text, args);
    }

    /// <summary>The language to answer in: the project's override, else the client's Telegram language, else English.</summary>
    public static string Pick(string? projectLanguage, string? telegramLanguage) =>
        Supported(projectLanguage) ?? Supported(telegramLanguage) ?? "en";

    private static string? Supported(string? code)
    {
        if (string.IsNullOrWhiteSpace(code)) return null;
        var primary = code.Split('-', '_')[0].ToLowerInvariant();
        return Languages.Contains(primary) ? primary : null;
    }

    /// <summary>"We're offline until Monday 09:00 (Paris time)…", in the client's language.</summary>
    public static string OutOfHours(DateTimeOffset now, DateTimeOffset opens, TimeZoneInfo zone, string language)
    {
        var culture = Culture(language);
        var localNow = TimeZoneInfo.ConvertTime(now, zone).Date;
        var local = TimeZoneInfo.ConvertTime(opens, zone);
        var time = local.ToString("HH:mm", CultureInfo.InvariantCulture);
        var when = (local.Date - localNow).Days switch
        {
            0 => time,
            1 => $"{Get("Tomorrow", language)} {time}",
            _ => $"{culture.DateTimeFormat.GetDayName(local.DayOfWeek)} {time}",
        };
        if (language == "en") when = char.ToUpperInvariant(when[0]) + when[1..];
        var city = Agency.BusinessCalendar.CityOf(zone);
        return Get("OutOfHours", language, when, city);
    }

    private static CultureInfo Culture(string? language) =>
        CultureInfo.GetCultureInfo(Supported(language) == "fr" ? "fr-FR" : "en-GB");
}
