using AgencyBot.Core.Approvals;
using AgencyBot.Core.Clients;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Projects;
using AgencyBot.Core.Tasks;
using AgencyBot.Core.Turns;
using Telegram.Bot.Types.ReplyMarkups;

namespace AgencyBot.Core.Updates;

/// <summary>
/// Approvals: /approve &lt;#task&gt; [text] as a reply to a deliverable in the topic sends it to the project's clients
/// with ✅ Approve / ✏️ Request changes; the task waits for the client meanwhile. The first tap decides, on the record
/// with who and when; a request for changes takes the client's next message as its comment. Callback data
/// "ap:&lt;approval&gt;:&lt;ok|ch&gt;", obeyed only in a chat of that project.
/// </summary>
public sealed class ApprovalDesk(ILogger<ApprovalDesk> logger)
{
    public const string Prefix = "ap:";

    public async Task RequestAsync(Turn turn, Message command, long projectId)
    {
        var (c, t) = turn;
        var member = turn.Member!;
        var args = MessageContent.FormattedOf(command)!.AfterFirstWord().Text;
        if (!TaskRef.TrySplit(args, out var number, out var text) || command.ReplyToMessage is not { } deliverable || deliverable.IsTopicStart()
            || (MessageContent.FileOf(deliverable) is null && MessageContent.TextOf(deliverable)?.Contains("http", StringComparison.OrdinalIgnoreCase) != true))
        {
            await turn.ReplyAsync(command, $"{BotCommands.Usage("approve")}\nAnswer it to the deliverable (a file, a photo or a link). Nothing was sent.");
            return;
        }
        if (await TaskStore.FindAsync(c, t, projectId, number) is not { } task || task.StaffOnly)
        {
            await turn.ReplyAsync(command, $"There is no task #{number} the client can see in this project. Nothing was sent.");
            return;
        }
        var chats = await ChatBindingStore.ReachableChatsOfProjectAsync(c, t, projectId);
        if (chats.Count == 0)
        {
            await turn.ReplyAsync(command, "This project has no client chat to ask. Nothing was sent.");
            return;
        }
        var id = await ApprovalStore.AddAsync(c, t, projectId, task.Id, text.Length == 0 ? null : text, deliverable.Chat.Id, deliverable.Id, member.Id, turn.Now);
        var language = (await ProjectStore.SettingsAsync(c, t, projectId))?.Language;
        foreach (var chat in chats)
        {
            var lang = ClientTexts.Pick(language, (await ClientChatStore.FindAsync(c, t, chat.ChatId))?.LanguageCode);
            // Its caption is the task's title: whatever staff wrote under it in the topic (a // note) stays there.
            await turn.SendAsync(chat.ChatId, new CopyMessageRequest
            {
                ChatId = chat.ChatId, FromChatId = deliverable.Chat.Id, MessageId = deliverable.Id,
                Caption = MessageContent.FileOf(deliverable) is null ? null : task.Title,
            });
            await turn.SendAsync(chat.ChatId, new SendMessageRequest
            {
                ChatId = chat.ChatId,
                Text = ClientTexts.Get("ApprovalRequest", lang, task.Title) + (text.Length > 0 ? $"\n\n{text}" : ""),
                ReplyMarkup = new InlineKeyboardMarkup([[
                    InlineKeyboardButton.WithCallbackData(ClientTexts.Get("ApprovalOk", lang), $"{Prefix}{id}:ok"),
                    InlineKeyboardButton.WithCallbackData(ClientTexts.Get("ApprovalChanges", lang), $"{Prefix}{id}:ch")]]),
            });
        }
        await TaskStore.SetStatusAsync(c, t, task.Id, TaskState.WaitingForClient, member.Id, turn.Now);
        await TaskStore.EventAsync(c, t, task.Id, member.Id, "approval_requested", $"approval {id}", turn.Now);
        logger.LogInformation("Staff {StaffId} asked for approval {ApprovalId} of task {TaskId}", member.Id, id, task.Id);
        await turn.NoticeAsync(projectId, $"📤 #{task.Number} “{task.Title}” went to {string.Join(", ", chats.Select(ch => ch.Title))} for approval. " +
            "It waits for the client meanwhile.", command.Id);
    }

    public async Task HandleButtonAsync(Turn turn, CallbackQuery query)
    {
        var (c, t) = turn;
        var parts = query.Data![Prefix.Length..].Split(':');
        var chatId = query.Message?.Chat.Id;
        var approval = parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? await ApprovalStore.FindAsync(c, t, id) : null;
        var projects = chatId is { } chat ? await ChatBindingStore.ProjectsOfChatAsync(c, t, chat) : [];
        var language = ClientTexts.Pick(projects.FirstOrDefault()?.Language, query.From.LanguageCode);
        if (approval is null || parts[1] is not ("ok" or "ch") || projects.All(p => p.ProjectId != approval.ProjectId))
        {
            logger.LogWarning("Refused approval button {Data} in chat {ChatId}", query.Data, chatId);
            await turn.AnswerButtonAsync(query, ClientTexts.Get("ButtonExpired", language));
            return;
        }
        var approved = parts[1] == "ok";
        var who = MessageContent.SenderName(query.From);
        if (!await ApprovalStore.DecideAsync(c, t, approval.Id, approved, chatId!.Value, query.From.Id, who, turn.Now))
        {
            await turn.AnswerButtonAsync(query, ClientTexts.Get("ApprovalDecided", language));
            return;
        }
        logger.LogInformation("Approval {ApprovalId}: {Decision} by {UserId} in chat {ChatId}", approval.Id, approved ? "approved" : "changes", query.From.Id, chatId);
        await TaskStore.SetStatusAsync(c, t, approval.TaskId, TaskState.InProgress, null, turn.Now);
        await TaskStore.EventAsync(c, t, approval.TaskId, null, approved ? "approved" : "changes_requested", $"{who}, approval {approval.Id}", turn.Now);
        if (approved)
        {
            await turn.AnswerButtonAsync(query, ClientTexts.Get("ApprovalThanks", language));
            await turn.NoticeAsync(approval.ProjectId, $"✅ {who} approved #{approval.TaskNumber} “{approval.TaskTitle}”.");
            return;
        }
        await turn.AnswerButtonAsync(query, null);
        await turn.SendAsync(chatId.Value, ClientTexts.Get("ApprovalWhatChanges", language));
        await turn.NoticeAsync(approval.ProjectId, $"✏️ {who} asked for changes on #{approval.TaskNumber} “{approval.TaskTitle}”; their next message says what.");
    }

    /// <summary>A client's message right after asking for changes is what should change: said in the topic, with the task.</summary>
    public async Task CommentAsync(Turn turn, long chatId, string text)
    {
        var (c, t) = turn;
        if (await ApprovalStore.TakeCommentAsync(c, t, chatId, text, turn.Now) is not { } id || await ApprovalStore.FindAsync(c, t, id) is not { } approval) return;
        await TaskStore.EventAsync(c, t, approval.TaskId, null, "changes_comment", text.Length <= 500 ? text : text[..500], turn.Now);
        await turn.NoticeAsync(approval.ProjectId, $"✏️ Changes asked for #{approval.TaskNumber} “{approval.TaskTitle}”: {text}");
    }
}
