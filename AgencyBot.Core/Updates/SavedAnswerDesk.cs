using AgencyBot.Core.Agency;
using AgencyBot.Core.Conversations;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.SavedAnswers;
using AgencyBot.Core.Turns;

namespace AgencyBot.Core.Updates;

/// <summary>Saved answers in the staff chat: /saved lists them, /r &lt;shortcut&gt; sends one (as an answer, see
/// <see cref="StaffAnswers.SendSavedAsync"/>), /saved &lt;shortcut&gt; &lt;language&gt; &lt;text&gt; saves one (managers and
/// assistants), /saved &lt;shortcut&gt; delete takes it away.</summary>
public sealed partial class SavedAnswerDesk(StaffAnswers answers, IOptions<AgencyOptions> agency, ILogger<SavedAnswerDesk> logger)
{
    public async Task SendAsync(Turn turn, Message message, AnswerTarget target, Command command)
    {
        var shortcut = command.Args.Split(' ', 2)[0];
        if (shortcut.Length == 0)
        {
            await turn.ReplyAsync(message, $"{BotCommands.Usage("r")}\n\n{await ListAsync(turn)}");
            return;
        }
        if (await SavedAnswerStore.FindAsync(turn.Connection, turn.Transaction, shortcut) is not { } saved)
        {
            await turn.ReplyAsync(message, $"There is no saved answer “{shortcut}”. Nothing was sent.\n\n{await ListAsync(turn)}");
            return;
        }
        await answers.SendSavedAsync(turn, message, target, saved, agency.Value.Name);
    }

    /// <summary>/saved, /saved &lt;shortcut&gt; &lt;en|fr&gt; &lt;text&gt;, /saved &lt;shortcut&gt; delete.</summary>
    public async Task ManageAsync(Turn turn, Message message, Command command)
    {
        var (c, t) = turn;
        var parts = command.Args.Split([' ', '\n'], 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            await turn.ReplyAsync(message, await ListAsync(turn));
            return;
        }
        if (turn.Member!.Role == Staff.StaffRole.Employee)
        {
            await turn.ReplyAsync(message, "Only managers and assistants change saved answers.");
            return;
        }
        var shortcut = parts[0].ToLowerInvariant();
        if (!IsShortcut(shortcut))
        {
            await turn.ReplyAsync(message, "A shortcut is 1-32 letters, digits, - or _.");
            return;
        }
        if (parts is [_, "delete"])
        {
            var deleted = await SavedAnswerStore.DeleteAsync(c, t, shortcut, turn.Member.Id, turn.Now);
            await turn.ReplyAsync(message, deleted ? $"🗑 “{shortcut}” is no longer a saved answer." : $"There is no saved answer “{shortcut}”.");
            return;
        }
        if (parts.Length < 3 || !Clients.ClientTexts.Languages.Contains(parts[1]) || SavedAnswerText.Unknown(parts[2]) is [_, ..])
        {
            await turn.ReplyAsync(message, $"{BotCommands.Usage("saved")}\nPlaceholders: {string.Join(", ", SavedAnswerText.Known.Select(p => $"{{{p}}}"))}.");
            return;
        }
        var texts = (await SavedAnswerStore.FindAsync(c, t, shortcut))?.Texts.ToDictionary() ?? [];
        texts[parts[1]] = parts[2].Trim();
        await SavedAnswerStore.SaveAsync(c, t, shortcut, texts, turn.Member.Id, turn.Now);
        logger.LogInformation("Staff {StaffId} saved the answer {Shortcut} in {Language}", turn.Member.Id, shortcut, parts[1]);
        await turn.ReplyAsync(message, $"💾 Saved “{shortcut}” in {parts[1]}: /r {shortcut} sends it.");
    }

    /// <summary>
    /// Inline mode (@bot words, in any chat): active staff find saved answers by shortcut or words, one result per
    /// language. Sent in a project's topic, it is an answer like any other, its {name} and {project} filled per client.
    /// Anyone else finds nothing: a client never sees the agency's saved answers.
    /// </summary>
    public async Task InlineAsync(Turn turn, InlineQuery query)
    {
        IEnumerable<Telegram.Bot.Types.InlineQueryResults.InlineQueryResult> results = [];
        if (turn.Member is { } member)
        {
            var words = query.Query.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            results = (await SavedAnswerStore.AllAsync(turn.Connection, turn.Transaction))
                .SelectMany(a => a.Texts.Select(text => (a.Shortcut, Language: text.Key, Text: text.Value)))
                .Where(a => words.All(w => a.Shortcut.Contains(w, StringComparison.OrdinalIgnoreCase) || a.Text.Contains(w, StringComparison.OrdinalIgnoreCase)))
                .Take(20)
                .Select(a => new Telegram.Bot.Types.InlineQueryResults.InlineQueryResultArticle(
                    $"{a.Shortcut}:{a.Language}", $"{a.Shortcut} ({a.Language})",
                    new Telegram.Bot.Types.InlineQueryResults.InputTextMessageContent(
                        Placeholders().Replace(a.Text, m => m.Groups[1].Value switch { "me" => member.FirstName, "agency" => agency.Value.Name, _ => m.Value })))
                {
                    Description = Clip(a.Text),
                });
        }
        else logger.LogInformation("Inline query from {UserId}, who is not active staff: no saved answers shown", query.From.Id);
        // Personal and not cached: what one person may see is not shown to another.
        await turn.SendAsync(query.From.Id, new AnswerInlineQueryRequest { InlineQueryId = query.Id, Results = [.. results], CacheTime = 0, IsPersonal = true });
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\{(\w+)\}")]
    private static partial System.Text.RegularExpressions.Regex Placeholders();

    public static bool IsShortcut(string text) => text.Length is > 0 and <= 32 && text.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_');

    private static async Task<string> ListAsync(Turn turn)
    {
        var all = await SavedAnswerStore.AllAsync(turn.Connection, turn.Transaction);
        if (all.Count == 0) return "No saved answers yet. /saved <shortcut> <en|fr> <text> saves one.";
        return "Saved answers:\n" + string.Join("\n", all.Take(50).Select(a =>
            $"• /r {a.Shortcut} ({string.Join(", ", a.Texts.Keys)}): {Clip(a.Texts.GetValueOrDefault("en") ?? a.Texts.Values.First())}"));
    }

    private static string Clip(string text)
    {
        var line = text.Split('\n')[0];
        return line.Length <= 60 ? line : line[..59] + "…";
    }
}
