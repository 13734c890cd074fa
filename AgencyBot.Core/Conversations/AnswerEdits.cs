using System.Text.Json;
using AgencyBot.Core.Clients;
using AgencyBot.Core.Data;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Outbox;
using AgencyBot.Core.Staff;
using AgencyBot.Core.Turns;
using Telegram.Bot;

namespace AgencyBot.Core.Conversations;

/// <summary>
/// A staff member changes an answer after writing it. An edit reaches every client copy, in place (editMessageText,
/// or editMessageCaption for media) or, when the answer went out in several parts, as the corrected text replying to
/// it. /unsend, as a reply to one's answer, takes every copy back (deleteMessage; Telegram never tells a bot of
/// deletions, so the record says it); an album is taken back whole. Each change is a new version of the message,
/// nothing is overwritten, and a copy still on its way is changed once Telegram has it (<see cref="ApplyAsync"/> runs
/// again when it is delivered). An edit that turns an answer into a note (//) or a command changes no client's copy.
/// </summary>
public sealed class AnswerEdits(OutboxStore outbox, ClientRelay clientRelay, BotUser botUser, TimeProvider clock, ILogger<AnswerEdits> logger)
{
    private const string SelectUnapplied = """
        SELECT id AS Id, kind AS Kind, text AS Text, entities AS Entities FROM message_versions
        WHERE message_id = @MessageId AND applied_at IS NULL ORDER BY id
        """;

    private const string SelectEverUnsent = "SELECT COUNT(*) FROM message_versions WHERE message_id = @MessageId AND kind = 'unsent'";

    private const string SelectRecord = """
        SELECT m.direction AS Direction, m.sender_name AS SenderName, m.telegram_message_id AS TelegramMessageId, m.media_group_id AS MediaGroupId,
               m.conversation_id AS ConversationId, c.chat_id AS ChatId
        FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = @MessageId
        """;

    private sealed record Unapplied(long Id, string Kind, string? Text, string? Entities);

    private sealed record Record(string Direction, string SenderName, long TelegramMessageId, string? MediaGroupId, long ConversationId, long ChatId);

    /// <param name="updateId">The edit's update: a message still held (not filed or sent yet) is released as edited.</param>
    public async Task HandleEditAsync(Turn turn, Message edited)
    {
        var (c, t) = turn;
        var (staff, now, updateId) = (turn.StaffChat!, turn.Now, turn.UpdateId!.Value);
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
        if (botUser.ParseCommand(edited.Text ?? edited.Caption) is { Name: "all" }) text = text!.AfterFirstWord();
        var entities = text is { Entities.Count: > 0 } ? BotJson.Serialize(text.Entities.ToArray()) : null;
        foreach (var record in records)
            await ConversationStore.AddVersionAsync(c, t, record.Id, "edit", text?.Text, edited.EditDate ?? now.UtcDateTime, now, entities);
        var answers = records.Where(r => r.Direction == "staff").ToList();
        if (answers.Count == 0) return;
        // The client's copy follows an edit of the words they got: never one that makes the answer a note or a command.
        if (InternalNote.Says(text?.Text)
            || (botUser.ParseCommand(edited.Text ?? edited.Caption) is { } command && command.Name != "all"))
        {
            foreach (var answer in answers) await ConversationStore.MarkEditsAppliedAsync(c, t, answer.Id, now);
            await turn.ReplyAsync(edited, "⚠️ The client's copy was not changed: it already has this answer. /unsend as a reply takes it back.");
            return;
        }
        foreach (var answer in answers) await ApplyWithAlbumAsync(c, t, answer.Id);
        logger.LogInformation("Staff chat: message {MessageId} edited; {Count} client copies follow", edited.Id, answers.Count);
    }

    /// <summary>/unsend as a reply to one's own answer (a manager may take back anyone's); an album goes back whole.</summary>
    public async Task UnsendAsync(Turn turn, Message command)
    {
        var (c, t) = turn;
        var (staff, member, now) = (turn.StaffChat!, turn.Member!, turn.Now);
        if (command.ReplyToMessage is not { From: { } author } answer)
        {
            await turn.ReplyAsync(command, "/unsend works as a reply to the answer you want to take back.");
            return;
        }
        var records = await CopiesToTakeBackAsync(c, t, staff.ChatId, answer.Id);
        if (records.Count == 0 || (author.Id != member.TelegramUserId && member.Role != StaffRole.Manager))
        {
            await turn.ReplyAsync(command, records.Count == 0
                ? "That message was not sent to a client, so there is nothing to take back."
                : "You can take back only your own answers (a manager can take back anyone's).");
            return;
        }
        var chats = new List<string>();
        foreach (var record in records.Where(r => r.Versions.All(v => v.Kind != "unsent")))
        {
            var chatId = await TakeBackAsync(c, t, record.Id, "unsent by staff", now);
            var title = ClientChatStore.TitleOf(await ClientChatStore.FindAsync(c, t, chatId), chatId);
            if (!chats.Contains(title)) chats.Add(title);
            logger.LogInformation("Staff {StaffId}: answer {MessageId} unsent from chat {ChatId}", member.Id, record.TelegramMessageId, chatId);
        }
        await turn.ReplyAsync(command, chats.Count == 0 ? "That answer was taken back already." : $"🗑 Taken back from {string.Join(", ", chats)}.");
    }

