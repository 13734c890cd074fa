using System.Text.Json.Nodes;
using AgencyBot.Core.Agency;
using AgencyBot.Core.Budgets;
using AgencyBot.Core.Clients;
using AgencyBot.Core.Data;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Projects;
using AgencyBot.Core.StaffGroup;
using AgencyBot.Core.TimeTracking;
using Telegram.Bot.Types.ReplyMarkups;

namespace AgencyBot.Core.Deliverables;

/// <summary>
/// Client reports from draft to client. The bot drafts one (every week or month for a project that asks, or now with
/// /report) and posts it in the project's topic with Send, Edit and Skip. Send delivers it to every client chat of the
/// project as a message plus a PDF copy, records it, and counts the staff time from draft to send as report time
/// (at most TimeTracking:ReportCost); Skip sends nothing. Either happens once, whoever presses twice.
/// </summary>
public sealed class ReportDrafts(Database database, ReportWriter writer, StaffChatStore staffChats, StaffNotices notices, OutboxStore outbox,
    BudgetAlerts alerts, IOptions<TimeTrackingOptions> time, IOptions<AgencyOptions> agency, TimeProvider clock, ILogger<ReportDrafts> logger)
{
    /// <summary>Callback data of the draft's buttons: "rp:&lt;send|edit|skip&gt;:&lt;report id&gt;".</summary>
    public const string Prefix = "rp:";

    /// <summary>Drafts a report and posts it in the topic; null when a scheduled one of this period exists already.</summary>
    public async Task<long?> DraftAsync(IDbConnection c, IDbTransaction t, long projectId, DateOnly from, DateOnly to, long? by, DateTimeOffset now,
        int? replyTo = null)
    {
        var language = await LanguageAsync(c, t, projectId);
        var text = await writer.WriteAsync(c, t, projectId, from, to, language, now);
        if (await ReportStore.DraftAsync(c, t, projectId, from, to, language, text.Whole, by, now) is not { } id) return null;
        await PostAsync(c, t, projectId, id, text.Whole, replyTo);
        logger.LogInformation("Client report {ReportId} drafted for project {ProjectId} ({From:yyyy-MM-dd}–{To:yyyy-MM-dd})", id, projectId, from, to);
        return id;
    }

    /// <summary>Staff rewrote the draft: the new text is a new version, shown again with the buttons.</summary>
    public async Task<bool> ReviseAsync(IDbConnection c, IDbTransaction t, long reportId, long projectId, string text, long by, DateTimeOffset now, int replyTo)
    {
        if (await ReportStore.FindAsync(c, t, reportId) is not { State: "draft" } report || report.ProjectId != projectId) return false;
        await ReportStore.AddTextAsync(c, t, reportId, text, by, now);
        await PostAsync(c, t, projectId, reportId, text, replyTo);
        return true;
    }

    /// <summary>Sends the report to every client chat of its project; the number of chats, or null when it was decided already.</summary>
    public async Task<int?> SendAsync(IDbConnection c, IDbTransaction t, long reportId, long staffId, DateTimeOffset now)
    {
        if (await ReportStore.FindAsync(c, t, reportId) is not { } report || !await ReportStore.DecideAsync(c, t, reportId, "sent", staffId, now)) return null;
        var chats = await ChatBindingStore.ReachableChatsOfProjectAsync(c, t, report.ProjectId);
        var title = report.Text.Split('\n')[0];
        var pdf = await AttachmentStore.AddAsync(c, t, $"report-{report.PeriodFrom}.pdf", "application/pdf",
            ReportPdf.Of(title, report.Text[title.Length..].TrimStart('\n')), now);
        foreach (var chat in chats)
        {
            await outbox.EnqueueTextAsync(c, t, chat.ChatId, report.Text);
            // The PDF is uploaded from the database when the row is sent (see TelegramMessenger).
            var document = new JsonObject
            {
                ["chat_id"] = chat.ChatId, ["attachment_id"] = pdf, ["caption"] = ClientTexts.Get("ReportPdfCaption", report.Language),
            };
            await outbox.EnqueueRawAsync(c, t, chat.ChatId, "sendDocument", document.ToJsonString());
        }
        await DocumentStore.AddAsync(c, t, report.ProjectId, DocumentKind.Report, staffId, $"{report.PeriodFrom}–{report.PeriodTo}", chats.Count, now);
        var spent = now - DateTimeOffset.FromUnixTimeMilliseconds(report.DraftedAt);
        var minutes = (int)Math.Clamp(Math.Round(spent.TotalMinutes), 1, time.Value.ReportCost.TotalMinutes);
        await TimeEntryStore.AddAsync(c, t, new NewTimeEntry(report.ProjectId, staffId, minutes, time.Value.AccountCategory("report"), "client report sent",
            agency.Value.DateOf(now), TimeSource.Report), now);
        await alerts.CheckAsync(c, t, report.ProjectId, now);
        return chats.Count;
    }

    /// <summary>Skips the report: nothing is sent. False when it was decided already.</summary>
    public static Task<bool> SkipAsync(IDbConnection c, IDbTransaction t, long reportId, long staffId, DateTimeOffset now) =>
        ReportStore.DecideAsync(c, t, reportId, "skipped", staffId, now);

    /// <summary>Drafts the reports that are due today (weekly ones on Mondays, monthly ones on the 1st) and not drafted
    /// yet; returns how many. Runs at the digest's hour and every quarter hour after it, so a missed run is made good.</summary>
    public async Task<int> DraftScheduledAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var today = agency.Value.DateOf(now);
        // Most days no cadence is due: the whole database is not taken (on PostgreSQL) just to find that out.
        if (PeriodEnding(today, "weekly") is null && PeriodEnding(today, "monthly") is null) return 0;
        return await database.WriteAsync(async (c, t) =>
        {
            var drafted = 0;
            foreach (var (projectId, every) in await ProjectStore.ReportedAsync(c, t))
                if (PeriodEnding(today, every) is { } p && await DraftAsync(c, t, projectId, p.From, p.To, null, now) is not null) drafted++;
            return drafted;
        }, ct);
    }

    /// <summary>The period a report of cadence <paramref name="every"/> covers when it is due <paramref name="today"/>
    /// (weekly ones on Mondays, monthly ones on the 1st), else null.</summary>
    private static (DateOnly From, DateOnly To)? PeriodEnding(DateOnly today, string every) => every switch
    {
        "weekly" when today.DayOfWeek == DayOfWeek.Monday => (today.AddDays(-7), today),
        "monthly" when today.Day == 1 => (today.AddMonths(-1), today),
        _ => null,
    };

    private async Task PostAsync(IDbConnection c, IDbTransaction t, long projectId, long reportId, string text, int? replyTo)
    {
        if (await staffChats.GetAsync(c, t) is not { } staff)
        {
            logger.LogWarning("Client report {ReportId} drafted, but no staff chat is set up to show it in", reportId);
            return;
        }
        var buttons = new InlineKeyboardMarkup([[
            InlineKeyboardButton.WithCallbackData("📤 Send", $"{Prefix}send:{reportId}"),
            InlineKeyboardButton.WithCallbackData("✏️ Edit", $"{Prefix}edit:{reportId}"),
            InlineKeyboardButton.WithCallbackData("⏭ Skip", $"{Prefix}skip:{reportId}")]]);
        await notices.NoticeAsync(c, t, staff, projectId, $"📋 Client report #{reportId}, a draft: nothing goes to the client until someone presses Send.\n\n{text}",
            replyTo, buttons: buttons);
    }

    /// <summary>The language one text for all of a project's clients is written in (a report, an invoice's caption):
    /// the project's, else its first client chat's, else English.</summary>
    public static async Task<string> LanguageAsync(IDbConnection c, IDbTransaction t, long projectId)
    {
        var chats = await ChatBindingStore.ReachableChatsOfProjectAsync(c, t, projectId);
        var first = chats.Count > 0 ? await ClientChatStore.FindAsync(c, t, chats[0].ChatId) : null;
        return ClientTexts.Pick((await ProjectStore.SettingsAsync(c, t, projectId))?.Language, first?.LanguageCode);
    }
}
