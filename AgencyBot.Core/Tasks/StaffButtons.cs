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
public sealed partial class StaffButtons(IOptions<AgencyOptions> agency, BusinessCalendar calendar, IOptions<SlaOptions> sla, OutboxStore outbox,
    ILogger<StaffButtons> logger)
{
    public const string Prefix = RelayButtons.Prefix;

    public async Task HandleAsync(Turn turn, CallbackQuery query)
    {
        var (c, t) = turn;
        var (staff, member, now) = (turn.StaffChat!, turn.Member, turn.Now);
        var parts = query.Data![Prefix.Length..].Split(':');
        var target = await TargetAsync(c, t, query.Data);
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
                await Reactions.OnLastClientMessageAsync(c, t, outbox, target.ConversationId, Reactions.Taken); // 👀: the client sees someone is on it
                await turn.AnswerButtonAsync(query, "You took it.");
                await turn.NoticeAsync(target.ProjectId, $"🙋 {member.Name} is on it.", query.Message.Id);
                break;
            case "task" when await TaskStore.NumberFromMessageAsync(c, t, target.Id) is { } made:
                // A second tap (or a colleague's at the same moment) makes no second task.
                await turn.AnswerButtonAsync(query, $"Task #{made} was made from this message already.");
                break;
            case "task":
                var title = TitleOf(target.Text);
                var task = await TaskStore.CreateAsync(c, t, new NewTask(target.ProjectId, title, target.Text, ResponsibleId: member.Id,
                    SourceMessageId: target.Id, ActorId: member.Id), now);
                await turn.AnswerButtonAsync(query, $"Task #{task.Number} created.");
                await turn.NoticeAsync(target.ProjectId, $"📌 #{task.Number} “{task.Title}” created by {member.Name}, who is responsible " +
                    $"(the client's message is its description). A better title: /title #{task.Number} <title>", query.Message.Id);
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

    /// <summary>The recorded message a press is about ("b:&lt;action&gt;:&lt;message id&gt;…") with its project, or null when
    /// the data names none. The press acts on that project whatever message the button was under (callback data can be
    /// forged), so the write scope reads it here too.</summary>
    public static async Task<MessageOfProject?> TargetAsync(IDbConnection c, IDbTransaction t, string data)
    {
        var parts = data[Prefix.Length..].Split(':');
        return parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? await ConversationStore.MessageOfProjectAsync(c, t, id)
            : null;
    }

    /// <summary>A task's title from a client's message: its first sentence without the greeting ("Hi Marie, could you
    /// …"), cut at a word before 60 characters. The whole message stays the description.</summary>
    internal static string TitleOf(string? text)
    {
        // A greeting alone on the first line ("Hello!") leaves the request on the next one.
        var line = (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select((l, i) => i == 0 ? Greeting().Replace(l, "") : l).FirstOrDefault(l => l.Length > 0);
        if (line is null) return "Client request";
        if (SentenceEnd().Match(line) is { Success: true, Index: > 10 } end) line = line[..(end.Index + 1)];
        line = line.TrimEnd('.', ' ');
        if (line.Length > 60) line = (line.LastIndexOf(' ', 59) is > 20 and var space ? line[..space] : line[..59]).TrimEnd(',', ';', ':') + "…";
        return line.Length == 0 ? "Client request" : char.ToUpper(line[0], CultureInfo.InvariantCulture) + line[1..];
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(hi|hello|hey|dear|good (morning|afternoon|evening)|bonjour|salut|coucou|bonsoir)\b[^,!.:]{0,30}[,!.:]?\s*",
        System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex Greeting();

    [System.Text.RegularExpressions.GeneratedRegex(@"[.?!](\s|$)")]
    private static partial System.Text.RegularExpressions.Regex SentenceEnd();
}
