using AgencyBot.Core.Agency;
using AgencyBot.Core.Conversations;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Turns;
using Telegram.Bot.Types.ReplyMarkups;

namespace AgencyBot.Core.Tasks;

/// <summary>
/// The inline buttons under each relayed client message: take it, make a task, tag, close. Callback data is
/// "b:&lt;action&gt;:&lt;message id&gt;[:&lt;tag&gt;]", well within Telegram's 64 bytes; only registered staff pressing in the
/// staff chat are obeyed.
/// </summary>
public sealed class StaffButtons(IOptions<AgencyOptions> agency, BusinessCalendar calendar, IOptions<SlaOptions> sla, ILogger<StaffButtons> logger)
{
    public const string Prefix = RelayButtons.Prefix;

    public async Task HandleAsync(Turn turn, CallbackQuery query)
    {
        var (c, t) = turn;
        var (staff, member, now) = (turn.StaffChat!, turn.Member, turn.Now);
        var parts = query.Data![Prefix.Length..].Split(':');
        var target = parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? await ConversationStore.MessageOfProjectAsync(c, t, id)
            : null;
        if (member is null || target is null || query.Message?.Chat.Id != staff.ChatId)
        {
            logger.LogWarning("Refused button {Data} from {UserId} in chat {ChatId}", query.Data, query.From.Id, query.Message?.Chat.Id);
            await turn.RefusePressAsync(query);
            return;
        }
        // A press is account-management activity (measured time counts it): it goes on the record, as a note of kind
        // "button" that has no Telegram message of its own.
        await ConversationStore.AddMessageAsync(c, t, new NewMessage(target.ConversationId, Direction.Note, query.From.Id, member.Name, "button",
            $"pressed {parts[0]}", staff.ChatId, 0, null, now));
        switch (parts[0])
        {
            case "take":
                await ConversationStore.TakeAsync(c, t, target.ConversationId, member.Id);
                await turn.AnswerButtonAsync(query, "You took it.");
                await turn.NoticeAsync(target.ProjectId, $"🙋 {member.Name} is on it.", query.Message.Id);
                break;
            case "task" when await TaskStore.NumberFromMessageAsync(c, t, target.Id) is { } made:
                // A second tap (or a colleague's at the same moment) makes no second task.
                await turn.AnswerButtonAsync(query, $"Task #{made} was made from this message already.");
                break;
            case "task":
                var title = FirstLine(target.Text) ?? "Client request";
                var task = await TaskStore.CreateAsync(c, t, new NewTask(target.ProjectId, title, target.Text, ResponsibleId: member.Id,
                    SourceMessageId: target.Id, ActorId: member.Id), now);
                await turn.AnswerButtonAsync(query, $"Task #{task.Number} created.");
                await turn.NoticeAsync(target.ProjectId, $"📌 #{task.Number} “{task.Title}” created by {member.Name}, who is responsible.", query.Message.Id);
                break;
            case "tag" when parts.Length == 2:
                await turn.AnswerButtonAsync(query, null);
                var tags = agency.Value.Tags.Take(8).Select((tag, i) => InlineKeyboardButton.WithCallbackData(tag, $"{Prefix}tag:{target.Id}:{i}"));
                await turn.SendAsync(staff.ChatId, new SendMessageRequest
                {
                    ChatId = staff.ChatId, Text = "Tag this conversation:", ReplyMarkup = new InlineKeyboardMarkup(tags.Chunk(4)),
                    ReplyParameters = new ReplyParameters { MessageId = query.Message.Id, AllowSendingWithoutReply = true },
                }, new OutboxLink(TopicProjectId: target.ProjectId));
                break;
            case "tag" when int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < agency.Value.Tags.Count:
                var chosen = agency.Value.Tags[index];
                await ConversationStore.TagAsync(c, t, target.ConversationId, chosen, now);
                await turn.AnswerButtonAsync(query, $"Tagged “{chosen}”.");
                break;
            case "close":
                var closed = await ConversationStore.CloseUnansweredAsync(c, t, target.ConversationId, member.Id, now, calendar, sla.Value.FirstResponse);
                await turn.AnswerButtonAsync(query, closed ? "Closed: no answer needed." : "Nothing was waiting.");
                if (closed) await turn.NoticeAsync(target.ProjectId, $"✔️ Closed by {member.Name}: no answer needed.", query.Message.Id);
                break;
            default:
                await turn.AnswerButtonAsync(query, "This button has expired.");
                break;
        }
    }

    private static string? FirstLine(string? text)
    {
        var line = text?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return line is null ? null : line.Length <= 80 ? line : line[..79] + "…";
    }
}
