using AgencyBot.Core.Agency;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Outbox;

namespace AgencyBot.Core.Conversations;

/// <summary>A staff answer on its way to one client chat. <paramref name="Text"/> replaces the message's own text (the
/// words after /all or /later); <paramref name="Quote"/> is the client's message it answers, in that chat;
/// <paramref name="Later"/> holds it back that long (/later).</summary>
public sealed record Answer(Message Message, long? StaffId, FormattedText? Text = null, int? Quote = null, TimeSpan? Later = null);

/// <summary>
/// Sends a staff answer to a client chat as the agency: text as the bot's own message with the staff member's
/// formatting intact (and their first name added when configured), quoting the client message it answers; media
/// copied from the staff chat; an album as one copyMessages. The first row carries who answered, so the waiting period
/// closes when Telegram accepts it.
/// </summary>
public sealed class ClientRelay(OutboxStore outbox, IOptions<AgencyOptions> agency)
{
    /// <summary>"\n— Marie" under an answer, when Agency:SignStaffReplies is on.</summary>
    public string SignatureOf(Message message) => SignatureOf(message.From?.FirstName);

    public string SignatureOf(string? firstName) => agency.Value.SignStaffReplies && firstName is { Length: > 0 } ? $"\n— {firstName}" : "";

    public async Task RelayAsync(IDbConnection c, IDbTransaction t, Answer answer, long toChatId, long messageId)
    {
        var message = answer.Message;
        var link = new OutboxLink(MessageId: messageId, AnswerBy: answer.StaffId, Delay: answer.Later, Scheduled: answer.Later is not null);
        var signature = SignatureOf(message);
        var quote = answer.Quote is { } id ? new ReplyParameters { MessageId = id, AllowSendingWithoutReply = true } : null;

        if (message.MediaGroupId is { } album && answer.Text is null)
        {
            if (await outbox.AppendToAlbumAsync(c, t, toChatId, album, message.Id, StaffRelay.AlbumWait)) return;
            await outbox.EnqueueAsync(c, t, toChatId,
                new CopyMessagesRequest { ChatId = toChatId, FromChatId = message.Chat.Id, MessageIds = [message.Id] },
                link with { Delay = StaffRelay.AlbumWait });
            return;
        }
        if (message.Text is not null)
        {
            var text = (answer.Text ?? MessageContent.FormattedOf(message)!).Append(signature);
            var first = true;
            foreach (var part in text.Split())
            {
                await outbox.EnqueueAsync(c, t, toChatId, new SendMessageRequest
                {
                    ChatId = toChatId, Text = part.Text, Entities = part.Entities.Count > 0 ? [.. part.Entities] : null,
                    ReplyParameters = first ? quote : null,
                }, first ? link : link with { AnswerBy = null });
                first = false;
            }
            return;
        }
        // Media goes as a copy; words given for it (/all, /invoice) replace its own caption.
        var caption = (answer.Text ?? MessageContent.FormattedOf(message))?.Append(signature);
        var fits = caption is null || caption.Text.Length <= MessageContent.MaxCaption;
        await outbox.EnqueueAsync(c, t, toChatId, new CopyMessageRequest
        {
            ChatId = toChatId, FromChatId = message.Chat.Id, MessageId = message.Id, ReplyParameters = quote,
            Caption = fits ? caption?.Text : null,
            CaptionEntities = fits && caption is { Entities.Count: > 0 } ? [.. caption.Entities] : null,
        }, link);
        if (!fits)
            foreach (var part in caption!.Split())
                await outbox.EnqueueAsync(c, t, toChatId, new SendMessageRequest
                {
                    ChatId = toChatId, Text = part.Text, Entities = part.Entities.Count > 0 ? [.. part.Entities] : null,
                }, link with { AnswerBy = null });
    }
}
