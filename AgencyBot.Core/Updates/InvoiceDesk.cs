using AgencyBot.Core.Agency;
using AgencyBot.Core.Budgets;
using AgencyBot.Core.Clients;
using AgencyBot.Core.Conversations;
using AgencyBot.Core.Deliverables;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Projects;
using AgencyBot.Core.TimeTracking;
using AgencyBot.Core.Turns;

namespace AgencyBot.Core.Updates;

/// <summary>
/// /invoice in a project's topic, as the caption of a document or photo, or as a reply to one: the file goes to every
/// client chat of the project (as any answer does, delivery tracked), is recorded on the project, and its preparation
/// counts as invoice time: for a file posted first (a // note) and sent later with /invoice as a reply, the time from the
/// one to the other, at most TimeTracking:InvoiceCost; for a file sent at once, TimeTracking:InvoiceCost.
/// </summary>
public sealed class InvoiceDesk(StaffAnswers answers, BudgetAlerts alerts, IOptions<TimeTrackingOptions> time, IOptions<AgencyOptions> agency,
    ILogger<InvoiceDesk> logger)
{
    public const string Usage = "/invoice goes with the invoice: as the caption of a document or photo, or as a reply to one (/invoice [note]).";

    public async Task SendAsync(Turn turn, Message message, Command command, AnswerTarget target)
    {
        var (c, t) = turn;
        var member = turn.Member!;
        var file = HasFile(message) ? message : message.ReplyToMessage is { } replied && HasFile(replied) && !replied.IsTopicStart() ? replied : null;
        if (file is null)
        {
            await turn.NoticeAsync(target.ProjectId, Usage, message.Id);
            return;
        }
        var chats = await ChatBindingStore.ReachableChatsOfProjectAsync(c, t, target.ProjectId);
        if (chats.Count == 0)
        {
            await turn.NoticeAsync(target.ProjectId, "⚠️ Not sent: this project has no client chat that can receive it.", message.Id);
            return;
        }
        var language = await ReportDrafts.LanguageAsync(c, t, target.ProjectId);
        var caption = command.Args.Length > 0 ? $"🧾 {command.Args}" : ClientTexts.Get("InvoiceCaption", language, agency.Value.Name);
        await answers.HandleAsync(turn, file, new AnswerTarget(target.ProjectId, null), FormattedText.Plain(caption));
        await DocumentStore.AddAsync(c, t, target.ProjectId, DocumentKind.Invoice, member.Id, command.Args.Length > 0 ? command.Args : null, chats.Count, turn.Now);
        var cost = time.Value.InvoiceCost.TotalMinutes;
        var minutes = (int)(file == message ? cost : Math.Clamp(Math.Round((message.Date - file.Date).TotalMinutes), 1, cost));
        await TimeEntryStore.AddAsync(c, t, new NewTimeEntry(target.ProjectId, member.Id, minutes, time.Value.AccountCategory("invoice"), "invoice sent with /invoice",
            agency.Value.DateOf(turn.Now), TimeSource.Invoice), turn.Now);
        await alerts.CheckAsync(c, t, target.ProjectId, turn.Now);
        logger.LogInformation("Staff {StaffId}: invoice sent on project {ProjectId} to {Chats} chats", member.Id, target.ProjectId, chats.Count);
        await turn.NoticeAsync(target.ProjectId,
            $"🧾 Invoice sent to {chats.Count} client chat{(chats.Count == 1 ? "" : "s")} and recorded; {Durations.Format(minutes)} of invoice time counted for {member.Name}.",
            message.Id);
    }

    private static bool HasFile(Message message) => message.Document is not null || message.Photo is { Length: > 0 };
}
