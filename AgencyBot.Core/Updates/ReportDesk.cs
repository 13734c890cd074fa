using AgencyBot.Core.Agency;
using AgencyBot.Core.Deliverables;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Turns;

namespace AgencyBot.Core.Updates;

/// <summary>
/// /report in a project's topic drafts the client report of the last seven days (today included) now; /report text &lt;id&gt; &lt;text&gt;
/// rewrites a draft; the draft's buttons send it, ask how to edit it, or skip it. Only active staff in the staff chat are
/// obeyed, and a report is sent or skipped once.
/// </summary>
public sealed class ReportDesk(ReportDrafts drafts, IOptions<AgencyOptions> agency, ILogger<ReportDesk> logger)
{
    public const string Usage = "/report drafts the client report of the last 7 days (today included); /report text <report number> <new text> rewrites a draft.";

    public async Task CommandAsync(Turn turn, Message message, Command command, long projectId)
    {
        var (c, t) = turn;
        var member = turn.Member!;
        var words = command.Args.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            var today = agency.Value.DateOf(turn.Now);
            await drafts.DraftAsync(c, t, projectId, today.AddDays(-6), today.AddDays(1), member.Id, turn.Now, message.Id);
            return;
        }
        if (words is ["text", var number, var text] && long.TryParse(number.TrimStart('#'), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            && await drafts.ReviseAsync(c, t, id, projectId, text, member.Id, turn.Now, message.Id))
            return;
        await turn.NoticeAsync(projectId, words is ["text", ..] ? $"No draft report of this project has that number. {Usage}" : Usage, message.Id);
    }

    public async Task HandleButtonAsync(Turn turn, CallbackQuery query)
    {
        var (c, t) = turn;
        var parts = query.Data![ReportDrafts.Prefix.Length..].Split(':');
        if (turn.Member is not { } member || turn.StaffChat is not { } staff || query.Message?.Chat.Id != staff.ChatId || parts.Length != 2
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id) || await ReportStore.FindAsync(c, t, id) is not { } report)
        {
            logger.LogWarning("Refused report button {Data} from {UserId}", query.Data, query.From.Id);
            await turn.RefusePressAsync(query);
            return;
        }
        switch (parts[0])
        {
            case "send" when await drafts.SendAsync(c, t, id, member.Id, turn.Now) is { } chats:
                await turn.AnswerButtonAsync(query, $"Sent to {chats} client chat{(chats == 1 ? "" : "s")}.");
                await turn.NoticeAsync(report.ProjectId, $"📤 Report #{id} sent by {member.Name} to {chats} client chat{(chats == 1 ? "" : "s")}, with its PDF.",
                    query.Message.Id);
                break;
            case "skip" when await ReportDrafts.SkipAsync(c, t, id, member.Id, turn.Now):
                await turn.AnswerButtonAsync(query, "Skipped: nothing was sent.");
                await turn.NoticeAsync(report.ProjectId, $"⏭ Report #{id} skipped by {member.Name}: nothing was sent.", query.Message.Id);
                break;
            case "edit" when report.State == "draft":
                await turn.AnswerButtonAsync(query, null);
                await turn.NoticeAsync(report.ProjectId, $"✏️ Copy the draft, change it, and send it back as: /report text {id} <the new text>", query.Message.Id);
                break;
            case "send" or "skip" or "edit":
                await turn.AnswerButtonAsync(query, $"Already {report.State}.");
                break;
            default:
                await turn.RefusePressAsync(query);
                break;
        }
    }
}