    /// <summary>The client copies /unsend as a reply to <paramref name="answer"/> takes back: the answer's, or its whole
    /// album's (the write scope reads them here too).</summary>
    public static async Task<IReadOnlyList<ConversationMessage>> CopiesToTakeBackAsync(IDbConnection c, IDbTransaction t, long staffChat, long answer)
    {
        var records = (await ConversationStore.AnswersOfAsync(c, t, staffChat, answer)).Where(r => r.Direction == "staff").ToList();
        if (records.FirstOrDefault()?.MediaGroupId is not { } album) return records;
        records.Clear();
        foreach (var part in (await ConversationStore.AlbumAnswersAsync(c, t, staffChat, album)).Select(p => p.TelegramMessageId).Distinct())
            records.AddRange((await ConversationStore.AnswersOfAsync(c, t, staffChat, part)).Where(r => r.Direction == "staff"));
        return records;
    }

    /// <summary>Takes one answer's copy back from its chat: what nobody has taken is never sent, what is on its way (or
    /// has gone) is deleted once Telegram has it. The record keeps the answer, with an "unsent" version. Returns the chat.</summary>
    public async Task<long> TakeBackAsync(IDbConnection c, IDbTransaction t, long messageId, string why, DateTimeOffset now)
    {
        var record = await c.QuerySingleAsync<Record>(SelectRecord, new { MessageId = messageId }, t);
        await OutboxStore.CancelOfMessageAsync(c, t, messageId, record.ChatId, why);
        await ConversationStore.AddVersionAsync(c, t, messageId, "unsent", null, now, now);
        await ApplyWithAlbumAsync(c, t, messageId);
        return record.ChatId;
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

    /// <summary>Brings a client's copy of an answer in line with its latest version, once it has reached Telegram:
    /// deleted if unsent, else edited. A copy taken back is never edited again.</summary>
    public async Task ApplyAsync(IDbConnection c, IDbTransaction t, long messageId)
    {
        var unapplied = (await c.QueryAsync<Unapplied>(SelectUnapplied, new { MessageId = messageId }, t)).AsList();
        if (unapplied.Count == 0) return;
        var record = await c.QuerySingleAsync<Record>(SelectRecord, new { MessageId = messageId }, t);
        if (record.Direction != "staff") return;
        var copies = await CopiesAsync(c, t, messageId, record);
        if (copies.OnItsWay) return; // applied when it goes out
        await ConversationStore.MarkVersionsAppliedAsync(c, t, messageId, clock.GetUtcNow());
        var link = new OutboxLink(MessageId: messageId);
        if (unapplied.Any(v => v.Kind == "unsent"))
        {
            foreach (var post in copies.Posts)
                await outbox.EnqueueAsync(c, t, record.ChatId, new DeleteMessageRequest { ChatId = record.ChatId, MessageId = (int)post }, link);
            return;
        }
        var latest = unapplied[^1];
        if (copies.Method is null || copies.Posts.Count == 0 || latest.Text is null
            || await c.ExecuteScalarAsync<long>(SelectEverUnsent, new { MessageId = messageId }, t) > 0)
            return;
        var entities = latest.Entities is { } json ? BotJson.Deserialize<MessageEntity[]>(json) ?? [] : [];
        await EditCopyAsync(c, t, record.ChatId, copies, new FormattedText(latest.Text, entities), record.SenderName.Split(' ')[0], link);
    }

    /// <summary>How a record reached its chat: whether a row carrying it is still on its way (edits and deletions of it
    /// follow the copy, not precede it), how it went (the method of its sent rows, and how many there were) and the
    /// messages it made there. For a part of an album, the one copy of that part, whichever row carried it.</summary>
    private sealed record Copies(bool OnItsWay, string? Method, int Rows, IReadOnlyList<long> Posts);

    private static readonly string[] ContentMethods = ["sendMessage", "copyMessage", "copyMessages"];

    private static async Task<Copies> CopiesAsync(IDbConnection c, IDbTransaction t, long messageId, Record record)
    {
        var posts = await ConversationStore.PostsOfAsync(c, t, messageId, record.ChatId);
        if (record.MediaGroupId is not { } album)
        {
            var rows = (await OutboxStore.RowsOfMessageAsync(c, t, messageId, record.ChatId)).Where(r => ContentMethods.Contains(r.Method)).ToList();
            var sent = rows.Where(r => r.State == "sent").ToList();
            return new Copies(rows.Any(r => r.State == "pending"), sent.FirstOrDefault()?.Method, sent.Count, posts);
        }
        // An album goes as copyMessages rows, each carried by the first part it holds; parts join a row while it waits.
        var onItsWay = false;
        foreach (var part in await ConversationStore.AlbumInConversationAsync(c, t, record.ConversationId, album))
            onItsWay |= (await OutboxStore.RowsOfMessageAsync(c, t, part.Id, record.ChatId))
                .Any(r => r.State == "pending" && r.Method == "copyMessages" && OutboxStore.AlbumPartsOf(r.Payload).Contains(record.TelegramMessageId));
        return new Copies(onItsWay, posts.Count > 0 ? "copyMessages" : null, posts.Count, posts);
    }

    private async Task EditCopyAsync(IDbConnection c, IDbTransaction t, long chatId, Copies copies, FormattedText text, string firstName, OutboxLink link)
    {
        var posts = copies.Posts;
        // An album's copies carry their captions as they were (unsigned); everything else is signed.
        var signed = copies.Method == "copyMessages" ? text : text.Append(clientRelay.SignatureOf(firstName));
        switch (copies.Method)
        {
            case "sendMessage" when copies.Rows == 1 && posts.Count == 1 && signed.Text.Length <= MessageContent.MaxText:
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
}
