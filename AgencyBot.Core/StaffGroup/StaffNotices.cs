using AgencyBot.Core.Clients;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Projects;
using Telegram.Bot.Types.Enums;
using Telegram.Bot.Types.ReplyMarkups;

namespace AgencyBot.Core.StaffGroup;

/// <summary>Posts into the staff chat, in a project's topic when it has topics: the bot's own notices, and the relays
/// of what clients write (<see cref="PostAsync"/>), split into as many messages as Telegram's length limit needs.</summary>
public sealed class StaffNotices(OutboxStore outbox, StaffChatStore staffChats)
{
    /// <summary>A line into a project's topic (or the staff group) from the bot itself. Notices queue behind client
    /// messages (their own lane, lowest priority), and plain ones share a post with the notices queued behind them.</summary>
    public Task NoticeAsync(IDbConnection c, IDbTransaction t, StaffChat staff, long projectId, string text, int? replyTo = null, bool html = false,
        InlineKeyboardMarkup? buttons = null) =>
        PostAsync(c, t, staff.ChatId, FormattedText.Plain(text),
            new OutboxLink(TopicProjectId: projectId, Notice: true, Mergeable: replyTo is null && !html && buttons is null), replyTo, html, buttons);

    /// <summary>The first line of a project's topic (also what opens the topic of a project that has none at start-up).</summary>
    public static string TopicOpening(string label, int? tasks = null, string? template = null) =>
        $"📁 {label}: this is the project's topic. What its clients write comes here" +
        (tasks is > 0 ? $"; {tasks} {(tasks == 1 ? "task" : "tasks")} from {(template is null ? "its template" : $"the template {template}")}." : ".");

    /// <summary>Reports a client chat that blocked the bot, once, into each of its projects' topics.</summary>
    public async Task ReportBlockedChatAsync(IDbConnection c, IDbTransaction t, long chatId)
    {
        if (await staffChats.GetAsync(c, t) is not { } staff || staff.ChatId == chatId) return;
        var chat = await ClientChatStore.FindAsync(c, t, chatId);
        foreach (var project in await ChatBindingStore.ProjectsOfChatAsync(c, t, chatId))
            await NoticeAsync(c, t, staff, project.ProjectId,
                $"⛔ {ClientChatStore.TitleOf(chat, chatId)} blocked the bot: answers can no longer reach this chat until they write again.");
    }

    /// <summary>A formatted text into the staff chat, the buttons under its first part.</summary>
    public async Task PostAsync(IDbConnection c, IDbTransaction t, long to, FormattedText text, OutboxLink link, int? replyTo = null, bool html = false,
        InlineKeyboardMarkup? buttons = null)
    {
        var parts = text.Split();
        for (var i = 0; i < parts.Count; i++)
            await outbox.EnqueueAsync(c, t, to, new SendMessageRequest
            {
                ChatId = to, Text = parts[i].Text, Entities = parts[i].Entities.Count > 0 ? [.. parts[i].Entities] : null,
                ParseMode = html ? ParseMode.Html : ParseMode.None,
                ReplyParameters = replyTo is { } id ? new ReplyParameters { MessageId = id, AllowSendingWithoutReply = true } : null,
                ReplyMarkup = i == 0 ? buttons : null,
            }, link);
    }
}
