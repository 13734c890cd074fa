using AgencyBot.Core.Clients;
using AgencyBot.Core.Projects;
using AgencyBot.Core.Satisfaction;
using AgencyBot.Core.StaffGroup;
using AgencyBot.Core.Turns;

namespace AgencyBot.Core.Updates;

/// <summary>A client's tap on 👍 😐 👎 (callback data "csat:&lt;request&gt;:&lt;good|meh|bad&gt;"): the first tap in the chat
/// asked is the rating. A 👎 is told at once in the project's topic and to every manager, with a link to the topic.</summary>
public sealed class RatingDesk(ILogger<RatingDesk> logger)
{
    public async Task HandleButtonAsync(Turn turn, CallbackQuery query)
    {
        var (c, t) = turn;
        var parts = query.Data![Ratings.Prefix.Length..].Split(':');
        var chatId = query.Message?.Chat.Id;
        var language = ClientTexts.Pick(null, query.From.LanguageCode);
        if (chatId is null || parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var requestId)
            || !Ratings.Scores.TryGetValue(parts[1], out var score))
        {
            await turn.RefusePressAsync(query);
            return;
        }
        if (await Ratings.RateAsync(c, t, requestId, chatId.Value, score, query.From.Id, turn.Now) is not { } projectId)
        {
            await turn.AnswerButtonAsync(query, ClientTexts.Get("CsatAlready", language));
            return;
        }
        logger.LogInformation("Chat {ChatId} rated project {ProjectId}: {Score}", chatId, projectId, score);
        await turn.AnswerButtonAsync(query, ClientTexts.Get(score < 0 ? "CsatSorry" : "CsatThanks", language), alert: score < 0);
        var who = ClientChatStore.TitleOf(await ClientChatStore.FindAsync(c, t, chatId.Value), chatId.Value);
        var label = await ProjectStore.LabelAsync(c, t, projectId);
        if (score >= 0)
        {
            await turn.NoticeAsync(projectId, $"{(score > 0 ? "👍" : "😐")} {who} rated the last exchange.");
            return;
        }
        await turn.NoticeAsync(projectId, $"👎 {who} was not happy with the last exchange. Someone should get back to them today.");
        var link = turn.StaffChat is { } staff ? await StaffTopics.LinkAsync(c, t, staff, projectId) : null;
        await turn.TellManagersAsync($"👎 {who} ({label}) was not happy with the last exchange." + (link is null ? "" : $" {link}"));
    }
}
