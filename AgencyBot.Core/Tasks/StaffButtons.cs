using AgencyBot.Core.Agency;
using AgencyBot.Core.Conversations;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Staff;
using AgencyBot.Core.StaffGroup;
using Telegram.Bot.Types.ReplyMarkups;

namespace AgencyBot.Core.Tasks;

/// <summary>
/// The inline buttons under each relayed client message: take it, make a task, tag, close. Callback data is
/// "b:&lt;action&gt;:&lt;message id&gt;[:&lt;tag&gt;]", well within Telegram's 64 bytes; only registered staff pressing in the
/// staff chat are obeyed.
/// </summary>
public sealed class StaffButtons(StaffRelay staffRelay, OutboxStore outbox, IOptions<AgencyOptions> agency,
    AgencyBot.Core.Agency.BusinessCalendar calendar, IOptions<AgencyBot.Core.Agency.SlaOptions> sla, TimeProvider clock, ILogger<StaffButtons> logger)
{
    public const string Prefix = RelayButtons.Prefix;

    private const string SelectMessage = """
        SELECT m.id AS Id, m.text AS Text, m.conversation_id AS ConversationId, c.project_id AS ProjectId
        FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = @Id
        """;

    private const string Take = "UPDATE conversations SET taken_by = @StaffId WHERE id = @Id";

    private const string Close = "UPDATE conversations SET waiting_since = NULL WHERE id = @Id AND waiting_since IS NOT NULL";

    private const string IsBreached = "SELECT breached_at IS NOT NULL FROM conversations WHERE id = @Id AND waiting_since IS NOT NULL";

    private const string InsertTag = """
        INSERT INTO conversation_tags (conversation_id, tag, tagged_at) VALUES (@ConversationId, @Tag, @Now) ON CONFLICT DO NOTHING
        """;

    private sealed record Target(long Id, string? Text, long ConversationId, long ProjectId);

    public async Task HandleAsync(CallbackQuery query, StaffChat staff, IDbConnection c, IDbTransaction t)
    {
        var parts = query.Data![Prefix.Length..].Split(':');
        var member = await StaffStore.FindByTelegramUserAsync(c, t, query.From.Id);
        var target = parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? await c.QuerySingleOrDefaultAsync<Target>(SelectMessage, new { Id = id }, t)
            : null;
        if (member is null || target is null || query.Message?.Chat.Id != staff.ChatId)
        {
            logger.LogWarning("Refused button {Data} from {UserId} in chat {ChatId}", query.Data, query.From.Id, query.Message?.Chat.Id);
            await outbox.RefusePressAsync(c, t, query, byStaff: member is not null);
            return;
        }
        var now = clock.GetUtcNow();
        switch (parts[0])
        {
            case "take":
                await c.ExecuteAsync(Take, new { StaffId = member.Id, Id = target.ConversationId }, t);
                await AnswerAsync(c, t, query, "You took it.");
                await staffRelay.NoticeAsync(c, t, staff, target.ProjectId, $"🙋 {member.Name} is on it.", query.Message.Id);
                break;
            case "task" when await TaskStore.NumberFromMessageAsync(c, t, target.Id) is { } made:
                // A second tap (or a colleague's at the same moment) makes no second task.
                await AnswerAsync(c, t, query, $"Task #{made} was made from this message already.");
                break;
            case "task":
                var title = FirstLine(target.Text) ?? "Client request";
                var task = await TaskStore.CreateAsync(c, t, new NewTask(target.ProjectId, title, target.Text, ResponsibleId: member.Id,
                    SourceMessageId: target.Id, ActorId: member.Id), now);
                await AnswerAsync(c, t, query, $"Task #{task.Number} created.");
                await staffRelay.NoticeAsync(c, t, staff, target.ProjectId, $"📌 #{task.Number} “{task.Title}” created by {member.Name}, who is responsible.", query.Message.Id);
                break;
            case "tag" when parts.Length == 2:
                await AnswerAsync(c, t, query, null);
                var tags = agency.Value.Tags.Take(8).Select((tag, i) => InlineKeyboardButton.WithCallbackData(tag, $"{Prefix}tag:{target.Id}:{i}"));
                await outbox.EnqueueAsync(c, t, staff.ChatId, new SendMessageRequest
                {
                    ChatId = staff.ChatId, Text = "Tag this conversation:", ReplyMarkup = new InlineKeyboardMarkup(tags.Chunk(4)),
                    ReplyParameters = new ReplyParameters { MessageId = query.Message.Id, AllowSendingWithoutReply = true },
                }, new OutboxLink(TopicProjectId: target.ProjectId));
                break;
            case "tag" when int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < agency.Value.Tags.Count:
                var chosen = agency.Value.Tags[index];
                await c.ExecuteAsync(InsertTag, new { target.ConversationId, Tag = chosen, Now = now.ToUnixTimeMilliseconds() }, t);
                await AnswerAsync(c, t, query, $"Tagged “{chosen}”.");
                break;
            case "close":
                // Closing after the promise was broken still leaves the breach in the response log (and the digest).
                var closed = await c.ExecuteScalarAsync<long?>(IsBreached, new { Id = target.ConversationId }, t) == 1
                    ? await CloseBreachedAsync(c, t, target.ConversationId, member.Id, now)
                    : await c.ExecuteAsync(Close, new { Id = target.ConversationId }, t) == 1;
                await AnswerAsync(c, t, query, closed ? "Closed: no answer needed." : "Nothing was waiting.");
                if (closed) await staffRelay.NoticeAsync(c, t, staff, target.ProjectId, $"✔️ Closed by {member.Name}: no answer needed.", query.Message.Id);
                break;
            default:
                await AnswerAsync(c, t, query, "This button has expired.");
                break;
        }
    }

    private async Task<bool> CloseBreachedAsync(IDbConnection c, IDbTransaction t, long conversationId, long staffId, DateTimeOffset now)
    {
        await ConversationStore.CloseWaitingAsync(c, t, conversationId, staffId, now, calendar, sla.Value.FirstResponse);
        return true;
    }

    // Keyed by the presser's id: a callback answer is no post in the staff group and must not spend its budget.
    private Task AnswerAsync(IDbConnection c, IDbTransaction t, CallbackQuery query, string? text) =>
        outbox.AnswerButtonAsync(c, t, query, text);

    private static string? FirstLine(string? text)
    {
        var line = text?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return line is null ? null : line.Length <= 80 ? line : line[..79] + "…";
    }
}
