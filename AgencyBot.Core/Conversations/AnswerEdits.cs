using System.Data;
using System.Text.Json;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Staff;
using AgencyBot.Core.Telegram;
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
/// deletions, so the record says it); an album is taken back whole. Each change is a new version of the message,
/// nothing is overwritten, and a copy still on its way is changed once Telegram has it (<see cref="ApplyAsync"/> runs
/// again when it is delivered). An edit that turns an answer into a note (//) or a command changes no client's copy.
/// </summary>
public sealed class AnswerEdits(OutboxStore outbox, ClientRelay clientRelay, ReplyInPlace reply, BotUser botUser, TimeProvider clock, ILogger<AnswerEdits> logger)
{
    private const string SelectUnapplied = """
        SELECT id AS Id, kind AS Kind, text AS Text, entities AS Entities FROM message_versions
        WHERE message_id = @MessageId AND applied_at IS NULL ORDER BY id
        """;

    private const string MarkApplied = "UPDATE message_versions SET applied_at = @Now WHERE message_id = @MessageId AND applied_at IS NULL";

    private const string SelectRecord = """
        SELECT m.direction AS Direction, m.sender_name AS SenderName, m.telegram_message_id AS TelegramMessageId, m.media_group_id AS MediaGroupId,
               m.conversation_id AS ConversationId, c.chat_id AS ChatId
        FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = @MessageId
        """;

    private sealed record Unapplied(long Id, string Kind, string? Text, string? Entities);

    private sealed record Record(string Direction, string SenderName, long TelegramMessageId, string? MediaGroupId, long ConversationId, long ChatId);

    /// <param name="updateId">The edit's update: a message still held (not filed or sent yet) is released as edited.</param>
    public async Task HandleEditAsync(IDbConnection c, IDbTransaction t, StaffChat staff, Message edited, long updateId)
    {
        var now = clock.GetUtcNow();
        var records = await ConversationStore.AnswersOfAsync(c, t, staff.ChatId, edited.Id);
        if (records.Count == 0)
        {
            if (await HeldMessages.RepointAsync(c, t, staff.ChatId, edited.Id, updateId))
                logger.LogInformation("Staff chat: message {MessageId}, still waiting to be sent, edited; it goes as edited", edited.Id);
            else
                logger.LogInformation("Staff chat: edit of message {MessageId} that was never an answer or a note; nothing to change", edited.Id);
            return;
        }
        var text = MessageContent.FormattedOf(edited);
        // An /all answer's words are those after the command, as they were when it was sent.
        if (botUser.ParseCommand(edited.Text) is { Name: "all" }) text = text!.AfterFirstWord();
        var entities = text is { Entities.Count: > 0 } ? JsonSerializer.Serialize(text.Entities, JsonBotAPI.Options) : null;
        foreach (var record in records)
            await ConversationStore.AddVersionAsync(c, t, record.Id, "edit", text?.Text, edited.EditDate ?? now.UtcDateTime, now, entities);
        var answers = records.Where(r => r.Direction == "staff").ToList();
        if (answers.Count == 0) return;
        // The client's copy follows an edit of the words they got: never one that makes the answer a note or a command.
        if (text?.Text.StartsWith(StaffAnswers.NotePrefix, StringComparison.Ordinal) == true
            || (botUser.ParseCommand(edited.Text) is { } command && command.Name != "all"))
        {
            foreach (var answer in answers) await ConversationStore.MarkVersionsAppliedAsync(c, t, answer.Id, now);
            await reply.SendAsync(c, t, edited, "⚠️ The client's copy was not changed: it already has this answer. /unsend as a reply takes it back.");
            return;
        }
        foreach (var answer in answers) await ApplyWithAlbumAsync(c, t, answer.Id);
        logger.LogInformation("Staff chat: message {MessageId} edited; {Count} client copies follow", edited.Id, answers.Count);
    }

