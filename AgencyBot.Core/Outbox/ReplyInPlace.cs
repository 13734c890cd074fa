using AgencyBot.Core.Messaging;

namespace AgencyBot.Core.Outbox;

/// <summary>Answers a message where it was written (same chat, same topic), as a reply to it.</summary>
public sealed class ReplyInPlace(OutboxStore outbox)
{
    public async Task SendAsync(IDbConnection c, IDbTransaction t, Message to, string text)
    {
        foreach (var part in MessageContent.Split(text))
            await outbox.EnqueueAsync(c, t, to.Chat.Id, new SendMessageRequest
            {
                ChatId = to.Chat.Id, Text = part, MessageThreadId = to.TopicOf(),
                ReplyParameters = new ReplyParameters { MessageId = to.Id, AllowSendingWithoutReply = true },
            });
    }
}
