using System.Text.RegularExpressions;
using AgencyBot.Core.Clients;

namespace AgencyBot.Core.SavedAnswers;

/// <summary>What fills a saved answer's placeholders for one client chat.</summary>
public sealed record Placeholders(string Name, string Project, string Agency, string Me);

/// <summary>
/// A saved answer as one client reads it: in their language (the project's, else their Telegram app's, else English;
/// a shortcut without that language falls back to English, then to any), with {name} (the client's first name),
/// {project}, {agency} and {me} (who sends it) filled in.
/// </summary>
public static partial class SavedAnswerText
{
    public static readonly IReadOnlyList<string> Known = ["name", "project", "agency", "me"];

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex Placeholder();

    /// <summary>The placeholders a text uses that are not known (a saved answer with one is refused).</summary>
    public static IReadOnlyList<string> Unknown(string text) =>
        [.. Placeholder().Matches(text).Select(m => m.Groups[1].Value).Where(p => !Known.Contains(p)).Distinct()];

    public static string Render(SavedAnswer answer, string language, Placeholders fill)
    {
        var text = answer.Texts.GetValueOrDefault(language) ?? answer.Texts.GetValueOrDefault("en") ?? answer.Texts.Values.First();
        return Placeholder().Replace(text, m => m.Groups[1].Value switch
        {
            "name" => fill.Name,
            "project" => fill.Project,
            "agency" => fill.Agency,
            "me" => fill.Me,
            _ => m.Value,
        });
    }

    /// <summary>A chat's language for a project: the project's own, else the chat's Telegram language.</summary>
    public static string LanguageOf(string? projectLanguage, ClientChat? chat) => ClientTexts.Pick(projectLanguage, chat?.LanguageCode);
}
