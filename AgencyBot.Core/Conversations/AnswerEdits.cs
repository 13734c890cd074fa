using System.Data;
using System.Text.Json;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Staff;
using Dapper;
using Microsoft.Extensions.Logging;
using Telegram.Bot;
using Telegram.Bot.Requests;
using Telegram.Bot.Types;

namespace AgencyBot.Core.Conversations;

/// <summary>
/// A staff member changes an answer after writing it. An edit reaches every client copy, in place (editMessageText,
/// or editMessageCaption for media) or, when the answer went out in several parts, as the corrected text replying to
/// it. /unsend, as a reply to one's answer, takes every copy back (deleteMessage; Telegram never tells a bot of
/// deletions, so the record says it). Each change is a new version of the message, nothing is overwritten, and a copy
/// still on its way is changed once Telegram has it (<see cref="ApplyAsync"/> runs again when it is delivered).
/// </summary>
public sealed class AnswerEdits(OutboxStore outbox, ClientRelay clientRelay, ReplyInPlace reply, TimeProvider clock, ILogger<AnswerEdits> logger)
{
    private const string SelectUnapplied = """
        SELECT id AS Id, kind AS Kind, text AS Text, entities AS Entities FROM message_versions
        WHERE message_id = @MessageId AND applied_at IS NULL ORDER BY id
        """;

    private const string MarkApplied = "UPDATE message_versions SET applied_at = @Now WHERE message_id = @MessageId AND applied_at IS NULL";

    private const string SelectRecord = """
        SELECT m.direction AS Direction, m.sender_name AS SenderName, c.chat_id AS ChatId
        FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = @MessageId
        """;

    private sealed record Unapplied(long Id, string Kind, string? Text, string? Entities);

    public async Task HandleEditAsync(IDbConnection c, IDbTransaction t, StaffChat staff, Message edited)
    {
        var now = clock.GetUtcNow();
        var records = await ConversationStore.AnswersOfAsync(c, t, staff.ChatId, edited.Id);
        if (records.Count == 0)
        {
            logger.LogInformation("Staff chat: edit of message {MessageId} that was never an answer or a note; nothing to change", edited.Id);
            return;
        }
        var text = MessageContent.FormattedOf(edited);
        var entities = text is { Entities.Count: > 0 } ? JsonSerializer.Serialize(text.Entities, JsonBotAPI.Options) : null;
        foreach (var record in records)
        {
            await ConversationStore.AddVersionAsync(c, t, record.Id, "edit", text?.Text, edited.EditDate ?? now.UtcDateTime, now, entities);
            if (record.Direction == "staff") await ApplyAsync(c, t, record.Id);
        }
        logger.LogInformation("Staff chat: message {MessageId} edited; {Count} client copies follow", edited.Id, records.Count(r => r.Direction == "staff"));
    }

    /// <summary>/unsend as a reply to one's own answer (a manager may take back anyone's).</summary>
    public async Task UnsendAsync(IDbConnection c, IDbTransaction t, StaffChat staff, Message command, StaffMember member)
    {
        var now = clock.GetUtcNow();
        if (command.ReplyToMessage is not { From: { } author } answer)
        {
            await reply.SendAsync(c, t, command, "/unsend works as a reply to the answer you want to take back.");
            return;
        }
        var records = (await ConversationStore.AnswersOfAsync(c, t, staff.ChatId, answer.Id)).Where(r => r.Direction == "staff").ToList();
        if (records.Count == 0 || (author.Id != member.TelegramUserId && member.Role != StaffRole.Manager))
        {
            await reply.SendAsync(c, t, command, records.Count == 0
                ? "That message was not sent to a client, so there is nothing to take back."
                : "You can take back only your own answers (a manager can take back anyone's).");
            return;
        }
        var chats = new List<string>();
        foreach (var record in records.Where(r => r.Versions.All(v => v.Kind != "unsent")))
        {
            var conversation = await ConversationStore.GetAsync(c, t, record.ConversationId);
            // What has not gone out stays unsent; what has (or goes out meanwhile) is deleted by ApplyAsync.
            var cancelled = await OutboxStore.CancelOfMessageAsync(c, t, record.Id, conversation.ChatId, "unsent by staff");
            await ConversationStore.AddVersionAsync(c, t, record.Id, "unsent", null, now, now);
            await ApplyAsync(c, t, record.Id);
            chats.Add((await ClientChatStore.FindAsync(c, t, conversation.ChatId))?.Title ?? $"chat {conversation.ChatId}");
            logger.LogInformation("Staff {StaffId}: answer {MessageId} unsent from chat {ChatId} ({Cancelled} queued rows cancelled)",
                member.Id, answer.Id, conversation.ChatId, cancelled);
        }
        await reply.SendAsync(c, t, command, chats.Count == 0 ? "That answer was taken back already." : $"🗑 Taken back from {string.Join(", ", chats)}.");
    }

