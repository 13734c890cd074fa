using System.Data;
using AgencyBot.Core.Agency;
using AgencyBot.Core.Outbox;
using Microsoft.Extensions.Options;
using Telegram.Bot.Requests;
using Telegram.Bot.Types;

namespace AgencyBot.Core.Conversations;

/// <summary>Sends a staff answer to a client chat as the agency: text as the bot's own message, media copied
/// from the staff chat, an album as one copyMessages; the staff member's first name added when configured.</summary>
public sealed class ClientRelay(OutboxStore outbox, IOptions<AgencyOptions> agency)
{
    public async Task RelayAsync(IDbConnection c, IDbTransaction t, Message answer, long toChatId, long messageId)
    {
        var link = new OutboxLink(MessageId: messageId);
        var signature = agency.Value.SignStaffReplies && answer.From?.FirstName is { Length: > 0 } name ? $"\n— {name}" : "";

        if (answer.MediaGroupId is { } album)
        {
            if (await outbox.AppendToAlbumAsync(c, t, toChatId, album, answer.Id, StaffRelay.AlbumWait)) return;
            await outbox.EnqueueAsync(c, t, toChatId,
                new CopyMessagesRequest { ChatId = toChatId, FromChatId = answer.Chat.Id, MessageIds = [answer.Id] },
                link with { Delay = StaffRelay.AlbumWait });
            return;
        }
        if (answer.Text is { } text)
        {
            foreach (var part in MessageContent.Split(text + signature))
                await outbox.EnqueueAsync(c, t, toChatId, new SendMessageRequest { ChatId = toChatId, Text = part }, link);
            return;
        }
        var caption = answer.Caption is { } own ? own + signature : null;
        var fits = caption is null || caption.Length <= MessageContent.MaxCaption;
        await outbox.EnqueueAsync(c, t, toChatId, new CopyMessageRequest
        {
            ChatId = toChatId, FromChatId = answer.Chat.Id, MessageId = answer.Id,
            Caption = fits ? caption : null,
        }, link);
        if (!fits)
            foreach (var part in MessageContent.Split(caption!))
                await outbox.EnqueueAsync(c, t, toChatId, new SendMessageRequest { ChatId = toChatId, Text = part }, link);
    }
}