    /// <summary>/unsend as a reply to one's own answer (a manager may take back anyone's); an album goes back whole.</summary>
    public async Task UnsendAsync(IDbConnection c, IDbTransaction t, StaffChat staff, Message command, StaffMember member)
    {
        var now = clock.GetUtcNow();
        if (command.ReplyToMessage is not { From: { } author } answer)
        {
            await reply.SendAsync(c, t, command, "/unsend works as a reply to the answer you want to take back.");
            return;
        }
        var records = (await ConversationStore.AnswersOfAsync(c, t, staff.ChatId, answer.Id)).Where(r => r.Direction == "staff").ToList();
        if (records.FirstOrDefault()?.MediaGroupId is { } album)
        {
            records.Clear();
            foreach (var part in await ConversationStore.AlbumAnswersAsync(c, t, staff.ChatId, album))
                records.AddRange((await ConversationStore.AnswersOfAsync(c, t, staff.ChatId, part)).Where(r => r.Direction == "staff"));
        }
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
            // What nobody has taken stays unsent; what is on its way (or has gone) is deleted by ApplyAsync once delivered.
            var cancelled = await OutboxStore.CancelOfMessageAsync(c, t, record.Id, conversation.ChatId, "unsent by staff");
            await ConversationStore.AddVersionAsync(c, t, record.Id, "unsent", null, now, now);
            await ApplyWithAlbumAsync(c, t, record.Id);
            var title = ClientChatStore.TitleOf(await ClientChatStore.FindAsync(c, t, conversation.ChatId), conversation.ChatId);
            if (!chats.Contains(title)) chats.Add(title);
            logger.LogInformation("Staff {StaffId}: answer {MessageId} unsent from chat {ChatId} ({Cancelled} queued rows cancelled)",
                member.Id, record.TelegramMessageId, conversation.ChatId, cancelled);
        }
        await reply.SendAsync(c, t, command, chats.Count == 0 ? "That answer was taken back already." : $"🗑 Taken back from {string.Join(", ", chats)}.");
    }

    /// <summary><see cref="ApplyAsync"/> for a record and, when it is an album's, for every part of that album in its
    /// conversation (the album travels as one row: its delivery is theirs too).</summary>
    public async Task ApplyWithAlbumAsync(IDbConnection c, IDbTransaction t, long messageId)
    {
        var record = await c.QuerySingleOrDefaultAsync<Record>(SelectRecord, new { MessageId = messageId }, t);
        if (record?.MediaGroupId is not { } album)
        {
            await ApplyAsync(c, t, messageId);
            return;
        }
        foreach (var part in await ConversationStore.AlbumInConversationAsync(c, t, record.ConversationId, album)) await ApplyAsync(c, t, part.Id);
    }

    /// <summary>Brings a client's copy of an answer in line with its latest version, once nothing of it is still queued:
    /// deleted if unsent, else edited.</summary>
    public async Task ApplyAsync(IDbConnection c, IDbTransaction t, long messageId)
    {
        var unapplied = (await c.QueryAsync<Unapplied>(SelectUnapplied, new { MessageId = messageId }, t)).AsList();
        if (unapplied.Count == 0) return;
        var record = await c.QuerySingleAsync<Record>(SelectRecord, new { MessageId = messageId }, t);
        if (record.Direction != "staff") return;
        var (rows, posts) = await CopiesAsync(c, t, messageId, record);
        if (rows.Any(r => r.State == "pending")) return; // applied when the last of it goes out
        await c.ExecuteAsync(MarkApplied, new { MessageId = messageId, Now = clock.GetUtcNow().ToUnixTimeMilliseconds() }, t);
        var link = new OutboxLink(MessageId: messageId);
        if (unapplied.Any(v => v.Kind == "unsent"))
        {
            foreach (var post in posts)
                await outbox.EnqueueAsync(c, t, record.ChatId, new DeleteMessageRequest { ChatId = record.ChatId, MessageId = (int)post }, link);
            return;
        }
        var latest = unapplied[^1];
        var copies = rows.Where(r => r.State == "sent" && r.Method is "sendMessage" or "copyMessage" or "copyMessages").ToList();
        if (copies.Count == 0 || posts.Count == 0 || latest.Text is null) return;
        var entities = latest.Entities is { } json ? JsonSerializer.Deserialize<MessageEntity[]>(json, JsonBotAPI.Options) ?? [] : [];
        await EditCopyAsync(c, t, record.ChatId, copies, posts, new FormattedText(latest.Text, entities), record.SenderName.Split(' ')[0], link);
    }

    /// <summary>
    /// The rows that carried a record to its chat, and the messages they made there that are this record's: all of them
    /// for a text or a single medium; for a part of an album, the one copy of that part (an album goes as one
    /// copyMessages row carried by its first part, its copies in the order of its parts).
    /// </summary>
    private static async Task<(IReadOnlyList<OutboxStore.RowOfMessage> Rows, IReadOnlyList<long> Posts)> CopiesAsync(IDbConnection c, IDbTransaction t,
        long messageId, Record record)
    {
        if (record.MediaGroupId is not { } album)
            return (await OutboxStore.RowsOfMessageAsync(c, t, messageId, record.ChatId), await ConversationStore.PostsOfAsync(c, t, messageId, record.ChatId));
        var head = (await ConversationStore.AlbumInConversationAsync(c, t, record.ConversationId, album))[0];
        var rows = await OutboxStore.RowsOfMessageAsync(c, t, head.Id, record.ChatId);
        var copy = rows.FirstOrDefault(r => r.Method == "copyMessages");
        var all = await ConversationStore.PostsOfAsync(c, t, head.Id, record.ChatId);
        var index = copy is null ? -1 : PartIndex(copy.Payload, (int)record.TelegramMessageId);
        return (rows, index >= 0 && index < all.Count ? [all[index]] : []);
    }

    private async Task EditCopyAsync(IDbConnection c, IDbTransaction t, long chatId, IReadOnlyList<OutboxStore.RowOfMessage> copies,
        IReadOnlyList<long> posts, FormattedText text, string firstName, OutboxLink link)
    {
        var first = copies[0];
        // An album's copies carry their captions as they were (unsigned); everything else is signed.
        var signed = first.Method == "copyMessages" ? text : text.Append(clientRelay.SignatureOf(firstName));
        switch (first.Method)
        {
            case "sendMessage" when copies.Count == 1 && posts.Count == 1 && signed.Text.Length <= MessageContent.MaxText:
                await outbox.EnqueueAsync(c, t, chatId, new EditMessageTextRequest
                {
                    ChatId = chatId, MessageId = (int)posts[0], Text = signed.Text, Entities = signed.Entities.Count > 0 ? [.. signed.Entities] : null,
                }, link);
                break;
            case "copyMessage" or "copyMessages" when signed.Text.Length <= MessageContent.MaxCaption:
                await outbox.EnqueueAsync(c, t, chatId, new EditMessageCaptionRequest
                {
                    ChatId = chatId, MessageId = (int)posts[0], Caption = signed.Text,
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
                        ReplyParameters = firstPart ? new ReplyParameters { MessageId = (int)posts[0], AllowSendingWithoutReply = true } : null,
                    }, link);
                    firstPart = false;
                }
                break;
        }
    }

    private static int PartIndex(string payload, int messageId) =>
        (JsonSerializer.Deserialize<CopyMessagesRequest>(payload, JsonBotAPI.Options)?.MessageIds ?? []).ToList().IndexOf(messageId);
}