    /// <summary>Brings a client's copy of an answer in line with its latest version, once nothing of it is still queued:
    /// deleted if unsent, else edited. Runs when the change is made and again when a queued copy is delivered.</summary>
    public async Task ApplyAsync(IDbConnection c, IDbTransaction t, long messageId)
    {
        var unapplied = (await c.QueryAsync<Unapplied>(SelectUnapplied, new { MessageId = messageId }, t)).AsList();
        if (unapplied.Count == 0) return;
        var record = await c.QuerySingleAsync<(string Direction, string SenderName, long ChatId)>(SelectRecord, new { MessageId = messageId }, t);
        if (record.Direction != "staff") return;
        var rows = await OutboxStore.RowsOfMessageAsync(c, t, messageId, record.ChatId);
        if (rows.Any(r => r.State == "pending")) return;
        await c.ExecuteAsync(MarkApplied, new { MessageId = messageId, Now = clock.GetUtcNow().ToUnixTimeMilliseconds() }, t);
        var link = new OutboxLink(MessageId: messageId);
        if (unapplied.Any(v => v.Kind == "unsent"))
        {
            foreach (var post in await ConversationStore.PostsOfAsync(c, t, messageId, record.ChatId))
                await outbox.EnqueueAsync(c, t, record.ChatId, new DeleteMessageRequest { ChatId = record.ChatId, MessageId = (int)post }, link);
            return;
        }
        var latest = unapplied[^1];
        var entities = latest.Entities is { } json ? JsonSerializer.Deserialize<MessageEntity[]>(json, JsonBotAPI.Options) ?? [] : [];
        var copies = rows.Where(r => r.State == "sent" && r.TelegramMessageId is not null && r.Method is "sendMessage" or "copyMessage" or "copyMessages").ToList();
        if (copies.Count == 0 || latest.Text is null) return;
        await EditCopyAsync(c, t, record.ChatId, copies, new FormattedText(latest.Text, entities), record.SenderName.Split(' ')[0], link);
    }

    private async Task EditCopyAsync(IDbConnection c, IDbTransaction t, long chatId, IReadOnlyList<OutboxStore.RowOfMessage> copies, FormattedText text,
        string firstName, OutboxLink link)
    {
        var first = copies[0];
        // An album's copies carry their captions as they were (unsigned); everything else is signed.
        var signed = first.Method == "copyMessages" ? text : text.Append(clientRelay.SignatureOf(firstName));
        switch (first.Method)
        {
            case "sendMessage" when copies.Count == 1 && signed.Text.Length <= MessageContent.MaxText:
                await outbox.EnqueueAsync(c, t, chatId, new EditMessageTextRequest
                {
                    ChatId = chatId, MessageId = (int)first.TelegramMessageId!, Text = signed.Text,
                    Entities = signed.Entities.Count > 0 ? [.. signed.Entities] : null,
                }, link);
                break;
            case "copyMessage" or "copyMessages" when signed.Text.Length <= MessageContent.MaxCaption:
                // The copy of the edited part: an album edits the caption of its first copy, where Telegram shows it.
                await outbox.EnqueueAsync(c, t, chatId, new EditMessageCaptionRequest
                {
                    ChatId = chatId, MessageId = (int)first.TelegramMessageId!, Caption = signed.Text,
                    CaptionEntities = signed.Entities.Count > 0 ? [.. signed.Entities] : null,
                }, link);
                break;
            default:
                // Too long to edit in place (or sent in parts): the corrected text follows, replying to the first part.
                var firstPart = true;
                foreach (var piece in FormattedText.Plain("✏️ ").Append(signed).Split())
                {
                    await outbox.EnqueueAsync(c, t, chatId, new SendMessageRequest
                    {
                        ChatId = chatId, Text = piece.Text, Entities = piece.Entities.Count > 0 ? [.. piece.Entities] : null,
                        ReplyParameters = firstPart ? new ReplyParameters { MessageId = (int)first.TelegramMessageId!, AllowSendingWithoutReply = true } : null,
                    }, link);
                    firstPart = false;
                }
                break;
        }
    }
}
